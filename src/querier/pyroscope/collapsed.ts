/**
 * The collapsed ("folded") text of a merged tree, `/pyroscope/render?format=collapsed`:
 * one `root;…;leaf <self>` line per call path that has a self value, the format
 * flamegraph.pl, speedscope and `/ingest` read. Lines come in Pyroscope's order
 * (Tree.WriteCollapsed): breadth first, siblings in byte order of their names.
 */
import type { FunctionTree } from "../../model/flamegraph/index.js";

/** The folded-stacks text of `tree`; "" when it holds nothing. */
export function collapsedText(tree: FunctionTree): string {
  tree.computeTotals();
  const { offsets, nodes } = tree.sortedChildren();
  const self = tree.self;
  const parent = tree.parent;
  const out: string[] = [];
  const path: string[] = [];
  // Breadth-first queue of node ids; `head` walks it instead of shifting.
  const queue: number[] = [];
  for (let k = offsets[0]!; k < offsets[1]!; k++) queue.push(nodes[k]!);
  for (let head = 0; head < queue.length; head++) {
    const n = queue[head]!;
    const v = self[n]!;
    if (v > 0) {
      path.length = 0;
      for (let p = n; p > 0; p = parent[p]!) path.push(tree.nodeName(p));
      path.reverse();
      out.push(`${path.join(";")} ${intString(v)}\n`);
    }
    for (let k = offsets[n]!; k < offsets[n + 1]!; k++) queue.push(nodes[k]!);
  }
  return out.join("");
}

/** `v` rounded and written as a plain integer (no exponent, even past 2^53). */
export function intString(v: number): string {
  const r = Math.round(v);
  return Number.isSafeInteger(r) ? String(r) : BigInt(r).toString();
}
