/**
 * Resizing for the typed-array columns and stacks the hot paths use instead of
 * arrays of objects.
 */

/** The typed arrays the codebase grows. */
export type TypedArray = Uint8Array | Int8Array | Int32Array | Uint32Array | Float64Array | BigInt64Array;

type TypedArrayConstructor<T> = { new (length: number): T };

/** A new array of the same type with `length` elements, the first ones copied from `a` (length ≥ a.length). */
export function resized<T extends TypedArray>(a: T, length: number): T {
  const b = new (a.constructor as TypedArrayConstructor<T>)(length);
  (b as unknown as { set(src: T): void }).set(a);
  return b;
}
