/**
 * Typed arrays carved out of one ArrayBuffer. V8 gives every typed array over 64 bytes
 * its own off-heap backing store, at roughly a microsecond each; a FlatProfile has ~40
 * arrays, so for small profiles one allocation plus cheap views is several times faster
 * than allocating each array.
 */

/** Bytes a section of `n` elements takes in a slab (rounded up to 8 so every view stays aligned). */
export function slabBytes(n: number, bytesPerElement: number): number {
  return Math.ceil((n * bytesPerElement) / 8) * 8;
}

/** Hands out consecutive typed-array views of one ArrayBuffer sized up front with slabBytes(). */
export class Slab {
  private readonly buffer: ArrayBuffer;
  private offset = 0;

  /** byteLength must be the sum of slabBytes() over every view that will be taken. */
  constructor(byteLength: number) {
    this.buffer = new ArrayBuffer(byteLength);
  }

  /** The next `n` float64s. */
  f64(n: number): Float64Array {
    const a = new Float64Array(this.buffer, this.offset, n);
    this.offset += slabBytes(n, 8);
    return a;
  }

  /** The next `n` uint32s. */
  u32(n: number): Uint32Array {
    const a = new Uint32Array(this.buffer, this.offset, n);
    this.offset += slabBytes(n, 4);
    return a;
  }

  /** The next `n` int32s. */
  i32(n: number): Int32Array {
    const a = new Int32Array(this.buffer, this.offset, n);
    this.offset += slabBytes(n, 4);
    return a;
  }

  /** The next `n` bytes. */
  u8(n: number): Uint8Array {
    const a = new Uint8Array(this.buffer, this.offset, n);
    this.offset += slabBytes(n, 1);
    return a;
  }
}
