/**
 * The ring token of a series, as Phlare's distributor computes it (reference §6): 32-bit FNV-1
 * (not FNV-1a, whatever the docs say) over the tenant id's UTF-8 bytes followed by the label
 * string `{name="value", name2="value2"}`, each value quoted by Go's strconv.Quote, labels in the
 * order given. Distributors of both implementations must agree on it, or a mixed cluster would
 * send one series to two places.
 */
import type { LabelPair } from "../model/labels.js";

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** Feeds the UTF-8 bytes of `s` into an FNV-1 state; a lone surrogate counts as U+FFFD, as TextEncoder writes it. */
function fnv1String(hash: number, s: string): number {
  let h = hash;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h, FNV32_PRIME) ^ c;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      } else c = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x800) {
      h = Math.imul(h, FNV32_PRIME) ^ (0xc0 | (c >> 6));
      h = Math.imul(h, FNV32_PRIME) ^ (0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      h = Math.imul(h, FNV32_PRIME) ^ (0xe0 | (c >> 12));
      h = Math.imul(h, FNV32_PRIME) ^ (0x80 | ((c >> 6) & 0x3f));
      h = Math.imul(h, FNV32_PRIME) ^ (0x80 | (c & 0x3f));
    } else {
      h = Math.imul(h, FNV32_PRIME) ^ (0xf0 | (c >> 18));
      h = Math.imul(h, FNV32_PRIME) ^ (0x80 | ((c >> 12) & 0x3f));
      h = Math.imul(h, FNV32_PRIME) ^ (0x80 | ((c >> 6) & 0x3f));
      h = Math.imul(h, FNV32_PRIME) ^ (0x80 | (c & 0x3f));
    }
  }
  return h;
}

/** 32-bit FNV-1 of the UTF-8 bytes of `parts`, concatenated. */
export function fnv1(...parts: string[]): number {
  let h = FNV32_OFFSET;
  for (const p of parts) h = fnv1String(h, p);
  return h >>> 0;
}

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and U+0020. V8 knows a newer
// Unicode than Go 1.19 did (15 against 13), so a code point assigned in between is printed raw
// here and escaped there; both are rare enough in label values to accept.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const HEX = "0123456789abcdef";

function hex(cp: number, digits: number): string {
  let out = "";
  for (let shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += HEX[(cp >> shift) & 0xf];
  return out;
}

function escapeCodePoint(cp: number, ch: string): string {
  switch (cp) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return "\\\\";
    case 0x07:
      return "\\a";
    case 0x08:
      return "\\b";
    case 0x0c:
      return "\\f";
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x0b:
      return "\\v";
  }
  if (cp === 0x20 || (cp > 0x20 && cp < 0x7f)) return ch;
  if (cp < 0x20 || cp === 0x7f) return `\\x${hex(cp, 2)}`;
  if (PRINTABLE.test(ch)) return ch;
  return cp < 0x10000 ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`;
}

/**
 * Go's strconv.Quote: a double-quoted string with Go escapes; printable runes (unicode.IsPrint)
 * stay as they are. JavaScript strings cannot hold Go's invalid UTF-8 bytes; a lone surrogate
 * (what a JSON "\ud800" decodes to) becomes U+FFFD, which Go prints raw.
 */
export function goQuote(s: string): string {
  let out = '"';
  let plainFrom = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(plainFrom, i);
    let cp = c;
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        width = 2;
      }
    }
    if (width === 1 && c >= 0xd800 && c <= 0xdfff) out += "\ufffd";
    else out += escapeCodePoint(cp, s.slice(i, i + width));
    i += width - 1;
    plainFrom = i + 1;
  }
  return `${out}${s.slice(plainFrom)}"`;
}

/** Phlare's LabelPairsString: `{name="value", name2="value2"}` with Go-quoted values, in the given order. */
export function labelPairsString(labels: readonly LabelPair[]): string {
  let out = "{";
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i] as LabelPair;
    if (i > 0) out += ", ";
    out += `${l.name}=${goQuote(l.value)}`;
  }
  return `${out}}`;
}

/** The ring token of a series: FNV-1 over the tenant id, then the label string (reference §6). */
export function tokenHash(tenant: string, labels: readonly LabelPair[]): number {
  return fnv1(tenant, labelPairsString(labels));
}
