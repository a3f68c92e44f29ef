/**
 * Reads one segment file frame by frame and reports where its valid prefix ends. It
 * never throws on damaged bytes: the first bad header or frame becomes a SegmentProblem
 * (offset + reason), and replay decides whether to cut a torn tail or keep a copy.
 * The only error thrown for content is a header from a newer format version.
 */
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import { basename } from "node:path";
import { crc32cRange } from "../encoding/crc32c.js";
import {
  FORMAT_VERSION,
  FRAME_HEADER_BYTES,
  SEGMENT_HEADER_BYTES,
  checkSegmentHeader,
  frameChecksum,
  frameSeed,
} from "./segment-format.js";

/** The first damaged spot in a segment. */
export interface SegmentProblem {
  /** File offset where the damage starts; everything before it is valid. */
  offset: number;
  /** What was wrong, for the log line. */
  reason: string;
  /**
   * True when the damage can be an interrupted write: a partial header, or a bad frame with
   * no complete valid frame after it. False for a bad full header and for damage followed by
   * valid data, which no crash produces.
   */
  torn: boolean;
  /** Offset of the first complete, valid frame after `offset`, or null if there is none. */
  nextFrameOffset: number | null;
}

/** What scanning a segment found. */
export interface SegmentScan {
  /** Records delivered. */
  records: number;
  /** Payload bytes delivered. */
  payloadBytes: number;
  /** End of the valid prefix: where a cut would go. 0 for an empty file or a bad header. */
  validBytes: number;
  /** Size of the file when scanned. */
  fileBytes: number;
  /** The first damage, or null if every byte is valid. */
  problem: SegmentProblem | null;
}

/** Receives each valid record (its own copy) and the file offset of its frame. */
export type SegmentRecordFn = (record: Uint8Array, offset: number) => void | Promise<void>;

// Big enough that a segment of small records takes few reads, small enough to be cheap per
// segment; a frame larger than this gets a window of its own size.
const WINDOW_BYTES = 1 << 20;

/** A moving read window over a file, so frames are parsed from memory, not one read each. */
class FileWindow {
  buf = new Uint8Array(0);
  /** File offset of buf[0]. */
  start = 0;
  /** Valid bytes in buf. */
  filled = 0;

  constructor(
    private readonly fh: FileHandle,
    readonly fileBytes: number,
  ) {}

  /** Makes file bytes [pos, pos + n) available; returns the index of `pos` in buf. The caller checks n fits the file. */
  async load(pos: number, n: number): Promise<number> {
    if (pos >= this.start && pos + n <= this.start + this.filled) return pos - this.start;
    const want = Math.min(Math.max(n, WINDOW_BYTES), this.fileBytes - pos);
    if (this.buf.length < want) this.buf = new Uint8Array(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.fh.read(this.buf, got, want - got, pos + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got < n) throw new Error(`file shrank while reading: wanted ${n} bytes at ${pos}, got ${got}`);
    this.start = pos;
    this.filled = got;
    return 0;
  }
}

/**
 * Reads segment `seq` at `path`, calling `onRecord` for each valid record in order, up to
 * the first damage. Throws only for I/O errors, a newer format version, or an error from
 * `onRecord`.
 */
export async function scanSegment(path: string, seq: number, onRecord: SegmentRecordFn): Promise<SegmentScan> {
  const fh = await open(path, "r");
  try {
    const fileBytes = (await fh.stat()).size;
    const win = new FileWindow(fh, fileBytes);
    const scan: SegmentScan = { records: 0, payloadBytes: 0, validBytes: 0, fileBytes, problem: null };
    // A zero-length file is an empty segment; nothing was ever acknowledged from it.
    if (fileBytes === 0) return scan;
    const seed = frameSeed(seq);
    if (fileBytes < SEGMENT_HEADER_BYTES) {
      scan.problem = { offset: 0, reason: `partial header: ${fileBytes} of ${SEGMENT_HEADER_BYTES} bytes`, torn: true, nextFrameOffset: null };
      return scan;
    }
    const h = await win.load(0, SEGMENT_HEADER_BYTES);
    const header = checkSegmentHeader(win.buf.subarray(h, h + SEGMENT_HEADER_BYTES), seq);
    if (header.kind === "unsupported") {
      throw new Error(`wal segment ${basename(path)} has format version ${header.version}; this build reads version ${FORMAT_VERSION}`);
    }
    if (header.kind === "corrupt") {
      const next = await findNextFrame(win, 0, seed);
      scan.problem = { offset: 0, reason: header.reason, torn: false, nextFrameOffset: next };
      return scan;
    }
    let pos = SEGMENT_HEADER_BYTES;
    scan.validBytes = pos;
    while (pos < fileBytes) {
      const reason = await checkFrame(win, pos, seed);
      if (reason !== null) {
        const next = await findNextFrame(win, pos, seed);
        scan.problem = { offset: pos, reason, torn: next === null, nextFrameOffset: next };
        return scan;
      }
      const i = pos - win.start;
      const length = readU32(win.buf, i);
      // A copy: the window is reused, and callers may keep records.
      const record = win.buf.slice(i + FRAME_HEADER_BYTES, i + FRAME_HEADER_BYTES + length);
      await onRecord(record, pos);
      scan.records++;
      scan.payloadBytes += length;
      pos += FRAME_HEADER_BYTES + length;
      scan.validBytes = pos;
    }
    return scan;
  } finally {
    await fh.close();
  }
}

function readU32(buf: Uint8Array, i: number): number {
  return (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24)) >>> 0;
}

/**
 * Checks the frame at file offset `pos`; on success the whole frame is loaded in the
 * window. Returns why it is bad, or null.
 */
async function checkFrame(win: FileWindow, pos: number, seed: number): Promise<string | null> {
  const left = win.fileBytes - pos;
  if (left < FRAME_HEADER_BYTES) return `partial frame header: ${left} of ${FRAME_HEADER_BYTES} bytes`;
  let i = await win.load(pos, FRAME_HEADER_BYTES);
  const length = readU32(win.buf, i);
  const payloadCrc = readU32(win.buf, i + 4);
  const frameCrc = readU32(win.buf, i + 8);
  const want = frameChecksum(win.buf, i, seed);
  if (frameCrc !== want) {
    // Zero-filled space is what a crash after the size grew but before the data landed leaves.
    const zeros = length === 0 && payloadCrc === 0 && frameCrc === 0;
    return zeros ? "zero-filled frame header" : `frame checksum 0x${frameCrc.toString(16)} does not match 0x${want.toString(16)} (length field ${length})`;
  }
  // Writers never frame an empty record, so a zero length cannot be a real frame even with a matching checksum.
  if (length === 0) return "frame with zero length";
  if (length > left - FRAME_HEADER_BYTES) return `record length ${length} runs past the end of the file (${left - FRAME_HEADER_BYTES} bytes left)`;
  i = await win.load(pos, FRAME_HEADER_BYTES + length);
  const got = crc32cRange(win.buf, i + FRAME_HEADER_BYTES, i + FRAME_HEADER_BYTES + length);
  if (got !== payloadCrc) return `payload checksum 0x${got.toString(16)} does not match 0x${payloadCrc.toString(16)} (${length} bytes)`;
  return null;
}

/**
 * Offset of the first complete, valid frame that starts after `from`, or null. Tells a torn
 * tail (nothing valid follows) from damage in the middle (acknowledged records follow and
 * would be lost by a cut), so the log line can say which.
 */
async function findNextFrame(win: FileWindow, from: number, seed: number): Promise<number | null> {
  // The last offset where a non-empty frame still fits in the file.
  const lastStart = win.fileBytes - FRAME_HEADER_BYTES - 1;
  let pos = from + 1;
  while (pos <= lastStart) {
    const i = await win.load(pos, Math.min(win.fileBytes - pos, WINDOW_BYTES));
    const base = win.start;
    const end = Math.min(win.filled - FRAME_HEADER_BYTES, lastStart - base);
    let candidate = -1;
    for (let j = i; j <= end; j++) {
      const length = readU32(win.buf, j);
      // Cheap filters first: at most positions the length cannot fit in the file.
      if (length === 0 || length > win.fileBytes - (base + j) - FRAME_HEADER_BYTES) continue;
      if (readU32(win.buf, j + 8) !== frameChecksum(win.buf, j, seed)) continue;
      candidate = base + j;
      break;
    }
    if (candidate < 0) {
      pos = base + end + 1;
      continue;
    }
    if ((await checkFrame(win, candidate, seed)) === null) return candidate;
    pos = candidate + 1;
  }
  return null;
}
