/**
 * Strict UTF-8 decoding for the OG converters: frame names become pprof strings, which
 * must be valid UTF-8, so a body with a bad sequence is rejected, not repaired with
 * U+FFFD, and the error says at which byte the bad sequence starts.
 */
import { invalidBody } from "./byte-cursor.js";

const NL = 10;
const fatal = new TextDecoder("utf-8", { fatal: true });

/** Decodes `bytes`, or returns undefined when they are not valid UTF-8. */
export function tryDecodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return fatal.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Offset of the first byte of `bytes` that starts an invalid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      // Overlong forms and UTF-16 surrogates are invalid in UTF-8.
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    // A sequence cut off by the end of the input starts at i too.
    if (i + need >= n) return i;
    const c = bytes[i + 1]!;
    if (c < lo || c > hi) return i;
    for (let k = 2; k <= need; k++) {
      const d = bytes[i + k]!;
      if (d < 0x80 || d > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Whether a string holds no lone UTF-16 surrogate (JSON `\u` escapes can make one). */
export function isWellFormedUtf16(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c >= 0xdc00) return false;
    const d = s.charCodeAt(i + 1);
    if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
    i++;
  }
  return true;
}

/** Decodes a text body, or throws naming the byte offset and line of the first bad byte. */
export function decodeTextBody(body: Uint8Array, format: string): string {
  const text = tryDecodeUtf8(body);
  if (text !== undefined) return text;
  const at = firstInvalidUtf8(body);
  let line = 1;
  for (let i = 0; i < at; i++) if (body[i] === NL) line++;
  return invalidBody(format, `invalid UTF-8 at byte ${at} (line ${line})`);
}
