import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * The shape every benchmark module returns, and the small timing helpers the
 * end-to-end benchmarks in bench/ share. A module exports `run(options)`; modules
 * beside the hot code in src/ take no options and run at their own fixed size.
 */

/**
 * One measured figure against a baseline run in the same process. `ratio` is
 * oriented so that > 1 means ours is better: value / baseline for rates, baseline /
 * value for times. `baseline` and `ratio` are null when the baseline was skipped.
 */
export interface BenchResult {
  name: string;
  baseline: number | null;
  value: number;
  ratio: number | null;
  unit: string;
  note?: string;
}

/** Options run.ts passes to every module. */
export interface BenchOptions {
  /** A shorter run (smaller inputs, fewer rounds) for smoke checks; figures are noisier. */
  quick: boolean;
}

/** The full-length run. */
export function defaultBenchOptions(): BenchOptions {
  return { quick: false };
}

/** A benchmark module as run.ts loads it. */
export interface BenchModule {
  run: (options: BenchOptions) => Promise<BenchResult[]>;
}

/** Rounds to `digits` decimals. */
export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Milliseconds elapsed since `startNs` (from process.hrtime.bigint()). */
export function elapsedMs(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e6;
}

/** The median of `xs` (not modified). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Lets pending timers and I/O run between measured blocks. */
export function yieldToLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/** Whether the module at `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}

/** Runs a benchmark module's `run` and prints its results as JSON when the module is run directly. */
export async function printWhenMain(moduleUrl: string, run: (options: BenchOptions) => Promise<BenchResult[]>): Promise<void> {
  if (isMain(moduleUrl)) console.log(JSON.stringify(await run({ quick: process.argv.includes("--quick") }), null, 2));
}

/** A fresh temporary directory for a benchmark's data, removed when the process exits. */
export function benchDataPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "phlare-bench-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** MB/s of `pass` over `inputs` (`totalBytes` in all), running whole passes for at least `ms` milliseconds. */
export function measureMBps(pass: (inputs: Uint8Array[]) => void, inputs: Uint8Array[], totalBytes: number, ms: number): number {
  let passes = 0;
  const start = process.hrtime.bigint();
  let elapsedNs = 0n;
  const budgetNs = BigInt(ms) * 1_000_000n;
  while (elapsedNs < budgetNs) {
    pass(inputs);
    passes++;
    elapsedNs = process.hrtime.bigint() - start;
  }
  return (totalBytes * passes) / (Number(elapsedNs) / 1e9) / 1e6;
}
