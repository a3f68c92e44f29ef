/**
 * The one append-only binary writer every on-disk format uses. Little-endian fixed
 * widths, uvarints and zigzag varints (see varint.ts), length-prefixed bytes and
 * UTF-8 strings; ByteReader reads exactly what this writes.
 */
import { grow } from "./grow.js";
import { putUvarint, putUvarintBig, zigzagEncode, zigzagEncodeBig } from "./varint.js";

const encoder = new TextEncoder();

/** A growable little-endian byte buffer. */
export class ByteWriter {
  private buf: Uint8Array;
  private dv: DataView;
  private pos = 0;

  constructor(initialCapacityBytes = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacityBytes));
    this.dv = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** Bytes the buffer holds before it next grows. */
  get capacity(): number {
    return this.buf.length;
  }

  /** Makes room for `n` more bytes. */
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.buf = grow(this.buf, this.pos + n);
    this.dv = new DataView(this.buf.buffer);
  }

  /** Writes one byte. */
  u8(value: number): this {
    this.ensure(1);
    this.buf[this.pos++] = value;
    return this;
  }

  /** Writes an unsigned 32-bit little-endian integer. */
  u32(value: number): this {
    this.ensure(4);
    this.dv.setUint32(this.pos, value, true);
    this.pos += 4;
    return this;
  }

  /** Writes an unsigned 64-bit little-endian integer. */
  u64(value: bigint): this {
    this.ensure(8);
    this.dv.setBigUint64(this.pos, value, true);
    this.pos += 8;
    return this;
  }

  /** Writes a signed 64-bit little-endian integer. */
  i64(value: bigint): this {
    this.ensure(8);
    this.dv.setBigInt64(this.pos, value, true);
    this.pos += 8;
    return this;
  }

  /** Writes an IEEE-754 double, little-endian. */
  f64(value: number): this {
    this.ensure(8);
    this.dv.setFloat64(this.pos, value, true);
    this.pos += 8;
    return this;
  }

  /** Writes an unsigned safe integer as a uvarint (1–8 bytes). */
  uvarint(value: number): this {
    this.ensure(8);
    this.pos = putUvarint(this.buf, this.pos, value);
    return this;
  }

  /** Writes a signed safe integer as a zigzag uvarint. */
  varint(value: number): this {
    return this.uvarint(zigzagEncode(value));
  }

  /** Writes an unsigned 64-bit value as a uvarint (1–10 bytes). */
  uvarintBig(value: bigint): this {
    this.ensure(10);
    this.pos = putUvarintBig(this.buf, this.pos, value);
    return this;
  }

  /** Writes a signed 64-bit value as a zigzag uvarint. */
  varintBig(value: bigint): this {
    return this.uvarintBig(zigzagEncodeBig(value));
  }

  /** Writes `bytes` as they are, with no length. */
  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  /** Writes a uvarint length, then `bytes`. */
  bytes(bytes: Uint8Array): this {
    return this.uvarint(bytes.length).raw(bytes);
  }

  /** Writes a uvarint byte length, then `value` as UTF-8 (lone surrogates become U+FFFD). */
  string(value: string): this {
    // Short strings fit a one-byte length whatever their content (≤ 3 UTF-8 bytes per UTF-16 unit),
    // so they are encoded in place without measuring first.
    if (value.length * 3 < 0x80) {
      this.ensure(1 + value.length * 3);
      const { written } = encoder.encodeInto(value, this.buf.subarray(this.pos + 1));
      this.buf[this.pos] = written;
      this.pos += 1 + written;
      return this;
    }
    const n = Buffer.byteLength(value, "utf8");
    this.uvarint(n);
    this.ensure(n);
    encoder.encodeInto(value, this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return this;
  }

  /** Overwrites the u32 at `offset` (already written): for lengths and checksums known only later. */
  setU32(offset: number, value: number): this {
    if (offset < 0 || offset + 4 > this.pos) throw new RangeError(`setU32 at ${offset} is outside the ${this.pos} bytes written`);
    this.dv.setUint32(offset, value, true);
    return this;
  }

  /** The bytes written so far, as a view that later writes or reset() may overwrite. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of the bytes written so far. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** Forgets the bytes written, keeping the capacity. */
  reset(): void {
    this.pos = 0;
  }
}
