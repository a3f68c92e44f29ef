/**
 * Start-up replay of a WAL directory: every valid record of every segment, in order.
 * Damage never stops start-up. A torn tail of the last segment (an interrupted write,
 * whose records were never acknowledged) is cut with a warning. Any other damage is
 * logged as an error, a copy of the file is kept as `<segment>.wal.corrupt[.N]`, and the
 * segment is cut where the damage starts, so that it still replays its valid prefix on
 * every later start and replay goes on with the next segment.
 */
import { constants, copyFile, open } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { CorruptionError } from "../../model/errors.js";
import type { Logger } from "../../server/logger.js";
import { listSegments, segmentPath } from "./segment-files.js";
import { segmentFileName } from "./segment-format.js";
import { scanSegment } from "./segment-reader.js";
import type { SegmentProblem, SegmentScan } from "./segment-reader.js";
import { syncDir, syncFile } from "../durable-file.js";

/** Where a record sits: its segment and the file offset of its frame. */
export interface RecordPosition {
  segment: number;
  offset: number;
}

/** Receives each replayed record (the caller owns it); may be async, and is awaited before the next. */
export type ReplayRecordFn = (record: Uint8Array, pos: RecordPosition) => void | Promise<void>;

/** What a replay did. */
export interface ReplayResult {
  /** Records delivered to the callback. */
  records: number;
  /** Payload bytes delivered. */
  payloadBytes: number;
  /** Segment files read. */
  segments: number;
  /** Bytes cut off the ends of damaged segments. */
  bytesCut: number;
  /** Every damage found, torn tails included, with file and offset. */
  problems: CorruptionError[];
  /** Segments damaged other than by a torn tail; a copy of each was kept as `.corrupt`. */
  corruptSegments: number[];
}

/**
 * Replays every segment in `dir` in order, calling `onRecord` for each valid record. Run it
 * before `WalWriter.open` on the same directory. Throws only for I/O errors, a segment of a
 * newer format version (a downgrade: guessing would lose data), or an error from `onRecord`.
 */
export async function replayWal(dir: string, onRecord: ReplayRecordFn, logger: Logger): Promise<ReplayResult> {
  const result: ReplayResult = { records: 0, payloadBytes: 0, segments: 0, bytesCut: 0, problems: [], corruptSegments: [] };
  const seqs = await listSegments(dir);
  for (let i = 0; i < seqs.length; i++) {
    const seq = seqs[i]!;
    const path = segmentPath(dir, seq);
    let scan: SegmentScan;
    try {
      scan = await scanSegment(path, seq, (record, offset) => onRecord(record, { segment: seq, offset }));
    } catch (err) {
      throw new Error(`replay wal segment ${segmentFileName(seq)}`, { cause: err });
    }
    result.segments++;
    result.records += scan.records;
    result.payloadBytes += scan.payloadBytes;
    if (scan.problem === null) continue;
    const isLast = i === seqs.length - 1;
    result.problems.push(new CorruptionError(path, scan.problem.offset, scan.problem.reason));
    result.bytesCut += scan.fileBytes - scan.validBytes;
    try {
      if (isLast && scan.problem.torn) await cutTornTail(path, scan, scan.problem, logger);
      else {
        await cutCorruptSegment(path, scan, scan.problem, isLast, logger);
        result.corruptSegments.push(seq);
      }
    } catch (err) {
      throw new Error(`repair wal segment ${segmentFileName(seq)}`, { cause: err });
    }
  }
  if (result.segments > 0) {
    logger.debug("wal replayed", { dir, segments: result.segments, records: result.records, bytes: result.payloadBytes, bytesCut: result.bytesCut });
  }
  return result;
}

async function truncateDurably(path: string, lengthBytes: number): Promise<void> {
  const fh = await open(path, "r+");
  try {
    await fh.truncate(lengthBytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The last segment ends in an interrupted write: its records were never acknowledged, so cutting loses nothing. */
async function cutTornTail(path: string, scan: SegmentScan, problem: SegmentProblem, logger: Logger): Promise<void> {
  await truncateDurably(path, scan.validBytes);
  logger.warn("wal: cut torn tail of last segment", cutFields(path, scan, problem));
}

function cutFields(path: string, scan: SegmentScan, problem: SegmentProblem): Record<string, unknown> {
  return { file: path, offset: problem.offset, reason: problem.reason, bytesCut: scan.fileBytes - scan.validBytes, recordsKept: scan.records };
}

/**
 * Damage no crash explains (bit rot, a bad disk, a foreign file): records after it may have
 * been acknowledged. Keep the evidence, then cut, so the valid prefix keeps replaying on
 * every later start instead of the whole file being set aside.
 */
async function cutCorruptSegment(path: string, scan: SegmentScan, problem: SegmentProblem, isLast: boolean, logger: Logger): Promise<void> {
  const keptAs = await keepCopy(path);
  // The copy must be durable before the cut, or a crash between them loses the bytes.
  await syncDir(dirname(path));
  await truncateDurably(path, scan.validBytes);
  logger.error("wal: corrupt segment; replayed up to the damage, kept a copy, cut the rest", {
    ...cutFields(path, scan, problem),
    validFrameAfterAt: problem.nextFrameOffset ?? undefined,
    lastSegment: isLast,
    keptAs: basename(keptAs),
  });
}

/** Copies `path` to the first free `<path>.corrupt`, `<path>.corrupt.1`, …, fsynced; returns the copy's path. */
async function keepCopy(path: string): Promise<string> {
  for (let n = 0; ; n++) {
    const target = n === 0 ? `${path}.corrupt` : `${path}.corrupt.${n}`;
    try {
      await copyFile(path, target, constants.COPYFILE_EXCL);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw err;
    }
    await syncFile(target);
    return target;
  }
}
