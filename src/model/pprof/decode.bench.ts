/**
 * Decode throughput over the real corpus: our decodePprof against pprof-format's
 * Profile.decode on the same (already gunzipped) bytes, in the same process.
 * Run directly: node --import tsx src/model/pprof/decode.bench.ts
 */
import { Profile } from "pprof-format";
import { decodePprof } from "./decode.js";
import { validCorpus } from "./test-corpus.js";
import { measureMBps as measure, printWhenMain, round } from "../../../bench/bench-result.js";

/** One benchmark result; value and baseline in `unit`, ratio = value / baseline. */
export interface BenchResult {
  name: string;
  baseline: number;
  value: number;
  ratio: number;
  unit: string;
}

const WARMUP_MS = 500;
const MEASURE_MS = 1000;
const ROUNDS = 3;

// Results are folded into this so that the work cannot be optimised away.
let sink = 0;

function passOurs(inputs: Uint8Array[]): void {
  for (const b of inputs) sink += decodePprof(b).sampleCount;
}

function passBaseline(inputs: Uint8Array[]): void {
  for (const b of inputs) sink += Profile.decode(b).sample.length;
}


/** Runs the benchmark and returns one result row (MB/s of raw protobuf). */
export async function run(): Promise<BenchResult[]> {
  const inputs = validCorpus().map((f) => f.raw);
  const totalBytes = inputs.reduce((n, b) => n + b.length, 0);

  measure(passBaseline, inputs, totalBytes, WARMUP_MS);
  measure(passOurs, inputs, totalBytes, WARMUP_MS);

  // Alternating rounds, best of each, to damp GC and frequency noise.
  let baseline = 0;
  let value = 0;
  for (let round = 0; round < ROUNDS; round++) {
    baseline = Math.max(baseline, measure(passBaseline, inputs, totalBytes, MEASURE_MS));
    value = Math.max(value, measure(passOurs, inputs, totalBytes, MEASURE_MS));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (sink === -1) console.log(sink);
  return [
    {
      name: "pprof decode (corpus, raw protobuf) vs pprof-format",
      baseline: round(baseline),
      value: round(value),
      ratio: round(value / baseline),
      unit: "MB/s",
    },
  ];
}


await printWhenMain(import.meta.url, run);
