/**
 * A growable protobuf wire-format writer. Length-delimited fields are written with
 * back-patching: one byte is reserved for the length, the body is written, and the
 * body is shifted right in the (rare) case its length needs more than one byte.
 * That keeps the common case (small nested messages) a single pass with no sizing.
 */

const TWO_POW_32 = 4294967296;
const MAX_CAPACITY = 0x7fffffff;

/** Wire types of the protobuf encoding. */
export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;

const utf8Encoder = new TextEncoder();

/** Appends protobuf fields to a growable byte buffer; see the module comment for how lengths are written. */
export class ProtoWriter {
  private buf: Uint8Array;
  private pos = 0;

  /** initialBytes is only a capacity hint; the buffer doubles as needed. */
  constructor(initialBytes = 1024) {
    this.buf = new Uint8Array(Math.max(16, Math.min(initialBytes, MAX_CAPACITY)));
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** Forgets everything written; the buffer is kept for reuse (views from finish() become stale). */
  reset(): void {
    this.pos = 0;
  }

  /** The bytes written so far, as a view into the internal buffer (valid until the next write after reset()). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of the bytes written so far that stays valid whatever the writer does next. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** Makes room for at least `extraBytes` more bytes. */
  ensure(extraBytes: number): void {
    const need = this.pos + extraBytes;
    if (need <= this.buf.length) return;
    if (need > MAX_CAPACITY) throw new RangeError(`ProtoWriter: ${need} bytes exceeds the maximum buffer size`);
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(Math.min(cap, MAX_CAPACITY));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Writes a field key (field number and wire type). */
  tag(field: number, wireType: number): void {
    this.uint32(((field << 3) | wireType) >>> 0);
  }

  /** Writes an unsigned 32-bit varint (no tag). */
  uint32(value: number): void {
    this.ensure(5);
    const buf = this.buf;
    let p = this.pos;
    let v = value >>> 0;
    while (v >= 0x80) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p++] = v;
    this.pos = p;
  }

  /** Writes a 64-bit varint given as two unsigned 32-bit halves (no tag). */
  varint64(hi: number, lo: number): void {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0) {
      this.uint32(lo);
      return;
    }
    this.ensure(10);
    const buf = this.buf;
    let p = this.pos;
    while (hi !== 0 || lo >= 0x80) {
      buf[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[p++] = lo;
    this.pos = p;
  }

  /**
   * Writes an int64/uint64 varint from a number (no tag). Negative numbers take ten
   * bytes (two's complement), as protobuf requires for int64. Integral input is assumed;
   * magnitudes beyond 2^53 are whatever the float already rounded them to.
   */
  int64(value: number): void {
    if (value >= 0 && value <= 0x7fffffff) {
      this.uint32(value);
      return;
    }
    if (value >= 0) {
      this.varint64(Math.floor(value / TWO_POW_32), value % TWO_POW_32);
      return;
    }
    const abs = -value;
    let lo = abs % TWO_POW_32 >>> 0;
    let hi = Math.floor(abs / TWO_POW_32) >>> 0;
    // Two's complement of the magnitude.
    lo = ~lo >>> 0;
    hi = ~hi >>> 0;
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
    this.varint64(hi, lo);
  }

  /** Writes an int64 varint from a bigint, wrapping to 64 bits (no tag). */
  int64Big(value: bigint): void {
    const u = BigInt.asUintN(64, value);
    this.varint64(Number(u >> 32n), Number(u & 0xffffffffn));
  }

  /** Writes raw bytes (no tag, no length). */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Writes a varint field, omitting it when the value is 0 (proto3 default). */
  int64Field(field: number, value: number): void {
    if (value === 0) return;
    this.tag(field, WireType.Varint);
    this.int64(value);
  }

  /** Writes a uint64 varint field from hi/lo halves, omitting it when both are 0. */
  uint64Field(field: number, hi: number, lo: number): void {
    if (hi === 0 && lo === 0) return;
    this.tag(field, WireType.Varint);
    this.varint64(hi, lo);
  }

  /** Writes an int64 varint field from a bigint, omitting it when 0. */
  int64BigField(field: number, value: bigint): void {
    if (value === 0n) return;
    this.tag(field, WireType.Varint);
    this.int64Big(value);
  }

  /** Writes a bool field, omitting it when false. */
  boolField(field: number, value: boolean): void {
    if (!value) return;
    this.tag(field, WireType.Varint);
    this.uint32(1);
  }

  /** Writes a string field; always written, even when empty (repeated string elements must be). */
  stringField(field: number, value: string): void {
    this.tag(field, WireType.LengthDelimited);
    const n = value.length;
    // Pure-ASCII strings shorter than 128 chars: length known up front, one byte each.
    if (n < 0x80) {
      this.ensure(1 + n);
      const buf = this.buf;
      let p = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === n) {
        buf[this.pos] = n;
        this.pos = p;
        return;
      }
    }
    const mark = this.begin();
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    this.ensure(n * 3);
    const { written } = utf8Encoder.encodeInto(value, this.buf.subarray(this.pos));
    this.pos += written;
    this.end(mark);
  }

  /** Writes a bytes field (tag, length, bytes). */
  bytesField(field: number, value: Uint8Array): void {
    this.tag(field, WireType.LengthDelimited);
    this.uint32(value.length);
    this.raw(value);
  }

  /** Starts a length-delimited field (nested message or packed run); pass the result to end(). */
  fork(field: number): number {
    this.tag(field, WireType.LengthDelimited);
    return this.begin();
  }

  /** Reserves the one-byte length slot of a length-delimited body; returns where the body starts. */
  begin(): number {
    this.ensure(1);
    this.pos++;
    return this.pos;
  }

  /** Closes the length-delimited body started at `bodyStart`, writing its length in front of it. */
  end(bodyStart: number): void {
    const len = this.pos - bodyStart;
    if (len < 0x80) {
      this.buf[bodyStart - 1] = len;
      return;
    }
    let lenBytes = 1;
    for (let v = len >>> 7; v !== 0; v >>>= 7) lenBytes++;
    const shift = lenBytes - 1;
    this.ensure(shift);
    const buf = this.buf;
    buf.copyWithin(bodyStart + shift, bodyStart, this.pos);
    let p = bodyStart - 1;
    let v = len;
    while (v >= 0x80) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p] = v;
    this.pos += shift;
  }
}
