/**
 * The byte cursor every JFR structure is read with. JFR is big-endian; when a chunk sets
 * its compressed-integers flag, short, char, int and long are written as variable-length
 * integers (7 bits per byte, low bits first, continuation in the top bit, and a ninth
 * byte that carries a full 8 bits), otherwise they have their fixed Java widths.
 *
 * Every read checks `end` and throws InvalidArgumentError("invalid_profile") naming what
 * was being read and the file offset, so a truncated or hostile recording can never make a
 * read go past its chunk or record.
 */
import { InvalidArgumentError } from "../errors.js";

const TWO_POW_32 = 4294967296;
// Ids whose high word reaches this no longer fit a double exactly (2^53 = 2^21 · 2^32).
const EXACT_HI_LIMIT = 0x200000;

/** Throws the reader's one error type: `what` names the structure, `at` is the file offset. */
export function invalidJfr(what: string, at: number): never {
  throw new InvalidArgumentError("invalid_profile", `malformed jfr recording: ${what} at byte ${at}`);
}

/** String encodings of JFR's string fields (the first byte of every string value). */
export const StringEncoding = {
  Null: 0,
  Empty: 1,
  ConstantPool: 2,
  Utf8: 3,
  CharArray: 4,
  Latin1: 5,
} as const;

const utf8 = new TextDecoder("utf-8");
// String.fromCharCode takes its arguments on the stack, so long strings are built in pieces.
const CHARS_PER_CALL = 4096;

/** A bounds-checked cursor over one chunk of a JFR recording. */
export class JfrByteReader {
  readonly buf: Uint8Array;
  pos: number;
  /** Reads never pass this offset (the end of the current chunk or record). */
  end: number;
  /** The chunk's compressed-integers flag. */
  compressed: boolean;
  /** Set when a string referred to the string constant pool before that pool was read. */
  unresolvedStringRef = false;
  /** The chunk's java.lang.String constant pool, filled by the constant-pool reader. */
  readonly stringPool = new Map<number, string>();
  /** High and low 32 bits of the last long read. */
  hi = 0;
  lo = 0;
  // Ids of 2^53 and above get synthetic negative keys so that no two collide when made doubles.
  private readonly bigIds = new Map<string, number>();
  private readonly view: DataView;

  /** Reads `buf[pos, end)`. */
  constructor(buf: Uint8Array, pos: number, end: number, compressed = true) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.compressed = compressed;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Fails unless `n` more bytes are available. */
  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) invalidJfr(`${what} needs ${n} bytes, ${this.end - this.pos} remain`, this.pos);
  }

  /** One unsigned byte. */
  u8(what: string): number {
    if (this.pos >= this.end) invalidJfr(`${what} is truncated`, this.pos);
    return this.buf[this.pos++]!;
  }

  /** Skips `n` bytes. */
  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }

  /**
   * A Java long as a double: exact within ±2^53, two's complement for negative values.
   * Compressed chunks store it as a varint of up to nine bytes. The raw 64 bits of a value
   * that needed more than four bytes are left in `hi`/`lo`.
   */
  long(what: string): number {
    if (!this.compressed) return this.fixed64(what);
    const buf = this.buf;
    const end = this.end;
    let p = this.pos;
    // Fast path: up to four bytes (28 bits) in small-integer arithmetic.
    let v = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= end) invalidJfr(`${what} is truncated`, this.pos);
      const b = buf[p++]!;
      v |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p;
        this.hi = 0;
        this.lo = v;
        return v;
      }
    }
    let hi = 0;
    let lo = v;
    for (let i = 4; i < 9; i++) {
      if (p >= end) invalidJfr(`${what} is truncated`, this.pos);
      const b = buf[p++]!;
      if (i === 8) {
        // The ninth byte holds bits 56..63 whole.
        hi |= b << 24;
        break;
      }
      const bits = b & 0x7f;
      if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else {
        hi |= bits << (7 * i - 32);
      }
      if (b < 0x80) break;
    }
    this.pos = p;
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
    return (hi | 0) * TWO_POW_32 + this.lo;
  }

  /** A Java int (read as a long and truncated, as the JDK does for compressed chunks). */
  int(what: string): number {
    if (!this.compressed) {
      this.need(4, what);
      const v = this.view.getInt32(this.pos);
      this.pos += 4;
      return v;
    }
    const v = this.long(what);
    // Writers differ on whether a negative int is sign-extended first; the low 32 bits agree.
    return v >= -0x80000000 && v <= 0x7fffffff ? v : this.lo | 0;
  }

  /** A Java short or char: a varint in compressed chunks, two bytes otherwise. */
  short(what: string): number {
    if (this.compressed) return this.long(what);
    this.need(2, what);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  /**
   * A count or length: an int that must be non-negative and, at `minBytesEach` bytes per
   * element, fit in what is left of the chunk. This is what stops a hostile count from
   * allocating or looping beyond the input's own size.
   */
  count(what: string, minBytesEach: number): number {
    const at = this.pos;
    const n = this.int(what);
    if (n < 0) invalidJfr(`${what} is negative (${n})`, at);
    if (minBytesEach > 0 && n * minBytesEach > this.end - this.pos) {
      invalidJfr(`${what} is ${n} but only ${this.end - this.pos} bytes remain`, at);
    }
    return n;
  }

  /**
   * A constant-pool id or other 64-bit key, as a double that is unique per id: exact for ids
   * below 2^53, and a synthetic negative key for larger ones (which JDK recordings can hold).
   */
  id(what: string): number {
    const buf = this.buf;
    const p = this.pos;
    if (this.compressed && p < this.end && buf[p]! < 0x80) {
      this.pos = p + 1;
      return buf[p]!;
    }
    this.long(what);
    if (this.hi < EXACT_HI_LIMIT) return this.hi * TWO_POW_32 + this.lo;
    const key = `${this.hi}:${this.lo}`;
    let k = this.bigIds.get(key);
    if (k === undefined) {
      k = -(this.bigIds.size + 1);
      this.bigIds.set(key, k);
    }
    return k;
  }

  /** A string value; encoding 2 (a reference into the string pool) is looked up there. */
  string(what: string): string {
    const at = this.pos;
    const enc = this.u8(what);
    switch (enc) {
      case StringEncoding.Null:
      case StringEncoding.Empty:
        return "";
      case StringEncoding.ConstantPool: {
        const ref = this.id(what);
        const s = this.stringPool.get(ref);
        if (s === undefined) {
          this.unresolvedStringRef = true;
          return "";
        }
        return s;
      }
      case StringEncoding.Utf8: {
        const n = this.count(`${what} length`, 1);
        const s = utf8.decode(this.buf.subarray(this.pos, this.pos + n));
        this.pos += n;
        return s;
      }
      case StringEncoding.CharArray: {
        const n = this.count(`${what} length`, 1);
        return this.chars(n, () => this.short(what) & 0xffff);
      }
      case StringEncoding.Latin1: {
        const n = this.count(`${what} length`, 1);
        return this.chars(n, () => this.buf[this.pos++]!);
      }
      default:
        return invalidJfr(`${what} has unknown string encoding ${enc}`, at);
    }
  }

  /** Skips a string value without decoding it. */
  skipString(what: string): void {
    const at = this.pos;
    const enc = this.u8(what);
    switch (enc) {
      case StringEncoding.Null:
      case StringEncoding.Empty:
        return;
      case StringEncoding.ConstantPool:
        this.long(what);
        return;
      case StringEncoding.Utf8:
      case StringEncoding.Latin1: {
        const n = this.count(`${what} length`, 1);
        this.pos += n;
        return;
      }
      case StringEncoding.CharArray: {
        const n = this.count(`${what} length`, 1);
        for (let i = 0; i < n; i++) this.short(what);
        return;
      }
      default:
        invalidJfr(`${what} has unknown string encoding ${enc}`, at);
    }
  }

  private fixed64(what: string): number {
    this.need(8, what);
    this.hi = this.view.getUint32(this.pos);
    this.lo = this.view.getUint32(this.pos + 4);
    this.pos += 8;
    return (this.hi | 0) * TWO_POW_32 + this.lo;
  }

  private chars(n: number, next: () => number): string {
    const parts: string[] = [];
    const chunk = new Array<number>(Math.min(n, CHARS_PER_CALL));
    for (let i = 0; i < n; ) {
      const m = Math.min(CHARS_PER_CALL, n - i);
      chunk.length = m;
      for (let j = 0; j < m; j++) chunk[j] = next();
      parts.push(String.fromCharCode(...chunk));
      i += m;
    }
    return parts.join("");
  }
}
