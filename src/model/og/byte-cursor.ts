/**
 * A bounds-checked reader of the unsigned LEB128 varints and byte runs that the OG trie
 * and tree bodies are made of. Every malformation becomes
 * InvalidArgumentError("invalid_profile") naming the format, the field and the byte offset.
 */
import { InvalidArgumentError } from "../errors.js";

// A uvarint of 2^64-1 takes ten bytes; an eleventh continuation byte is never valid.
const MAX_VARINT_BYTES = 10;

/** Throws the body error of the OG converters: `what` says what was wrong and where. */
export function invalidBody(format: string, what: string): never {
  throw new InvalidArgumentError("invalid_profile", `invalid ${format} body: ${what}`);
}

/** A cursor over one request body; `pos` is the byte offset of the next read. */
export class ByteCursor {
  pos = 0;

  /** Reads `buf`; `format` names the body in error messages ("trie", "tree"). */
  constructor(
    readonly buf: Uint8Array,
    readonly format: string,
  ) {}

  /** Bytes left after `pos`. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /**
   * Reads a uvarint. Values are kept exact, so anything of 2^53 or more is rejected:
   * no count or length in a real profile comes near it, and a rounded one would be a lie.
   */
  uvarint(field: string): number {
    const buf = this.buf;
    const start = this.pos;
    let p = start;
    let b = p < buf.length ? buf[p++]! : -1;
    if (b >= 0 && b < 0x80) {
      this.pos = p;
      return b;
    }
    let value = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (b < 0) invalidBody(this.format, `${field} varint at byte ${start} runs past the end of the body (${buf.length} bytes)`);
      if (i === MAX_VARINT_BYTES) invalidBody(this.format, `${field} varint at byte ${start} is longer than ${MAX_VARINT_BYTES} bytes`);
      value += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
      b = p < buf.length ? buf[p++]! : -1;
    }
    if (value > Number.MAX_SAFE_INTEGER) invalidBody(this.format, `${field} at byte ${start} is ${value}, above 2^53-1`);
    this.pos = p;
    return value;
  }

  /** Returns the next `n` bytes (a view, not a copy). */
  bytes(n: number, field: string): Uint8Array {
    if (n > this.remaining) {
      invalidBody(this.format, `${field} (${n} bytes from byte ${this.pos}) runs past the end: ${this.remaining} bytes remain`);
    }
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
