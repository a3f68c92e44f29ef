/**
 * The `go tool pprof` baseline: merging gzipped pprof files with `-proto`, timed as
 * the wall time of the whole process (start-up, reading, gunzip, parse, merge,
 * writing the merged profile). Go's merge cost grows linearly with the file count,
 * so when only part of the files are merged the time for all of them is extrapolated
 * from two measured counts (see extrapolateMs).
 */
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { decodePprof, isGzip } from "../src/model/pprof/index.js";

/** Path of the `go` command, or undefined when it is not installed. */
export function findGo(): string | undefined {
  const r = spawnSync("sh", ["-c", "command -v go"], { encoding: "utf8" });
  const path = r.status === 0 ? r.stdout.trim() : "";
  return path === "" ? undefined : path;
}

/** One timed merge. */
export interface GoMerge {
  files: number;
  ms: number;
  /** Sum of all sample values of the merged profile, to check that go merged everything. */
  mergedTotal: number;
}

/**
 * Runs `go tool pprof -proto f1 … fn > merged.pb.gz` in `dir` with GOMAXPROCS=`procs`
 * and returns its wall time. File names are relative to `dir` to keep the command
 * line short (36 000 names fit well under ARG_MAX).
 */
export function timeGoMerge(go: string, dir: string, files: readonly string[], procs: number): GoMerge {
  const outPath = join(dir, "merged.pb.gz");
  const fd = openSync(outPath, "w");
  const env = { ...process.env, GOMAXPROCS: String(procs), HOME: process.env["HOME"] ?? dir };
  let r: ReturnType<typeof spawnSync>;
  const start = process.hrtime.bigint();
  try {
    r = spawnSync(go, ["tool", "pprof", "-proto", ...files], { cwd: dir, env, stdio: ["ignore", fd, "pipe"], maxBuffer: 64 << 20 });
  } finally {
    closeSync(fd);
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error !== undefined) throw new Error("run go tool pprof", { cause: r.error });
  if (r.status !== 0) {
    const stderr = String(r.stderr ?? "").trim().split("\n").slice(-3).join(" | ");
    throw new Error(`go tool pprof -proto exited with ${r.status}: ${stderr}`);
  }
  const bytes = new Uint8Array(readFileSync(outPath));
  const p = decodePprof(isGzip(bytes) ? new Uint8Array(gunzipSync(bytes)) : bytes);
  let mergedTotal = 0;
  for (let i = 0; i < p.values.length; i++) mergedTotal += p.values[i]!;
  return { files: files.length, ms, mergedTotal };
}

/**
 * Time for `n` files from two merges of different sizes, on the line through both
 * (fixed start-up cost plus a per-file cost). Falls back to scaling the larger merge
 * when noise makes the slope non-positive.
 */
export function extrapolateMs(small: GoMerge, large: GoMerge, n: number): number {
  if (n <= large.files) return large.ms;
  const perFile = (large.ms - small.ms) / (large.files - small.files);
  if (!(perFile > 0)) return (large.ms * n) / large.files;
  return large.ms + perFile * (n - large.files);
}
