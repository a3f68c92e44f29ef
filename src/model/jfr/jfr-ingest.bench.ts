/**
 * JFR conversion throughput over testdata/jfr (MB/s of gunzipped recording): parseJfrIngest
 * against the naive object-per-value decoder of test-jfr-scan.ts, which only decodes and
 * builds no profile, on the same bytes in the same process.
 * Run directly: node --import tsx src/model/jfr/jfr-ingest.bench.ts
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { measureMBps as measure, printWhenMain, round } from "../../../bench/bench-result.js";
import type { BenchOptions, BenchResult } from "../../../bench/bench-result.js";
import { testdataDir } from "../pprof/test-corpus.js";
import { parseJfrIngest } from "./jfr-ingest.js";
import { scanJfr } from "./test-jfr-scan.js";

// Results are folded into this so that the work cannot be optimised away.
let sink = 0;

function passOurs(inputs: Uint8Array[]): void {
  for (const b of inputs) sink += parseJfrIngest(b, undefined, { maxBytes: 1 << 30 }).length;
}

function passBaseline(inputs: Uint8Array[]): void {
  for (const b of inputs) sink += scanJfr(b).length;
}


/** Runs the benchmark and returns one result row. */
export async function run(options: BenchOptions = { quick: false }): Promise<BenchResult[]> {
  const dir = join(testdataDir, "jfr");
  const inputs = readdirSync(dir)
    .sort()
    .map((f) => new Uint8Array(gunzipSync(readFileSync(join(dir, f)))));
  const totalBytes = inputs.reduce((n, b) => n + b.length, 0);
  const ms = options.quick ? 200 : 1000;
  measure(passBaseline, inputs, totalBytes, ms / 2);
  measure(passOurs, inputs, totalBytes, ms / 2);
  let baseline = 0;
  let value = 0;
  // Alternating rounds, best of each, to damp GC and frequency noise.
  for (let i = 0; i < 3; i++) {
    baseline = Math.max(baseline, measure(passBaseline, inputs, totalBytes, ms));
    value = Math.max(value, measure(passOurs, inputs, totalBytes, ms));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (sink === -1) console.log(sink);
  return [{ name: "jfr ingest (testdata/jfr, gunzipped) vs naive decode", baseline: round(baseline), value: round(value), ratio: round(value / baseline), unit: "MB/s" }];
}

await printWhenMain(import.meta.url, run);
