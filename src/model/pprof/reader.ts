/**
 * Protobuf wire-format primitives for the pprof decoder. Every malformation becomes an
 * InvalidArgumentError("invalid_profile") that names what was being read and the byte
 * offset, so a rejected upload can be diagnosed from the error alone.
 *
 * Varints are read without per-byte bounds checks: a read past the end of the buffer
 * yields `undefined`, which the bit operations treat as 0, and every caller checks
 * `pos` against the end of the enclosing message afterwards. That keeps the common
 * one-to-four byte varint to a handful of instructions.
 */
import { InvalidArgumentError } from "../errors.js";

const TWO_POW_32 = 4294967296;

/** Throws the decoder's one error type: `what` names the field, `at` is the byte offset. */
export function malformed(what: string, at: number): never {
  throw new InvalidArgumentError("invalid_profile", `malformed pprof profile: ${what} at byte ${at}`);
}

/** Human-readable wire type, for error messages. */
function wireTypeName(wt: number): string {
  switch (wt) {
    case 0:
      return "varint";
    case 1:
      return "fixed64";
    case 2:
      return "length-delimited";
    case 3:
      return "start-group";
    case 4:
      return "end-group";
    case 5:
      return "fixed32";
    default:
      return `invalid wire type ${wt}`;
  }
}

/** A cursor over protobuf bytes. */
export class ProtoReader {
  readonly buf: Uint8Array;
  pos: number;
  /** High and low 32 bits of the last varint read by varint64(). */
  hi = 0;
  lo = 0;

  /** Reads `buf` from offset `pos`. */
  constructor(buf: Uint8Array, pos = 0) {
    this.buf = buf;
    this.pos = pos;
  }

  /** Reads a field key; field numbers must be >= 1 and keys must fit in 32 bits. */
  tag(): number {
    const b = this.buf[this.pos]!;
    if (b < 0x80 && b >= 8) {
      this.pos++;
      return b;
    }
    const at = this.pos;
    const t = this.uint();
    if (t > 0xffffffff || t < 8) malformed(`invalid field key ${t}`, at);
    return t;
  }

  /** Reads a varint as an unsigned 64-bit number (exact below 2^53). */
  uint(): number {
    const buf = this.buf;
    let p = this.pos;
    let b = buf[p++]!;
    if (b < 0x80) {
      this.pos = p;
      return b;
    }
    let v = b & 0x7f;
    b = buf[p++]!;
    v |= (b & 0x7f) << 7;
    if (b < 0x80) {
      this.pos = p;
      return v;
    }
    b = buf[p++]!;
    v |= (b & 0x7f) << 14;
    if (b < 0x80) {
      this.pos = p;
      return v;
    }
    b = buf[p++]!;
    v |= (b & 0x7f) << 21;
    if (b < 0x80) {
      this.pos = p;
      return v;
    }
    this.rest(v, p);
    return this.hi * TWO_POW_32 + this.lo;
  }

  /** Reads a varint as a signed 64-bit number (two's complement; exact within ±2^53). */
  int(): number {
    const buf = this.buf;
    let p = this.pos;
    let b = buf[p++]!;
    if (b < 0x80) {
      this.pos = p;
      return b;
    }
    let v = b & 0x7f;
    b = buf[p++]!;
    v |= (b & 0x7f) << 7;
    if (b < 0x80) {
      this.pos = p;
      return v;
    }
    b = buf[p++]!;
    v |= (b & 0x7f) << 14;
    if (b < 0x80) {
      this.pos = p;
      return v;
    }
    b = buf[p++]!;
    v |= (b & 0x7f) << 21;
    if (b < 0x80) {
      this.pos = p;
      return v;
    }
    this.rest(v, p);
    return (this.hi | 0) * TWO_POW_32 + this.lo;
  }

  /**
   * Reads a string-table index (an int64 in the proto). Anything outside [0, 2^31) can
   * never be valid, so it becomes -1, which the range check after decoding rejects.
   */
  strIdx(): number {
    const v = this.int();
    return v >= 0 && v <= 0x7fffffff ? v : -1;
  }

  /**
   * Appends a packed run of uint64 varints ending at `end` to `out`; values of 2^32-1 and
   * above go through `onLarge`, which returns what to store instead. Returns the new count.
   * Keeps the cursor in a local so the common one- and two-byte ids cost a load and a store.
   */
  packedUint32(end: number, out: Uint32Array, n: number, onLarge: (at: number, value: number) => number): number {
    const buf = this.buf;
    let p = this.pos;
    while (p < end) {
      const b0 = buf[p]!;
      if (b0 < 0x80) {
        out[n++] = b0;
        p += 1;
        continue;
      }
      const b1 = buf[p + 1]!;
      if (b1 < 0x80) {
        out[n++] = (b0 & 0x7f) | (b1 << 7);
        p += 2;
        continue;
      }
      this.pos = p;
      const v = this.uint();
      p = this.pos;
      out[n] = v < 0xffffffff ? v : onLarge(n, v);
      n++;
    }
    this.pos = p;
    return n;
  }

  /** Appends a packed run of int64 varints ending at `end` to `out`; returns the new count. */
  packedInt(end: number, out: Float64Array, n: number): number {
    const buf = this.buf;
    let p = this.pos;
    while (p < end) {
      const b0 = buf[p]!;
      if (b0 < 0x80) {
        out[n++] = b0;
        p += 1;
        continue;
      }
      this.pos = p;
      out[n++] = this.int();
      p = this.pos;
    }
    this.pos = p;
    return n;
  }

  /** Reads a varint into `hi`/`lo` (for addresses, which must stay exact). */
  varint64(): void {
    const buf = this.buf;
    let p = this.pos;
    let v = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const b = buf[p++]!;
      v |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p;
        this.hi = 0;
        this.lo = v >>> 0;
        return;
      }
    }
    this.rest(v, p);
  }

  /** Finishes a varint whose first four bytes gave `low28`; bytes 5..10 start at `p`. */
  private rest(low28: number, p: number): void {
    const buf = this.buf;
    const start = p - 4;
    let b = buf[p++]!;
    const lo = (low28 | ((b & 0x0f) << 28)) >>> 0;
    let hi = (b & 0x7f) >>> 4;
    if (b >= 0x80) {
      b = buf[p++]!;
      hi |= (b & 0x7f) << 3;
      if (b >= 0x80) {
        b = buf[p++]!;
        hi |= (b & 0x7f) << 10;
        if (b >= 0x80) {
          b = buf[p++]!;
          hi |= (b & 0x7f) << 17;
          if (b >= 0x80) {
            b = buf[p++]!;
            hi |= (b & 0x7f) << 24;
            if (b >= 0x80) {
              b = buf[p++]!;
              // The tenth byte carries only bit 63.
              if (b > 1) malformed("varint longer than 64 bits", start);
              hi |= b << 31;
            }
          }
        }
      }
    }
    if (p > this.buf.length) malformed("truncated varint", start);
    this.pos = p;
    this.hi = hi >>> 0;
    this.lo = lo;
  }

  /** Reads a length prefix and returns the end offset of the body; it must fit inside `limit`. */
  lenEnd(limit: number, what: string): number {
    const at = this.pos;
    const n = this.uint();
    const end = this.pos + n;
    if (this.pos > limit || end > limit) malformed(`${what}: length ${n} runs past the end of its enclosing message`, at);
    return end;
  }

  /** Skips one field of an unknown number (its key was read at `at`); groups are rejected (pprof never uses them). */
  skip(tag: number, limit: number, what: string, at: number): void {
    switch (tag & 7) {
      case 0:
        this.varint64();
        break;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos = this.lenEnd(limit, what);
        break;
      case 5:
        this.pos += 4;
        break;
      default:
        malformed(`${what}: field ${tag >>> 3} has unsupported wire type (${wireTypeName(tag & 7)})`, at);
    }
    if (this.pos > limit) malformed(`${what}: field ${tag >>> 3} runs past the end of its enclosing message`, at);
  }

  /** Fails because a known field arrived with the wrong wire type. */
  badWireType(tag: number, what: string, at: number): never {
    malformed(`${what}: field ${tag >>> 3} has wire type ${wireTypeName(tag & 7)}`, at);
  }
}
