/**
 * The pruning threshold shared by the flame graph and the tree serialization: a node is
 * kept when its total reaches the maxNodes-th largest total. The walk order and the skip
 * rule follow Pyroscope's Tree.minValue exactly, so ties and zero totals prune alike.
 */
import type { FunctionTree } from "./function-tree.js";

/** A binary min-heap of numbers with a fixed capacity. */
export class MinHeap {
  private readonly values: Float64Array;
  /** Number of values held. */
  size = 0;

  constructor(readonly capacity: number) {
    this.values = new Float64Array(capacity);
  }

  /** Smallest value held; 0 when empty. */
  min(): number {
    return this.size === 0 ? 0 : this.values[0]!;
  }

  /** Adds v; the caller checks that the heap is not full. */
  push(v: number): void {
    const a = this.values;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= v) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = v;
  }

  /** Replaces the smallest value by v (a pop then a push, in one sift). */
  replaceMin(v: number): void {
    const a = this.values;
    const n = this.size;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && a[c + 1]! < a[c]!) c++;
      if (a[c]! >= v) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = v;
  }
}

/**
 * Smallest total a node needs to be kept when at most `maxNodes` nodes are shown
 * (Pyroscope's Tree.minValue); 0 keeps everything (maxNodes < 1, or a tree that fits).
 */
export function minValue(tree: FunctionTree, maxNodes: number): number {
  const k = Math.floor(maxNodes);
  if (!(k >= 1)) return 0;
  const size = tree.nodeCount - 1;
  if (size <= k) return 0;
  tree.computeTotals();
  const { offsets, nodes } = tree.sortedChildren();
  const total = tree.total;
  const heap = new MinHeap(k);
  // Each node is pushed at most once, so `size` bounds the stack.
  const stack = new Int32Array(size);
  let sp = 0;
  for (let j = offsets[0]!; j < offsets[1]!; j++) stack[sp++] = nodes[j]!;
  while (sp > 0) {
    const n = stack[--sp]!;
    const v = total[n]!;
    if (heap.size >= k) {
      // A child's total never exceeds its parent's, so a subtree whose root cannot
      // enter the heap holds nothing that could.
      if (!(v > heap.min())) continue;
      heap.replaceMin(v);
    } else {
      heap.push(v);
    }
    for (let j = offsets[n]!; j < offsets[n + 1]!; j++) stack[sp++] = nodes[j]!;
  }
  return heap.size < k ? 0 : heap.min();
}
