/**
 * The head as a BlockReader: label APIs, merges and totals over its series.
 */
import type { FunctionTree } from "../../model/flamegraph/function-tree.js";
import { compareLabels, labelsKey } from "../../model/labels.js";
import type { Labels } from "../../model/labels.js";
import type { ProfileType } from "../../model/profile-type.js";
import type { LabelQuery, ProfileTotals, SelectedProfile, SelectQuery } from "../../model/query.js";
import type { BlockReader } from "../block-reader.js";
import type { PprofBuilder } from "./pprof-builder.js";
import type { MemBlock } from "../mem-block.js";
import { accumulate, markNeeded, mergeIntoTree } from "./merge.js";
import { labelNames, labelValues, profileTypes, seriesLabels } from "./label-queries.js";
import { selectRows } from "./select.js";

/** Reads an in-memory block (the head, or a loaded on-disk block) through the BlockReader interface. */
export class MemBlockReader implements BlockReader {
  constructor(private readonly head: MemBlock) {}

  get minTimeMs(): number {
    return this.head.minTimeMs;
  }

  get maxTimeMs(): number {
    return this.head.maxTimeMs;
  }

  async profileTypes(q: LabelQuery): Promise<ProfileType[]> {
    return profileTypes(this.head, q);
  }

  async labelNames(q: LabelQuery): Promise<string[]> {
    return labelNames(this.head, q);
  }

  async labelValues(name: string, q: LabelQuery): Promise<string[]> {
    return labelValues(this.head, name, q);
  }

  async series(q: LabelQuery, names: readonly string[]): Promise<Labels[]> {
    return seriesLabels(this.head, q, names);
  }

  async mergeTree(q: SelectQuery, tree: FunctionTree): Promise<void> {
    const { rows } = selectRows(this.head, q);
    if (rows.length > 0) mergeIntoTree(this.head, rows, tree);
  }

  async mergePprof(q: SelectQuery, builder: PprofBuilder): Promise<void> {
    const { rows } = selectRows(this.head, q);
    if (rows.length === 0) return;
    const acc = accumulate(this.head, rows);
    const need = markNeeded(this.head, acc);
    const st = this.head.symbols.stacktraces;
    const locMap = new Int32Array(this.head.symbols.locations.count).fill(-1);
    const nodeOf = new Uint32Array(acc.length);
    for (let n = 1; n < acc.length; n++) {
      if (need[n] === 0) continue;
      const loc = st.location[n]!;
      let l = locMap[loc]!;
      if (l < 0) locMap[loc] = l = builder.copyLocation(this.head.symbols, loc);
      const node = builder.symbols.stacktraces.child(nodeOf[st.parent[n]!]!, l);
      nodeOf[n] = node;
      if (acc[n] !== 0) builder.add(node, acc[n]!);
    }
  }

  async selectProfiles(q: SelectQuery): Promise<SelectedProfile[]> {
    const { rows } = selectRows(this.head, q);
    const p = this.head.profiles;
    const out: SelectedProfile[] = new Array<SelectedProfile>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      out[i] = { labels: this.head.labelsOf(p.series[r]!), timeMs: p.timeMs[r]!, id: p.ids[r]! };
    }
    return out;
  }

  async profileTotals(q: SelectQuery, by: readonly string[]): Promise<ProfileTotals> {
    const { series, rows } = selectRows(this.head, q);
    const want = new Set(by);
    const groups: Labels[] = [];
    const groupOfKey = new Map<string, number>();
    const groupOfSeries = new Map<number, number>();
    for (const s of series) {
      const ls = s.labels.filter((l) => want.has(l.name));
      const key = labelsKey(ls);
      let g = groupOfKey.get(key);
      if (g === undefined) {
        g = groups.length;
        groups.push(ls);
        groupOfKey.set(key, g);
      }
      groupOfSeries.set(s.ref, g);
    }
    const p = this.head.profiles;
    const order = Array.from(rows).sort((a, b) => p.timeMs[a]! - p.timeMs[b]! || a - b);
    const group = new Uint32Array(order.length);
    const timeMs = new Float64Array(order.length);
    const value = new Float64Array(order.length);
    for (let i = 0; i < order.length; i++) {
      const r = order[i]!;
      group[i] = groupOfSeries.get(p.series[r]!)!;
      timeMs[i] = p.timeMs[r]!;
      value[i] = p.total[r]!;
    }
    return { groups, group, timeMs, value };
  }
}

/** Sorts label sets the way Phlare returns series. */
export function sortLabelSets(sets: Labels[]): Labels[] {
  return sets.sort(compareLabels);
}
