/**
 * Append-only typed-array vectors that grow geometrically: the decoder's scratch
 * tables. One class per element type keeps every call site monomorphic, so push()
 * inlines to a bounds check and a store.
 */

function nextCapacity(current: number, need: number): number {
  let cap = current < 8 ? 8 : current * 2;
  while (cap < need) cap *= 2;
  return cap;
}

/** A growable Float64Array. */
export class F64Vec {
  a: Float64Array;
  n = 0;
  /** initialCapacity is a hint only. */
  constructor(initialCapacity = 16) {
    this.a = new Float64Array(initialCapacity);
  }
  /** Appends one element. */
  push(v: number): void {
    if (this.n === this.a.length) this.grow(this.n + 1);
    this.a[this.n++] = v;
  }
  /** Makes room for `extra` more elements and returns the backing array (write at [n, n+extra)). */
  reserve(extra: number): Float64Array {
    if (this.n + extra > this.a.length) this.grow(this.n + extra);
    return this.a;
  }
  /** Reallocates to hold at least `need` elements. */
  grow(need: number): void {
    const next = new Float64Array(nextCapacity(this.a.length, need));
    next.set(this.a.subarray(0, this.n));
    this.a = next;
  }
}

/** A growable Int32Array. */
export class I32Vec {
  a: Int32Array;
  n = 0;
  /** initialCapacity is a hint only. */
  constructor(initialCapacity = 16) {
    this.a = new Int32Array(initialCapacity);
  }
  /** Appends one element. */
  push(v: number): void {
    if (this.n === this.a.length) this.grow(this.n + 1);
    this.a[this.n++] = v;
  }
  /** Reallocates to hold at least `need` elements. */
  grow(need: number): void {
    const next = new Int32Array(nextCapacity(this.a.length, need));
    next.set(this.a.subarray(0, this.n));
    this.a = next;
  }
}

/** A growable Uint32Array. */
export class U32Vec {
  a: Uint32Array;
  n = 0;
  /** initialCapacity is a hint only. */
  constructor(initialCapacity = 16) {
    this.a = new Uint32Array(initialCapacity);
  }
  /** Appends one element. */
  push(v: number): void {
    if (this.n === this.a.length) this.grow(this.n + 1);
    this.a[this.n++] = v;
  }
  /** Makes room for `extra` more elements and returns the backing array (write at [n, n+extra)). */
  reserve(extra: number): Uint32Array {
    if (this.n + extra > this.a.length) this.grow(this.n + extra);
    return this.a;
  }
  /** Reallocates to hold at least `need` elements. */
  grow(need: number): void {
    const next = new Uint32Array(nextCapacity(this.a.length, need));
    next.set(this.a.subarray(0, this.n));
    this.a = next;
  }
}

/** A growable Uint8Array. */
export class U8Vec {
  a: Uint8Array;
  n = 0;
  /** initialCapacity is a hint only. */
  constructor(initialCapacity = 16) {
    this.a = new Uint8Array(initialCapacity);
  }
  /** Appends one element. */
  push(v: number): void {
    if (this.n === this.a.length) this.grow(this.n + 1);
    this.a[this.n++] = v;
  }
  /** Reallocates to hold at least `need` elements. */
  grow(need: number): void {
    const next = new Uint8Array(nextCapacity(this.a.length, need));
    next.set(this.a.subarray(0, this.n));
    this.a = next;
  }
}
