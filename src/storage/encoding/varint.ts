/**
 * Varint helpers shared by every on-disk format: unsigned LEB128 ("uvarint", as in
 * protobuf and Go's encoding/binary) and zigzag for signed values. Numbers are limited
 * to safe integers (53 bits); 64-bit values go through the `Big` variants. Decoding
 * lives in ByteReader, which bounds-checks and reports corruption with its offset.
 */

/** Most bytes a uvarint of a safe integer (< 2^53) takes. */
export const MAX_UVARINT53_BYTES = 8;

/** Most bytes a uvarint of a 64-bit value takes. */
export const MAX_UVARINT64_BYTES = 10;

const U64_MASK = (1n << 64n) - 1n;

function checkUnsigned(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`uvarint value ${value} is not an integer in [0, 2^53-1]`);
}

/** Bytes the uvarint encoding of `value` takes (1..8). */
export function uvarintLength(value: number): number {
  checkUnsigned(value);
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    n++;
  }
  return n;
}

/**
 * Writes `value` as a uvarint at `buf[pos]` and returns the position after it. The
 * caller guarantees room for `uvarintLength(value)` bytes.
 */
export function putUvarint(buf: Uint8Array, pos: number, value: number): number {
  checkUnsigned(value);
  // Division rather than shifts above 2^31: JS bit operators truncate to 32 bits.
  while (value > 0x7fffffff) {
    buf[pos++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  while (value >= 0x80) {
    buf[pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[pos++] = value;
  return pos;
}

/** Writes an unsigned 64-bit `value` as a uvarint at `buf[pos]`; returns the position after it. */
export function putUvarintBig(buf: Uint8Array, pos: number, value: bigint): number {
  if (value < 0n || value > U64_MASK) throw new RangeError(`uvarint value ${value} is not in [0, 2^64-1]`);
  while (value >= 0x80n) {
    buf[pos++] = Number(value & 0x7fn) | 0x80;
    value >>= 7n;
  }
  buf[pos++] = Number(value);
  return pos;
}

/** Zigzag-maps a signed safe integer to an unsigned one (0, -1, 1, -2 → 0, 1, 2, 3). */
export function zigzagEncode(value: number): number {
  const z = value >= 0 ? value * 2 : -value * 2 - 1;
  if (!Number.isSafeInteger(value) || !Number.isSafeInteger(z)) {
    throw new RangeError(`zigzag value ${value} is not an integer in [-2^52, 2^52-1]`);
  }
  return z;
}

/** Inverse of zigzagEncode. */
export function zigzagDecode(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Zigzag-maps a signed 64-bit value to an unsigned 64-bit one. */
export function zigzagEncodeBig(value: bigint): bigint {
  if (value < -(1n << 63n) || value >= 1n << 63n) throw new RangeError(`zigzag value ${value} is not in [-2^63, 2^63-1]`);
  return ((value << 1n) ^ (value >> 63n)) & U64_MASK;
}

/** Inverse of zigzagEncodeBig. */
export function zigzagDecodeBig(z: bigint): bigint {
  return (z >> 1n) ^ -(z & 1n);
}
