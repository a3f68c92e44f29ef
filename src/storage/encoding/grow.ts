/**
 * Geometric growth for typed arrays: the head's columns and symbol tables are
 * append-only typed arrays that double when full.
 */

import { resized } from "../../model/typed-array.js";
import type { TypedArray } from "../../model/typed-array.js";

/** Returns `a` if it holds at least `need` elements, else a copy with at least double capacity. */
export function grow<T extends TypedArray>(a: T, need: number): T {
  if (need <= a.length) return a;
  let cap = Math.max(16, a.length * 2);
  while (cap < need) cap *= 2;
  return resized(a, cap);
}

/** A 32-bit hash step (multiply-xorshift); good enough spread for open addressing. */
export function mix32(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x9e3779b1);
  return h ^ (h >>> 15);
}

/** Smallest power of two ≥ n (n ≥ 1). */
export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
