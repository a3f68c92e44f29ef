/**
 * Storage benchmarks: bytes per stored sample after a flush and after compaction
 * (against the gzipped pprof the clients sent for the same samples), ingest with
 * the WAL against in-memory ingest, merges over a loaded block against the head,
 * and memory per 1 000 active series.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { FunctionTree } from "../src/model/flamegraph/function-tree.js";
import { sortLabels } from "../src/model/labels.js";
import type { Labels } from "../src/model/labels.js";
import { decodePprof, encodePprof, normalizePprof } from "../src/model/pprof/index.js";
import type { FlatProfile } from "../src/model/pprof/index.js";
import { parseProfileType } from "../src/model/profile-type.js";
import type { IngestProfile, SelectQuery } from "../src/model/query.js";
import { benchDistributor, benchIngester } from "./bench-pipeline.js";
import { buildBlock, BlockFileName } from "../src/storage/block/block-build.js";
import type { BuiltBlock } from "../src/storage/block/block-build.js";
import { mergeBlocks } from "../src/storage/block/block-merge.js";
import { BlockWorkers } from "../src/storage/block/block-workers.js";
import { readIndex } from "../src/storage/block/index-file.js";
import { BlockSeries, LoadedBlock } from "../src/storage/block/loaded-block.js";
import { readProfilesParquet } from "../src/storage/block/profiles-parquet.js";
import { readSamples } from "../src/storage/block/samples-file.js";
import { readSymbols } from "../src/storage/block/symbols-file.js";
import { Head } from "../src/storage/head/head.js";
import type { MemBlock } from "../src/storage/mem-block.js";
import { MemBlockReader } from "../src/storage/query/mem-block-reader.js";
import { elapsedMs, median, printWhenMain, round } from "./bench-result.js";
import type { BenchOptions, BenchResult } from "./bench-result.js";
import { pushFiles } from "./bench-profiles.js";

const MS = 1_000_000n;
const T0 = 1_700_000_000_000n;

let seed = 7;
function random(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}

/** A count with mean `mean`: successive real profiles sample the same stacks a varying number of times. */
function poisson(mean: number): number {
  let l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= random();
  } while (p > l);
  l = 0;
  return k - 1;
}

interface Round {
  profiles: IngestProfile[];
  /** Gzipped pprof bytes of these profiles, as clients send them. */
  gzBytes: number;
}

/**
 * `rounds` rounds of the corpus, 10 s apart: every profile keeps its stacks and
 * symbols, but each sample's values are scaled by a random count with mean 1, so that
 * consecutive profiles of a series differ the way real ones do.
 */
function corpusRounds(rounds: number): Round[] {
  const files = pushFiles().map((f) => ({ labels: sortLabels(f.labels.map((l) => ({ ...l }))), base: normalizePprof(decodePprof(f.raw), 0n, { mergeSamples: false }) }));
  const out: Round[] = [];
  for (let r = 0; r < rounds; r++) {
    const profiles: IngestProfile[] = [];
    let gzBytes = 0;
    for (const f of files) {
      const labels: Labels = sortLabels([...f.labels, { name: "__delta__", value: "false" }]);
      const values = f.base.values.slice();
      const k = f.base.valuesPerSample;
      for (let s = 0; s < f.base.sampleCount; s++) {
        const c = poisson(1);
        for (let j = 0; j < k; j++) values[s * k + j] = values[s * k + j]! * c;
      }
      const profile: FlatProfile = { ...f.base, values, timeNanos: (T0 + BigInt(r) * 10_000n) * MS };
      const raw = gzipSync(encodePprof(profile));
      gzBytes += raw.byteLength;
      profiles.push({ id: crypto.randomUUID(), labels, profile, raw });
    }
    out.push({ profiles, gzBytes });
  }
  return out;
}

function headOf(rounds: readonly Round[]): Head {
  const head = new Head();
  for (const r of rounds) for (const p of r.profiles) head.ingest(p);
  return head;
}

function blockBytes(b: BuiltBlock): number {
  return b.files.reduce((n, f) => n + f.bytes.byteLength, 0) + b.metaJson.length;
}

/** Each block file's share of the bytes, e.g. "samples.bin 71 %, symbols.bin 20 %, …". */
function fileShares(blocks: readonly BuiltBlock[]): string {
  const by = new Map<string, number>([["meta.json", 0]]);
  for (const b of blocks) {
    for (const f of b.files) by.set(f.relPath, (by.get(f.relPath) ?? 0) + f.bytes.byteLength);
    by.set("meta.json", by.get("meta.json")! + b.metaJson.length);
  }
  const total = [...by.values()].reduce((a, x) => a + x, 0);
  return [...by].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} ${Math.round((n / total) * 100)} %`).join(", ");
}

function build(b: MemBlock, id: string): BuiltBlock {
  const built = buildBlock(b, { ulid: id, source: "ingester", labels: {}, compaction: { level: 1, sources: [id], parents: [] } });
  if (!built) throw new Error("empty block");
  return built;
}

async function load(b: BuiltBlock): Promise<LoadedBlock> {
  const f = new Map(b.files.map((x) => [x.relPath, x.bytes]));
  const series = new BlockSeries(readIndex(f.get(BlockFileName.Index)!));
  return new LoadedBlock(series, await readProfilesParquet(f.get(BlockFileName.Profiles)!), readSamples(f.get(BlockFileName.Samples)!, series.rowCount), readSymbols(f.get(BlockFileName.Symbols)!), "bench");
}

const ULIDS = ["01JDS00000000000000000000A", "01JDS00000000000000000000B", "01JDS00000000000000000000C", "01JDS00000000000000000000D"];

/** Bytes per sample after flush (one block per quarter of the rounds) and after compacting the four. */
function bytesPerSample(rounds: readonly Round[]): BenchResult[] {
  const quarter = Math.ceil(rounds.length / 4);
  const parts = [0, 1, 2, 3].map((i) => rounds.slice(i * quarter, (i + 1) * quarter)).filter((p) => p.length > 0);
  const heads = parts.map(headOf);
  const flushed = heads.map((h, i) => build(h, ULIDS[i]!));
  const samples = heads.reduce((n, h) => n + h.profiles.sampleCount, 0);
  const flushedBytes = flushed.reduce((n, b) => n + blockBytes(b), 0);
  const merged = mergeBlocks(heads);
  const compacted = build(merged.block, "01JDS00000000000000000000Z");
  const compactedBytes = blockBytes(compacted);
  const gz = rounds.reduce((n, r) => n + r.gzBytes, 0);
  const note = `${rounds.length} rounds of the corpus (values varied per round), ${samples} samples in ${flushed.length} blocks; baseline: the gzipped pprof sent for them; ${fileShares(flushed)}`;
  return [
    { name: "storage after flush vs gzipped pprof input", baseline: round(gz / samples), value: round(flushedBytes / samples), ratio: round(gz / flushedBytes), unit: "B/sample", note },
    { name: "storage after compaction vs gzipped pprof input", baseline: round(gz / samples), value: round(compactedBytes / samples), ratio: round(gz / compactedBytes), unit: "B/sample", note: `${merged.block.profiles.sampleOffsets[merged.block.profiles.count]} samples in one compacted block; ${fileShares([compacted])}` },
  ];
}

/**
 * End-to-end ingest (distributor: gunzip, decode, normalize; ingester: head) with
 * the WAL on, against the same pushes with the profiles kept in memory only.
 */
async function walIngest(rounds: readonly Round[]): Promise<BenchResult> {
  const run = async (wal: boolean): Promise<number> => {
    const dataPath = mkdtempSync(join(tmpdir(), "phlare-bench-wal-"));
    const ingester = benchIngester(dataPath, wal);
    const d = benchDistributor(ingester);
    try {
      const start = process.hrtime.bigint();
      // One client per corpus file, each pushing its rounds one after the other, all clients at once:
      // while one push waits for its fsync, the others decode (the WAL's group commit at work).
      await Promise.all(
        rounds[0]!.profiles.map(async (_, i) => {
          for (const r of rounds) {
            const p = r.profiles[i]!;
            await d.push("bench", { series: [{ labels: p.labels, samples: [{ rawProfile: p.raw!, id: "" }] }] });
          }
        }),
      );
      const ms = elapsedMs(start);
      await ingester.stop();
      return ms;
    } finally {
      rmSync(dataPath, { recursive: true, force: true });
    }
  };
  const gz = rounds.reduce((n, r) => n + r.gzBytes, 0);
  await run(false);
  const memMs = median([await run(false), await run(false), await run(false)]);
  const walMs = median([await run(true), await run(true), await run(true)]);
  return {
    name: "ingest e2e with the WAL (group commit + fsync) vs in memory only",
    baseline: round(gz / 1e6 / (memMs / 1e3)),
    value: round(gz / 1e6 / (walMs / 1e3)),
    ratio: round(memMs / walMs),
    unit: "MB/s gzipped",
    note: `distributor + ingester, ${rounds[0]!.profiles.length} concurrent clients × ${rounds.length} pushes each; median of 3; budget ≥ 0.8×`,
  };
}

/** mergeTree over a loaded block against the same data in the head. */
async function blockQuery(rounds: readonly Round[]): Promise<BenchResult> {
  const head = headOf(rounds);
  const block = await load(build(head, ULIDS[0]!));
  const q: SelectQuery = { profileType: parseProfileType("process_cpu:cpu:nanoseconds:cpu:nanoseconds"), matchers: [], startMs: 0, endMs: 1e13 };
  const readers = [new MemBlockReader(head), new MemBlockReader(block)];
  const times: number[][] = [[], []];
  // Alternate, after a warm-up of both: the merge code sees both shapes before anything is timed.
  for (let i = 0; i < 12; i++) {
    for (const k of [0, 1]) {
      const start = process.hrtime.bigint();
      await readers[k]!.mergeTree(q, new FunctionTree());
      if (i >= 5) times[k]!.push(elapsedMs(start));
    }
  }
  const headMs = median(times[0]!);
  const blockMs = median(times[1]!);
  return { name: "merge query over a loaded block vs over the head", baseline: round(headMs), value: round(blockMs), ratio: round(headMs / blockMs), unit: "ms", note: `${head.profiles.count} rows, ${head.profiles.sampleOffsets[head.profiles.count]} samples; the block decoded from its files beforehand; median of 7 after warming both` };
}

/** The longest the event loop waits while `work` runs, sampled by a 1 ms timer (ms). */
async function longestStallMs(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  try {
    await work();
    // One more tick, so that a stall at the very end is seen too.
    await new Promise((r) => setTimeout(r, 2));
  } finally {
    clearInterval(timer);
  }
  return longest;
}

/** The longest event-loop stall while a head is flushed into a block: encoding inline against on a block worker. */
async function flushStall(rounds: readonly Round[]): Promise<BenchResult> {
  const head = headOf(rounds);
  const origin = { ulid: ULIDS[0]!, source: "ingester" as const, labels: {}, compaction: { level: 1, sources: [], parents: [] } };
  const inline = new BlockWorkers(0);
  const worker = new BlockWorkers(1);
  try {
    await worker.encode(head, origin); // starts the worker and warms both paths
    await inline.encode(head, origin);
    const inlineMs: number[] = [];
    const workerMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      inlineMs.push(await longestStallMs(() => inline.encode(head, origin)));
      workerMs.push(await longestStallMs(() => worker.encode(head, origin)));
    }
    const a = median(inlineMs);
    const b = median(workerMs);
    return { name: "longest event-loop stall during a flush: block worker vs inline", baseline: round(a), value: round(b), ratio: round(a / b), unit: "ms", note: `${head.profiles.sampleOffsets[head.profiles.count]} samples in ${head.profiles.count} rows; median of 3; the worker path still copies the rows on the main thread` };
  } finally {
    await worker.close();
  }
}

/** Memory of an ingester's head per 1 000 active series (labels, postings, per-series state, one profile each). */
function seriesMemory(): BenchResult {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const head = new Head();
  const n = 20_000;
  const profile = normalizePprof(decodePprof(pushFiles()[0]!.raw), T0 * MS, { mergeSamples: false });
  for (let i = 0; i < n; i++) {
    head.ingest({ id: crypto.randomUUID(), labels: sortLabels([{ name: "__name__", value: "process_cpu" }, { name: "service_name", value: `svc-${i % 100}` }, { name: "pod", value: `pod-${i}` }, { name: "namespace", value: `ns-${i % 7}` }]), profile });
  }
  gc?.();
  const after = process.memoryUsage();
  const perThousandMB = (bytes: number): number => round((bytes / head.series.length) * 1000 / 1e6, 2);
  const live = perThousandMB(after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers));
  const rss = perThousandMB(after.rss - before.rss);
  return { name: "ingester RSS per 1 000 active series", baseline: null, value: rss, ratio: null, unit: "MB", note: `${head.series.length} series (${n} label sets × their sample types), one small CPU profile each; RSS growth while the head filled; live heap + array buffers ${live} MB${gc ? " after GC" : " (run with --expose-gc for GC'd figures)"}` };
}

/** Runs the storage benchmarks. */
export async function run(options: BenchOptions = { quick: false }): Promise<BenchResult[]> {
  // Memory first, before the other parts leave garbage that a later GC would subtract from it.
  const memory = seriesMemory();
  const rounds = corpusRounds(options.quick ? 8 : 40);
  return [...bytesPerSample(rounds), await walIngest(rounds.slice(0, options.quick ? 4 : 12)), await blockQuery(rounds), await flushStall(rounds), memory];
}

await printWhenMain(import.meta.url, run);
