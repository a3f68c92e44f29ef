/**
 * /ingest throughput per body format on one core: the request body parsed and
 * converted (pprof, multipart pprof, folded, trie, tree, speedscope, JFR) and pushed
 * through a real Distributor into a real Ingester, as the HTTP route does. The
 * baseline, in the same run, pushes the same profiles as gzipped pprof through the
 * distributor (the Push RPC's path), so the ratio says what the format costs over
 * plain pprof. Each round moves `from` 10 s later so that no push is out of order.
 * Run directly: node --import tsx bench/ingest-http.bench.ts [--quick]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { PushSeries } from "../src/distributor/api.js";
import type { Distributor } from "../src/distributor/distributor.js";
import { ingestSeries, parseIngestParams } from "../src/distributor/ingest-http.js";
import { encodeTree, encodeTrie } from "../src/model/og/test-og.js";
import { decodePprof } from "../src/model/pprof/index.js";
import type { FlatProfile } from "../src/model/pprof/flat-profile.js";
import { testdataDir } from "../src/model/pprof/test-corpus.js";
import { benchDistributor, benchIngester } from "./bench-pipeline.js";
import { benchDataPath, defaultBenchOptions, elapsedMs, printWhenMain, round, yieldToLoop } from "./bench-result.js";
import type { BenchOptions, BenchResult } from "./bench-result.js";
import { gzipWithTime } from "./bench-profiles.js";

const T0_S = 1_700_000_000;
const STEP_S = 10;
const WARMUP = 20;

interface Case {
  name: string;
  query: string;
  contentType: string;
  body: Uint8Array;
}

/** Folded stacks (root first) and values of a profile's first sample type. */
function stacksOf(p: FlatProfile): Array<[string[], number]> {
  const fnOfLoc = (l: number): string => p.strings[p.functionName[p.lineFunction[p.lineOffsets[l + 1]! - 1]!]!] ?? "?";
  const out: Array<[string[], number]> = [];
  for (let s = 0; s < p.sampleCount; s++) {
    const frames: string[] = [];
    for (let i = p.locOffsets[s + 1]! - 1; i >= p.locOffsets[s]!; i--) frames.push(fnOfLoc(p.locs[i]!));
    const v = p.values[s * p.valuesPerSample]!;
    if (v > 0 && frames.length > 0) out.push([frames, v]);
  }
  return out;
}

function multipart(parts: Array<[string, Uint8Array]>): { body: Uint8Array; contentType: string } {
  const boundary = "----phlare-bench";
  const chunks: Buffer[] = [];
  for (const [name, body] of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}"\r\n\r\n`), Buffer.from(body), Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

function plain(b: Uint8Array): Uint8Array {
  return b[0] === 0x1f && b[1] === 0x8b ? new Uint8Array(gunzipSync(b)) : b;
}

function cases(): Case[] {
  const read = (...p: string[]): Uint8Array => new Uint8Array(readFileSync(join(testdataDir, ...p)));
  // Time 0 in every pprof body: the request's `from` stamps it, so one body serves every round.
  const wall = gzipWithTime(plain(read("captures", "nodejs-0.6.4-wall.pprof.gz")), 0n);
  const goroutines = multipart([["profile", gzipWithTime(plain(read("pprof", "og_convert_pprof_req_2.pprof")), 0n)], ["sample_type_config", read("pprof", "og_convert_pprof_req_2.st.json")]]);
  const goCpu = decodePprof(plain(read("pprof", "og_convert_cpu.pprof")));
  const stacks = stacksOf(goCpu);
  const folded = stacks.map(([f, v]) => `${f.join(";")} ${v}`).join("\n") + "\n";
  const frames: Array<{ name: string }> = [];
  const frameIds = new Map<string, number>();
  const id = (name: string): number => {
    let i = frameIds.get(name);
    if (i === undefined) frameIds.set(name, (i = frames.push({ name }) - 1));
    return i;
  };
  const samples = stacks.map(([f]) => f.map(id));
  const speedscope = JSON.stringify({
    $schema: "https://www.speedscope.app/file-format-schema.json",
    shared: { frames },
    profiles: [{ type: "sampled", name: "cpu", unit: "none", startValue: 0, endValue: stacks.length, samples, weights: stacks.map(([, v]) => v) }],
  });
  return [
    { name: "pprof, raw gzipped (@pyroscope/nodejs 0.6.4 wall)", query: "name=b-pprof.wall&format=pprof&spyName=nodespy&sampleRate=100", contentType: "application/octet-stream", body: wall },
    { name: "pprof, multipart + sample_type_config (Go goroutines)", query: "name=b-form&spyName=gospy", contentType: goroutines.contentType, body: goroutines.body },
    { name: "folded text (Go CPU stacks)", query: "name=b-folded.cpu&sampleRate=100", contentType: "binary/octet-stream", body: new TextEncoder().encode(folded) },
    { name: "OG trie (Go CPU stacks)", query: "name=b-trie.cpu&format=trie&sampleRate=100", contentType: "binary/octet-stream+trie", body: encodeTrie(stacks.map(([f, v]) => [f.join(";"), v] as const)) },
    { name: "OG tree (Go CPU stacks)", query: "name=b-tree.cpu&format=tree&sampleRate=100", contentType: "binary/octet-stream+tree", body: encodeTree(stacks) },
    { name: "speedscope (Go CPU stacks)", query: "name=b-speedscope.cpu&format=speedscope&sampleRate=100", contentType: "application/json", body: new TextEncoder().encode(speedscope) },
    { name: "JFR (dump2: cpu, wall, alloc, live)", query: "name=b-jfr&format=jfr&spyName=javaspy&sampleRate=100", contentType: "application/octet-stream", body: read("jfr", "dump2.jfr.gz") },
  ];
}

/** Pushes the case `rounds` times through /ingest's conversion; returns ms and profiles pushed. */
async function runIngest(d: Distributor, c: Case, firstRound: number, rounds: number): Promise<{ ms: number; profiles: number }> {
  let profiles = 0;
  const start = process.hrtime.bigint();
  for (let r = firstRound; r < firstRound + rounds; r++) {
    const from = T0_S + r * STEP_S;
    const params = parseIngestParams(new URLSearchParams(`${c.query}&from=${from}&until=${from + STEP_S}`), from * 1000);
    const series = await ingestSeries(params, c.contentType, c.body, d);
    await d.push("bench", { series });
    profiles += series.length;
  }
  return { ms: elapsedMs(start), profiles };
}

/** The same profiles as gzipped pprof with rising times, one round per element. */
function pprofRounds(sample: PushSeries[], firstRound: number, rounds: number): PushSeries[][] {
  const out: PushSeries[][] = [];
  for (let r = firstRound; r < firstRound + rounds; r++) {
    const t = BigInt(T0_S + r * STEP_S) * 1_000_000_000n;
    out.push(sample.map((s) => ({ labels: s.labels.map((l) => (l.name === "service_name" ? { ...l, value: `${l.value}-pprof` } : l)), samples: [{ rawProfile: gzipWithTime(plain(s.samples[0]!.rawProfile), t), id: "" }] })));
  }
  return out;
}

async function runPush(d: Distributor, rounds: PushSeries[][]): Promise<number> {
  const start = process.hrtime.bigint();
  for (const series of rounds) await d.push("bench", { series });
  return elapsedMs(start);
}

/** Runs the benchmark: profiles/s per format against pushing the same profiles as gzipped pprof. */
export async function run(options: BenchOptions = defaultBenchOptions()): Promise<BenchResult[]> {
  const targetMs = options.quick ? 300 : 1500;
  const d = benchDistributor(benchIngester(benchDataPath(), false));
  const results: BenchResult[] = [];
  for (const c of cases()) {
    // A dry round sizes the run and yields the profiles the baseline pushes.
    const params = parseIngestParams(new URLSearchParams(`${c.query}&from=${T0_S}&until=${T0_S + STEP_S}`), T0_S * 1000);
    const sample = await ingestSeries(params, c.contentType, c.body, d);
    if (sample.length === 0) throw new Error(`${c.name}: the body produced no profile`);
    // Both paths warm up on WARMUP rounds first: the JIT otherwise dominates small bodies.
    const warm = await runIngest(d, c, 1, WARMUP);
    const rounds = Math.max(3, Math.ceil(targetMs / Math.max(0.01, warm.ms / WARMUP)));
    const baselineRounds = pprofRounds(sample, 0, rounds + WARMUP);
    await runPush(d, baselineRounds.slice(0, WARMUP));
    await yieldToLoop();
    const ours = await runIngest(d, c, 1 + WARMUP, rounds);
    await yieldToLoop();
    const baseMs = await runPush(d, baselineRounds.slice(WARMUP));
    const oursPps = ours.profiles / (ours.ms / 1e3);
    const basePps = (sample.length * rounds) / (baseMs / 1e3);
    results.push({
      name: `/ingest ${c.name} vs the same profiles pushed as gzipped pprof`,
      baseline: round(basePps),
      value: round(oursPps),
      ratio: round(oursPps / basePps),
      unit: "profiles/s",
      note: `${round((c.body.byteLength * rounds) / 1e6 / (ours.ms / 1e3))} MB/s of request body (${c.body.byteLength} B per request, ${sample.length} profile(s) each); ${rounds} rounds, one core`,
    });
  }
  return results;
}

await printWhenMain(import.meta.url, run);
