/**
 * `npm run bench`: runs every benchmark module (each `*.bench.ts` under src/ and
 * bench/), prints one table, and writes bench/results/<timestamp>.json and
 * bench/results/latest.json. Every figure is measured against a baseline run in the
 * same process, so the ratios mean more than the absolute numbers on a shared box.
 *
 *   npm run bench -- [--quick] [--only <substring of the module path>]
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchOptions, BenchResult } from "./bench-result.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const RESULTS_DIR = join(ROOT, "bench", "results");
const USAGE = "usage: npm run bench -- [--quick] [--only <substring of the module path>]";

/** What run.ts was asked to do. */
interface RunArgs {
  options: BenchOptions;
  only: string | undefined;
}

function parseArgs(argv: readonly string[]): RunArgs {
  let quick = false;
  let only: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") quick = true;
    else if (a === "--only") {
      if (i + 1 >= argv.length) throw new Error(`--only needs a value\n${USAGE}`);
      only = argv[++i]!;
    }
    else if (a.startsWith("--only=")) only = a.slice("--only=".length);
    else throw new Error(`unknown argument ${JSON.stringify(a)}\n${USAGE}`);
  }
  return { options: { quick }, only };
}

/** Every *.bench.ts under src/ and bench/, as paths relative to the repository root, sorted. */
function findModules(): string[] {
  const out: string[] = [];
  for (const dir of ["src", "bench"]) {
    for (const entry of readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })) {
      if (entry.endsWith(".bench.ts") && !entry.split("/").includes("node_modules")) out.push(join(dir, entry));
    }
  }
  return out.sort();
}

function isResult(x: unknown): x is BenchResult {
  if (typeof x !== "object" || x === null) return false;
  const r = x as Record<string, unknown>;
  const numOrNull = (v: unknown): boolean => v === null || typeof v === "number";
  return typeof r["name"] === "string" && typeof r["value"] === "number" && typeof r["unit"] === "string" && numOrNull(r["baseline"]) && numOrNull(r["ratio"]);
}

async function runModule(path: string, options: BenchOptions): Promise<BenchResult[]> {
  const mod: unknown = await import(pathToFileURL(join(ROOT, path)).href);
  const run = typeof mod === "object" && mod !== null && "run" in mod ? mod.run : undefined;
  if (typeof run !== "function") throw new Error(`${path} does not export run()`);
  const results: unknown = await run(options);
  if (!Array.isArray(results) || !results.every(isResult)) throw new Error(`${path}: run() did not return BenchResult[]`);
  return results;
}

function fmt(x: number | null): string {
  if (x === null) return "skipped";
  return Math.abs(x) >= 1000 ? Math.round(x).toLocaleString("en-US") : String(x);
}

function printTable(results: readonly BenchResult[]): void {
  const rows = results.map((r) => [r.name, fmt(r.baseline), fmt(r.value), r.unit, r.ratio === null ? "-" : `${fmt(r.ratio)}×`]);
  const head = ["benchmark", "baseline", "ours", "unit", "ratio (>1: ours better)"];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, c) => (c === 0 || c === 3 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  console.log(`\n${line(head)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  results.forEach((r, i) => {
    console.log(line(rows[i]!));
    if (r.note !== undefined) console.log(`    ${r.note}`);
  });
}

/** Runs the selected modules and writes the results; resolves to the process exit code. */
async function main(): Promise<number> {
  const { options, only } = parseArgs(process.argv.slice(2));
  const startedAt = new Date().toISOString();
  const modules = findModules().filter((m) => only === undefined || m.includes(only));
  if (modules.length === 0) throw new Error(`no benchmark module matches --only ${JSON.stringify(only)}`);
  const results: BenchResult[] = [];
  const failed: string[] = [];
  for (const m of modules) {
    const start = process.hrtime.bigint();
    process.stdout.write(`${m} … `);
    try {
      const got = await runModule(m, options);
      results.push(...got);
      console.log(`${got.length} result(s) in ${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(1)} s`);
    } catch (err) {
      failed.push(m);
      console.log("failed");
      console.error(err);
    }
  }
  printTable(results);

  const cpu = cpus();
  const report = {
    machine: { cpus: cpu.length, cpuModel: cpu[0]?.model ?? "unknown", node: process.version, platform: `${process.platform}-${process.arch}` },
    startedAt,
    options: { quick: options.quick, only: only ?? null },
    results,
    failed,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  // Colons are left out of the file name: they are not portable.
  const file = join(RESULTS_DIR, `${startedAt.replace(/:/g, "-")}.json`);
  writeFileSync(file, json);
  writeFileSync(join(RESULTS_DIR, "latest.json"), json);
  console.log(`\nwrote ${relative(ROOT, file)} and bench/results/latest.json`);
  if (failed.length > 0) console.error(`failed: ${failed.join(", ")}`);
  return failed.length > 0 ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 2;
}
