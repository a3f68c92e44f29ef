/**
 * Finding and removing segment files in a WAL directory. Segments are numbered in the
 * order written; a file whose name is not a canonical segment name (`*.corrupt` copies,
 * stray files) is ignored and never deleted here.
 */
import { readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { parseSegmentFileName, segmentFileName } from "./segment-format.js";
import { syncDir } from "../durable-file.js";

/** Path of segment `seq` in `dir`. */
export function segmentPath(dir: string, seq: number): string {
  return join(dir, segmentFileName(seq));
}

/** Segment numbers present in `dir`, ascending; empty if `dir` does not exist. */
export async function listSegments(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new Error(`list wal segments in ${dir}`, { cause: err });
  }
  const seqs: number[] = [];
  for (const name of names) {
    const seq = parseSegmentFileName(name);
    if (seq !== null) seqs.push(seq);
  }
  return seqs.sort((a, b) => a - b);
}

/**
 * Deletes every segment numbered below `seq` (their records are durable elsewhere, e.g. in
 * a shipped block) and fsyncs the directory; returns the numbers deleted.
 *
 * It must never delete the segment an open writer appends to. The caller guarantees that
 * by passing a number returned by `WalWriter.cut()` (or `WalWriter.segment`): the writer's
 * current segment is always ≥ the number its latest cut returned, and segments only go up,
 * so `< seq` cannot reach it. `WalWriter.deleteSegmentsBefore` applies that bound itself.
 */
export async function deleteSegmentsBefore(dir: string, seq: number): Promise<number[]> {
  const deleted: number[] = [];
  for (const s of await listSegments(dir)) {
    if (s >= seq) break;
    try {
      await unlink(segmentPath(dir, s));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`delete wal segment ${segmentFileName(s)}`, { cause: err });
    }
    deleted.push(s);
  }
  // Without this, a crash could bring deleted segments back, and replay would apply their records twice.
  if (deleted.length > 0) await syncDir(dir);
  return deleted;
}
