/**
 * Merges blocks into one (the compactor's work): symbols of every source are
 * re-deduplicated into one set, rows are grouped per series (by labels) in time
 * order, and a row that another source holds too — same series, time and profile
 * ID, as replicas write it — is kept once.
 */
import { compareLabels, labelsKey } from "../../model/labels.js";
import type { Labels } from "../../model/labels.js";
import { HeadSeries, profileTypeOf } from "../head/head-series.js";
import { ProfileColumns } from "../head/profile-columns.js";
import { MemPostings } from "../index/postings.js";
import type { MemBlock, SeriesData } from "../mem-block.js";
import { PprofBuilder } from "../query/pprof-builder.js";
import { markNeeded } from "../query/merge.js";

/** The merged block and what merging did. */
export interface MergeResult {
  block: MemBlock;
  /** Rows dropped as replica duplicates. */
  duplicates: number;
}

interface RowRef {
  src: number;
  row: number;
  timeNanos: bigint;
  id: string;
}

/** Merges `sources` into one in-memory block. */
export function mergeBlocks(sources: readonly MemBlock[]): MergeResult {
  const symbols = new PprofBuilder();
  // Per source: its stack nodes mapped into the merged tree (only nodes some row uses).
  const nodeMaps = sources.map((b) => mapStacks(b, symbols));

  const bySeries = new Map<string, { labels: Labels; rows: RowRef[] }>();
  sources.forEach((b, src) => {
    for (const s of b.series) {
      if (s.rowCount === 0) continue;
      const key = labelsKey(s.labels);
      let entry = bySeries.get(key);
      if (!entry) bySeries.set(key, (entry = { labels: s.labels, rows: [] }));
      for (let i = 0; i < s.rowCount; i++) {
        const row = s.rows[i]!;
        entry.rows.push({ src, row, timeNanos: b.profiles.timeNanos[row]!, id: b.profiles.ids[row]! });
      }
    }
  });

  const profiles = new ProfileColumns();
  const series: HeadSeries[] = [];
  const postings = new MemPostings();
  let duplicates = 0;
  let minTimeMs = Infinity;
  let maxTimeMs = -Infinity;
  let stacks = new Uint32Array(1024);
  let values = new Float64Array(1024);
  const entries = [...bySeries.values()].sort((a, b) => compareLabels(a.labels, b.labels));
  for (const e of entries) {
    const s = new HeadSeries(series.length, e.labels, profileTypeOf(e.labels), undefined);
    series.push(s);
    postings.add(s.ref, e.labels);
    e.rows.sort((a, b) => (a.timeNanos < b.timeNanos ? -1 : a.timeNanos > b.timeNanos ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let last: RowRef | undefined;
    for (const r of e.rows) {
      if (last && last.timeNanos === r.timeNanos && last.id === r.id) {
        duplicates++;
        continue;
      }
      last = r;
      const b = sources[r.src]!;
      const map = nodeMaps[r.src]!;
      const from = b.profiles.sampleOffsets[r.row]!;
      const n = b.profiles.sampleOffsets[r.row + 1]! - from;
      if (stacks.length < n) {
        stacks = new Uint32Array(n * 2);
        values = new Float64Array(n * 2);
      }
      // New ids keep no order of the source's: sort the pairs again by stack id.
      const order = new Uint32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      const mapped = new Uint32Array(n);
      for (let i = 0; i < n; i++) mapped[i] = map[b.profiles.stacks[from + i]!]!;
      order.sort((x, y) => mapped[x]! - mapped[y]!);
      for (let i = 0; i < n; i++) {
        stacks[i] = mapped[order[i]!]!;
        values[i] = b.profiles.values[from + order[i]!]!;
      }
      const row = profiles.append(s.ref, r.timeNanos, r.id, stacks, values, n);
      const timeMs = profiles.timeMs[row]!;
      s.addRow(row, timeMs);
      minTimeMs = Math.min(minTimeMs, timeMs);
      maxTimeMs = Math.max(maxTimeMs, timeMs);
    }
  }
  const block: MemBlock = {
    symbols: symbols.symbols,
    profiles,
    series: series as readonly SeriesData[],
    postings,
    minTimeMs,
    maxTimeMs,
    labelsOf: (ref) => series[ref]!.labels,
  };
  return { block, duplicates };
}

/** Maps every stack node of `b` that a row uses (and its ancestors) into `out`'s tree. */
function mapStacks(b: MemBlock, out: PprofBuilder): Uint32Array {
  const st = b.symbols.stacktraces;
  const used = new Float64Array(st.count);
  const p = b.profiles;
  for (let i = 0; i < p.sampleOffsets[p.count]!; i++) used[p.stacks[i]!] = 1;
  const need = markNeeded(b, used);
  const locMap = new Int32Array(b.symbols.locations.count).fill(-1);
  const nodeMap = new Uint32Array(st.count);
  for (let n = 1; n < st.count; n++) {
    if (need[n] === 0) continue;
    const loc = st.location[n]!;
    let l = locMap[loc]!;
    if (l < 0) locMap[loc] = l = out.copyLocation(b.symbols, loc);
    nodeMap[n] = out.symbols.stacktraces.child(nodeMap[st.parent[n]!]!, l);
  }
  return nodeMap;
}
