/**
 * The frame every binary block file shares: magic and version up front, a
 * CRC-32C of everything before it at the end, so a truncated or damaged file is
 * detected before any of it is used (docs/format/README.md).
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { CorruptionError } from "../../model/errors.js";
import { ByteWriter } from "../encoding/byte-writer.js";
import { crc32c } from "../encoding/crc32c.js";

/** Bytes before the body: magic (4) + version (1). */
export const FRAME_HEADER_BYTES = 5;
/** Bytes after the body: CRC-32C (4). */
export const FRAME_FOOTER_BYTES = 4;

/** A writer positioned after the header of a new framed file. */
export function beginFrame(magic: string, version: number): ByteWriter {
  const w = new ByteWriter(4096);
  for (let i = 0; i < 4; i++) w.u8(magic.charCodeAt(i));
  w.u8(version);
  return w;
}

/** Appends the CRC-32C footer and returns the file bytes. */
export function endFrame(w: ByteWriter): Uint8Array {
  const crc = crc32c(w.view());
  return w.u32(crc).finish();
}

/** Checks magic, version and checksum; returns the body. */
export function openFrame(bytes: Uint8Array, magic: string, version: number, file: string): Uint8Array {
  if (bytes.length < FRAME_HEADER_BYTES + FRAME_FOOTER_BYTES) throw new CorruptionError(file, 0, `file is ${bytes.length} bytes, shorter than its frame`);
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== magic.charCodeAt(i)) throw new CorruptionError(file, 0, `wrong magic: not a ${magic} file`);
  }
  if (bytes[4] !== version) throw new CorruptionError(file, 4, `unknown version ${bytes[4]} (this build reads ${version})`);
  const end = bytes.length - FRAME_FOOTER_BYTES;
  const want = new DataView(bytes.buffer, bytes.byteOffset + end, 4).getUint32(0, true);
  const got = crc32c(bytes.subarray(0, end));
  if (want !== got) throw new CorruptionError(file, end, `checksum mismatch: stored ${hex(want)}, computed ${hex(got)}`);
  return bytes.subarray(FRAME_HEADER_BYTES, end);
}

/** Raw-deflate compression used for block sections. */
export function compress(bytes: Uint8Array): Uint8Array {
  return deflateRawSync(bytes, { level: 6 });
}

/** Inflates a section, refusing output beyond `maxBytes` (the length the writer recorded). */
export function decompress(bytes: Uint8Array, rawLength: number, file: string, offset: number): Uint8Array {
  try {
    const out = inflateRawSync(bytes, { maxOutputLength: Math.max(1, rawLength) });
    if (out.length !== rawLength) throw new Error(`inflated to ${out.length} bytes, expected ${rawLength}`);
    return out;
  } catch (err) {
    throw new CorruptionError(file, offset, `compressed section does not inflate: ${(err as Error).message}`);
  }
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, "0")}`;
}
