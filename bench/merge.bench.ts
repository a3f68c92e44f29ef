/**
 * Query-side benchmarks over a realistic head: 100 series (10 services × 10
 * instances) of CPU profiles every 10 s, 36 000 profiles (1 h; 10 000 with --quick),
 * each a corpus CPU profile reduced to its cpu/nanoseconds type.
 *  (a) Ingester.mergeTree over the whole range, in samples merged per second, against
 *      a Map<stackId, value> merge of the same (stacktrace, value) samples;
 *  (b) query to flame graph (Querier.selectMergeTree + buildFlameGraph(…, 2048))
 *      against `go tool pprof -proto` merging the same profiles as .pb.gz files.
 * Run directly: node --import tsx bench/merge.bench.ts [--quick]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ingester } from "../src/ingester/ingester.js";
import { buildFlameGraph } from "../src/model/flamegraph/index.js";
import type { LabelPair } from "../src/model/labels.js";
import { parseProfileType } from "../src/model/profile-type.js";
import type { IngestProfile, SelectQuery } from "../src/model/query.js";
import { Querier } from "../src/querier/querier.js";
import { Head } from "../src/storage/head/head.js";
import { benchIngester } from "./bench-pipeline.js";
import { CPU_PROFILE_TYPE, cpuProfiles } from "./bench-profiles.js";
import type { CpuProfile } from "./bench-profiles.js";
import { benchDataPath, defaultBenchOptions, elapsedMs, median, round, yieldToLoop, printWhenMain } from "./bench-result.js";
import type { BenchOptions, BenchResult } from "./bench-result.js";
import { extrapolateMs, findGo, timeGoMerge } from "./go-pprof.js";
import type { GoMerge } from "./go-pprof.js";

const TENANT = "bench";
const SERIES = 100;
const SERVICES = 10;
const STEP_MS = 10_000;
const T0_MS = 1_700_000_000_000;
const MAX_NODES = 2048;
const WARMUP_CALLS = 3;

// Results are folded into this so that the baseline's work cannot be optimised away.
let sink = 0;

/** Profile i belongs to series i % SERIES; a series always carries the same base profile. */
function baseOf(i: number, bases: number): number {
  return (i % SERIES) % bases;
}

function seriesLabels(s: number): LabelPair[] {
  return [
    { name: "__name__", value: "process_cpu" },
    { name: "instance", value: `instance-${s}` },
    { name: "service_name", value: `service-${s % SERVICES}` },
  ];
}

/** An ingester holding `n` profiles: one per series every 10 s, in time order. */
async function fillIngester(bases: readonly CpuProfile[], n: number): Promise<Ingester> {
  const ingester = benchIngester(benchDataPath(), false);
  const labels = Array.from({ length: SERIES }, (_, s) => seriesLabels(s));
  for (let first = 0; first < n; first += SERIES) {
    const batch: IngestProfile[] = [];
    for (let i = first; i < Math.min(n, first + SERIES); i++) {
      const timeNanos = BigInt(T0_MS + Math.floor(i / SERIES) * STEP_MS) * 1_000_000n;
      batch.push({ id: `p${i}`, labels: labels[i % SERIES]!, profile: { ...bases[baseOf(i, bases.length)]!.profile, timeNanos } });
    }
    await ingester.push(TENANT, batch);
  }
  return ingester;
}

/**
 * Each base's samples as the head stores them (one pair per stacktrace with a non-zero
 * value), read from a scratch head holding one row per base. Stacktrace ids are the
 * scratch head's, which dedups by content exactly as the ingester's head does.
 */
function baseSamples(bases: readonly CpuProfile[]): Array<{ stacks: Uint32Array; values: Float64Array; total: number }> {
  const head = new Head();
  bases.forEach((b, i) => head.ingest({ id: `base${i}`, labels: seriesLabels(i), profile: b.profile }));
  const p = head.profiles;
  if (p.count !== bases.length) throw new Error(`scratch head has ${p.count} rows for ${bases.length} base profiles`);
  return bases.map((_, r) => {
    const from = p.sampleOffsets[r]!;
    const to = p.sampleOffsets[r + 1]!;
    return { stacks: p.stacks.slice(from, to), values: p.values.slice(from, to), total: p.total[r]! };
  });
}

/** The straightforward merge: one Map entry per stacktrace, updated per sample. */
function mapMerge(samples: ReturnType<typeof baseSamples>, n: number): number {
  const m = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const { stacks, values } = samples[baseOf(i, samples.length)]!;
    for (let j = 0; j < stacks.length; j++) m.set(stacks[j]!, (m.get(stacks[j]!) ?? 0) + values[j]!);
  }
  let total = 0;
  for (const v of m.values()) total += v;
  return total;
}

function checkTotal(what: string, got: number, want: number): void {
  if (Math.abs(got - want) > Math.abs(want) * 1e-9) throw new Error(`${what}: merged total ${got}, expected ${want}`);
}

/** Median wall time of `runs` calls of `fn`, after WARMUP_CALLS untimed calls. */
async function medianMs(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  for (let w = 0; w < WARMUP_CALLS; w++) await fn();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    await yieldToLoop();
    const start = process.hrtime.bigint();
    await fn();
    times.push(elapsedMs(start));
  }
  return median(times);
}

/** Runs (a) and (b); see the file comment. */
export async function run(options: BenchOptions = defaultBenchOptions()): Promise<BenchResult[]> {
  const n = options.quick ? 10_000 : 36_000;
  const runs = options.quick ? 3 : 7;
  const goCounts: [number, number] = options.quick ? [50, 150] : [200, 1000];
  const bases = cpuProfiles();
  const samples = baseSamples(bases);
  let sampleCount = 0;
  let expectedTotal = 0;
  for (let i = 0; i < n; i++) {
    const s = samples[baseOf(i, samples.length)]!;
    sampleCount += s.stacks.length;
    expectedTotal += s.total;
  }

  const ingestStart = process.hrtime.bigint();
  const ingester = await fillIngester(bases, n);
  const ingestMs = elapsedMs(ingestStart);
  const q: SelectQuery = {
    profileType: parseProfileType(CPU_PROFILE_TYPE),
    matchers: [],
    startMs: T0_MS,
    endMs: T0_MS + Math.ceil(n / SERIES) * STEP_MS,
  };

  // (a) mergeTree against the Map merge, after checking both sum to the expected total.
  const tree = await ingester.mergeTree(TENANT, q);
  tree.computeTotals();
  checkTotal("Ingester.mergeTree", tree.total[0]!, expectedTotal);
  checkTotal("Map merge", mapMerge(samples, n), expectedTotal);
  const mergeMs = await medianMs(runs, async () => {
    const t = await ingester.mergeTree(TENANT, q);
    sink += t.nodeCount;
  });
  const mapMs = await medianMs(runs, () => {
    sink += mapMerge(samples, n);
  });

  // (b) query to flame graph.
  const querier = new Querier({ ingesters: () => [ingester], storeGateways: () => [] });
  let fgNames = 0;
  const flameMs = await medianMs(runs, async () => {
    const fg = buildFlameGraph(await querier.selectMergeTree(TENANT, q), MAX_NODES);
    fgNames = fg.names.length;
    sink += fg.levels.length;
  });
  if (sink === -1) console.log(sink);

  const samplesNote =
    `${round(sampleCount / 1e6, 2)} M samples in ${n} profiles (${SERIES} series × ${Math.ceil(n / SERIES)} at 10 s, ` +
    `${bases.length} corpus CPU profiles); median of ${runs}; head filled in ${round(ingestMs / 1e3, 1)} s`;
  const results: BenchResult[] = [
    {
      name: `merge: Ingester.mergeTree over ${n} profiles vs Map<stackId, value>`,
      baseline: round(sampleCount / (mapMs / 1e3) / 1e6),
      value: round(sampleCount / (mergeMs / 1e3) / 1e6),
      ratio: round(mapMs / mergeMs),
      unit: "M samples/s",
      note: samplesNote,
    },
  ];
  const flameName = `flame graph: ${n} profiles, query + buildFlameGraph(${MAX_NODES}) vs go tool pprof -proto`;
  const flameNote = `ours ${round(flameMs)} ms (median of ${runs}, ${fgNames} names); `;
  const go = findGo();
  if (go === undefined) {
    results.push({ name: flameName, baseline: null, value: round(flameMs), ratio: null, unit: "ms", note: `${flameNote}go skipped: go not found on PATH` });
    return results;
  }
  let merges: [GoMerge, GoMerge];
  try {
    merges = goMerges(go, bases, goCounts, samples);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    results.push({ name: flameName, baseline: null, value: round(flameMs), ratio: null, unit: "ms", note: `${flameNote}go skipped: ${reason}` });
    return results;
  }
  const goMs = extrapolateMs(merges[0], merges[1], n);
  const [small, large] = merges;
  results.push({
    name: flameName,
    baseline: round(goMs),
    value: round(flameMs),
    ratio: round(goMs / flameMs),
    unit: "ms",
    note:
      flameNote +
      `go (GOMAXPROCS=1) measured ${round(small.ms)} ms for ${small.files} files and ${round(large.ms)} ms for ${large.files}, ` +
      (n > large.files ? `extrapolated linearly to ${n}` : "measured on all files") +
      `; ratio = go ms / ours ms`,
  });
  return results;
}

/**
 * Writes the first max(counts) profiles as .pb.gz files (the bytes our head decoded;
 * only the time_nanos our ingest assigns differ) and times go merging the first
 * counts[0] and counts[1] of them, checking each merged total.
 */
function goMerges(go: string, bases: readonly CpuProfile[], counts: [number, number], samples: ReturnType<typeof baseSamples>): [GoMerge, GoMerge] {
  const dir = mkdtempSync(join(tmpdir(), "phlare-bench-"));
  try {
    const files: string[] = [];
    for (let i = 0; i < Math.max(...counts); i++) {
      const file = `p${i}.pb.gz`;
      writeFileSync(join(dir, file), bases[baseOf(i, bases.length)]!.gz);
      files.push(file);
    }
    const merge = (count: number): GoMerge => {
      const m = timeGoMerge(go, dir, files.slice(0, count), 1);
      let want = 0;
      for (let i = 0; i < count; i++) want += samples[baseOf(i, samples.length)]!.total;
      checkTotal(`go tool pprof on ${count} files`, m.mergedTotal, want);
      return m;
    };
    return [merge(counts[0]), merge(counts[1])];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await printWhenMain(import.meta.url, run);
