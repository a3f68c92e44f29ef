/**
 * The one bounds-checked binary reader every on-disk format uses, the mirror of
 * ByteWriter. Every read past the end or malformed value throws CorruptionError naming
 * the file and the byte offset (in the file, not the buffer) where the bad value starts.
 */
import { CorruptionError } from "../../model/errors.js";
import { MAX_UVARINT53_BYTES, MAX_UVARINT64_BYTES, zigzagDecode, zigzagDecodeBig } from "./varint.js";

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Reads little-endian values from a byte buffer, throwing CorruptionError on anything malformed. */
export class ByteReader {
  private readonly dv: DataView;
  /** Position in `buf` of the next read. */
  pos = 0;

  /**
   * @param buf the bytes to read
   * @param file the file they came from, for error messages
   * @param baseOffset the file offset of `buf[0]`, so errors report file offsets
   */
  constructor(
    readonly buf: Uint8Array,
    readonly file = "<buffer>",
    readonly baseOffset = 0,
  ) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** File offset of the next read. */
  get offset(): number {
    return this.baseOffset + this.pos;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** Whether every byte has been read. */
  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** A CorruptionError at file offset `baseOffset + pos`. */
  corruption(message: string, pos = this.pos): CorruptionError {
    return new CorruptionError(this.file, this.baseOffset + pos, message);
  }

  private need(n: number, what: string): void {
    if (n > this.buf.length - this.pos) {
      throw this.corruption(`${what} needs ${n} bytes, ${this.buf.length - this.pos} left`);
    }
  }

  /** Skips `n` bytes. */
  skip(n: number): void {
    this.need(n, "skip");
    this.pos += n;
  }

  /** Reads one byte. */
  u8(): number {
    this.need(1, "u8");
    return this.buf[this.pos++]!;
  }

  /** Reads an unsigned 32-bit little-endian integer. */
  u32(): number {
    this.need(4, "u32");
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Reads an unsigned 64-bit little-endian integer. */
  u64(): bigint {
    this.need(8, "u64");
    const v = this.dv.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Reads a signed 64-bit little-endian integer. */
  i64(): bigint {
    this.need(8, "i64");
    const v = this.dv.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Reads an IEEE-754 double, little-endian. */
  f64(): number {
    this.need(8, "f64");
    const v = this.dv.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Reads a uvarint that must fit a safe integer (< 2^53). */
  uvarint(): number {
    const start = this.pos;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < MAX_UVARINT53_BYTES; i++) {
      if (this.pos >= this.buf.length) throw this.corruption(`uvarint runs past the end after ${i} bytes`, start);
      const b = this.buf[this.pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(value)) throw this.corruption(`uvarint ${value} exceeds 2^53-1`, start);
        return value;
      }
      scale *= 0x80;
    }
    throw this.corruption(`uvarint longer than ${MAX_UVARINT53_BYTES} bytes (limit for 2^53-1)`, start);
  }

  /** Reads a zigzag varint that must fit a safe integer. */
  varint(): number {
    return zigzagDecode(this.uvarint());
  }

  /** Reads a uvarint of up to 64 bits. */
  uvarintBig(): bigint {
    const start = this.pos;
    let value = 0n;
    let shift = 0n;
    for (let i = 0; i < MAX_UVARINT64_BYTES; i++) {
      if (this.pos >= this.buf.length) throw this.corruption(`uvarint runs past the end after ${i} bytes`, start);
      const b = this.buf[this.pos++]!;
      // The tenth byte holds only bit 63.
      if (i === MAX_UVARINT64_BYTES - 1 && b > 1) throw this.corruption("uvarint exceeds 2^64-1", start);
      value |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return value;
      shift += 7n;
    }
    throw this.corruption(`uvarint longer than ${MAX_UVARINT64_BYTES} bytes`, start);
  }

  /** Reads a zigzag varint of up to 64 bits. */
  varintBig(): bigint {
    return zigzagDecodeBig(this.uvarintBig());
  }

  /** Reads `n` bytes as a view into the buffer (copy it to keep it past the buffer's life). */
  raw(n: number): Uint8Array {
    this.need(n, `${n}-byte field`);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Reads a uvarint length, then that many bytes, as a view into the buffer. */
  bytes(): Uint8Array {
    const start = this.pos;
    const n = this.uvarint();
    if (n > this.remaining) throw this.corruption(`byte string of ${n} bytes runs past the end (${this.remaining} left)`, start);
    return this.raw(n);
  }

  /** Reads a uvarint byte length, then that many bytes of UTF-8. */
  string(): string {
    const start = this.pos;
    const n = this.uvarint();
    if (n > this.remaining) throw this.corruption(`string of ${n} bytes runs past the end (${this.remaining} left)`, start);
    const bytes = this.buf.subarray(this.pos, this.pos + n);
    try {
      const s = decoder.decode(bytes);
      this.pos += n;
      return s;
    } catch (err) {
      throw new CorruptionError(this.file, this.baseOffset + start, `string of ${n} bytes is not valid UTF-8`, { cause: err });
    }
  }
}
