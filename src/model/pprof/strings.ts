/**
 * String-table decoding. Invalid UTF-8 is rejected rather than replaced with U+FFFD:
 * a lossy string table silently merges distinct function names and breaks
 * byte-for-byte round trips, so the profile is refused instead.
 */
import { malformed } from "./reader.js";

// ignoreBOM keeps a leading U+FEFF as part of the string instead of silently dropping it.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// Up to this many bytes, building a pure-ASCII string from char codes beats a
// TextDecoder call, whose fixed per-call cost (~160 ns on Node 20) dominates for short
// names; past it, the concatenations cost more than the call. Measured on the corpus.
const ASCII_FAST_MAX = 32;

/** Decodes buf[start, end) as string-table entry `index`; throws InvalidArgumentError on invalid UTF-8. */
export function decodeString(buf: Uint8Array, start: number, end: number, index: number): string {
  const n = end - start;
  if (n === 0) return "";
  if (n > ASCII_FAST_MAX) return decodeUtf8(buf, start, end, index);
  let s = "";
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a0 = buf[i]!;
    const a1 = buf[i + 1]!;
    const a2 = buf[i + 2]!;
    const a3 = buf[i + 3]!;
    const a4 = buf[i + 4]!;
    const a5 = buf[i + 5]!;
    const a6 = buf[i + 6]!;
    const a7 = buf[i + 7]!;
    if ((a0 | a1 | a2 | a3 | a4 | a5 | a6 | a7) >= 0x80) return decodeUtf8(buf, start, end, index);
    s += String.fromCharCode(a0, a1, a2, a3, a4, a5, a6, a7);
  }
  for (; i < end; i++) {
    const a = buf[i]!;
    if (a >= 0x80) return decodeUtf8(buf, start, end, index);
    s += String.fromCharCode(a);
  }
  return s;
}

function decodeUtf8(buf: Uint8Array, start: number, end: number, index: number): string {
  try {
    return utf8.decode(buf.subarray(start, end));
  } catch (err) {
    // TypeError is the decoder's invalid-data error; anything else means V8 could not hold the string.
    if (err instanceof TypeError) return malformed(`string_table[${index}] is not valid UTF-8`, start);
    return malformed(`string_table[${index}] is too long (${end - start} bytes)`, start);
  }
}
