/**
 * The byte layout of a WAL segment file (docs/format/wal.md is the spec):
 *
 *   header  magic "PWAL" <4> │ version <1> │ reserved <3> │ seq u32 LE <4> │ header_crc <4>   (16 bytes)
 *   frame   length u32 LE <4> │ payload_crc <4> │ frame_crc <4> │ payload <length>          (repeated)
 *
 * header_crc = CRC-32C(header bytes 0..11); payload_crc = CRC-32C(payload);
 * frame_crc = CRC-32C(seq u32 LE ‖ frame bytes 0..7). Records are opaque bytes.
 */
import { ByteReader } from "../encoding/byte-reader.js";
import { ByteWriter } from "../encoding/byte-writer.js";
import { crc32c, crc32cRange } from "../encoding/crc32c.js";

/** Version of the segment layout; goes up with every change to it (and to docs/format/wal.md). */
export const FORMAT_VERSION = 1;

/** First four bytes of every segment: "PWAL". */
export const SEGMENT_MAGIC: readonly number[] = [0x50, 0x57, 0x41, 0x4c];

/** Bytes in a segment header. */
export const SEGMENT_HEADER_BYTES = 16;

/** Bytes in a frame header (length, payload CRC, frame CRC), before the payload. */
export const FRAME_HEADER_BYTES = 12;

/** Largest record payload: the length field is a u32. */
export const MAX_RECORD_BYTES = 0xffffffff;

/** Largest segment number: the header stores it as a u32. */
export const MAX_SEGMENT_SEQ = 0xffffffff;

const FILE_NAME = /^(\d{8,10})\.wal$/;

/** The file name of segment `seq`: 8 decimal digits, zero-padded, then `.wal` (`00000001.wal`). */
export function segmentFileName(seq: number): string {
  return `${String(seq).padStart(8, "0")}.wal`;
}

/** The segment number a file name encodes, or null if it is not a segment file name. */
export function parseSegmentFileName(name: string): number | null {
  const m = FILE_NAME.exec(name);
  if (m === null) return null;
  const seq = Number(m[1]);
  // Only the canonical spelling: "000000001.wal" must not shadow "00000001.wal".
  return seq <= MAX_SEGMENT_SEQ && segmentFileName(seq) === name ? seq : null;
}

/** The 16-byte header of segment `seq`. */
export function encodeSegmentHeader(seq: number): Uint8Array {
  const w = new ByteWriter(SEGMENT_HEADER_BYTES);
  for (const b of SEGMENT_MAGIC) w.u8(b);
  w.u8(FORMAT_VERSION).u8(0).u8(0).u8(0).u32(seq);
  w.u32(crc32c(w.view()));
  return w.finish();
}

/** What a segment header says: usable, corrupt (with why), or written by a newer format. */
export type SegmentHeaderCheck =
  | { kind: "ok" }
  | { kind: "corrupt"; reason: string }
  | { kind: "unsupported"; version: number };

const hex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

/** Checks the first SEGMENT_HEADER_BYTES of segment `seq`. */
export function checkSegmentHeader(header: Uint8Array, seq: number): SegmentHeaderCheck {
  const r = new ByteReader(header.subarray(0, SEGMENT_HEADER_BYTES));
  const magic = r.raw(4);
  if (SEGMENT_MAGIC.some((b, i) => magic[i] !== b)) {
    return { kind: "corrupt", reason: `wrong magic 0x${hex(magic)}, want 0x${hex(Uint8Array.from(SEGMENT_MAGIC))} ("PWAL")` };
  }
  const version = r.u8();
  r.skip(3);
  const storedSeq = r.u32();
  const want = crc32cRange(header, 0, SEGMENT_HEADER_BYTES - 4);
  const got = r.u32();
  // Checked before the version: a version byte that fails the checksum is a flipped bit, not a newer file.
  if (got !== want) return { kind: "corrupt", reason: `header checksum 0x${got.toString(16)} does not match 0x${want.toString(16)}` };
  if (version !== FORMAT_VERSION) return { kind: "unsupported", version };
  if (storedSeq !== seq) return { kind: "corrupt", reason: `header names segment ${storedSeq} but the file name says ${seq}` };
  return { kind: "ok" };
}

/**
 * The CRC seed that binds frames to segment `seq`: CRC-32C of seq as u32 LE. A frame left
 * on disk by another segment (a reused block exposed after a crash) fails its check here.
 */
export function frameSeed(seq: number): number {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, seq, true);
  return crc32c(b);
}

/** frame_crc of the frame header at `buf[pos]` (its first 8 bytes) for the segment with `seed`. */
export function frameChecksum(buf: Uint8Array, pos: number, seed: number): number {
  return crc32cRange(buf, pos, pos + 8, seed);
}

/**
 * Appends one frame for `payload` to `w`, with frame_crc for the segment whose frameSeed is
 * `seed`. Used by tests, the golden file and the benchmark baseline; WalWriter frames in place.
 */
export function writeFrame(w: ByteWriter, payload: Uint8Array, seed: number): void {
  const start = w.length;
  w.u32(payload.length).u32(crc32c(payload)).u32(0).raw(payload);
  w.setU32(start + 8, frameChecksum(w.view(), start, seed));
}

/** A whole segment file holding `records`, as WalWriter would write it. */
export function encodeSegment(seq: number, records: readonly Uint8Array[]): Uint8Array {
  const w = new ByteWriter();
  w.raw(encodeSegmentHeader(seq));
  const seed = frameSeed(seq);
  for (const r of records) writeFrame(w, r, seed);
  return w.finish();
}
