/**
 * The FlameGraphDiff answer of Diff, as Pyroscope's NewFlamegraphDiff
 * (pkg/model/flamegraph_diff.go) builds it: both trees are aligned on one shape (a node
 * present on one side only gets an empty twin on the other), pruned on
 * max(leftTotal, rightTotal), and written as 7-tuples
 * [leftX, leftTotal, leftSelf, rightX, rightTotal, rightSelf, nameIndex].
 */
import { InvalidArgumentError } from "../errors.js";
import { FunctionTree } from "./function-tree.js";
import { OTHER_NAME } from "./flamegraph.js";
import { MinHeap } from "./min-value.js";
import { resized } from "../typed-array.js";

/** A diff flame graph; total = leftTicks + rightTicks. */
export interface FlameGraphDiffData {
  /** names[0] is "total". */
  names: string[];
  levels: number[][];
  total: number;
  maxSelf: number;
  leftTicks: number;
  rightTicks: number;
}

/** The shape both trees share: union nodes with each side's self and total (0 where absent). */
interface Combined {
  tree: FunctionTree;
  leftSelf: Float64Array;
  leftTotal: Float64Array;
  rightSelf: Float64Array;
  rightTotal: Float64Array;
}

/**
 * Builds the diff flame graph of `left` against `right`, keeping about `maxNodes` nodes
 * (all when maxNodes < 1). Throws InvalidArgumentError when a tree holds a negative self:
 * the x layout assumes totals never shrink towards the root.
 */
export function buildFlameGraphDiff(left: FunctionTree, right: FunctionTree, maxNodes: number): FlameGraphDiffData {
  assertPositive(left, right);
  const c = combine(left, right);
  const ut = c.tree;
  const { offsets, nodes: kids } = ut.sortedChildren();
  const leftTicks = c.leftTotal[0]!;
  const rightTicks = c.rightTotal[0]!;
  const minVal = maxNodes > 0 ? combinedMinValue(c, maxNodes) : 0;

  // Name indices are cached by original name, so the root's key is "" (shown as "total").
  const names: string[] = [];
  const nameIndex = new Int32Array(ut.names.length).fill(-1);
  const otherId = ut.findName(OTHER_NAME);
  const emptyId = ut.findName("");

  let cap = 256;
  let sNode = new Int32Array(cap);
  let sLevel = new Int32Array(cap);
  let sX = new Float64Array(cap * 4); // left x, right x, synthetic left value, synthetic right value
  let sp = 0;
  const push = (node: number, level: number, lx: number, rx: number, lv: number, rv: number): void => {
    if (sp === cap) {
      cap *= 2;
      sNode = resized(sNode, cap);
      sLevel = resized(sLevel, cap);
      sX = resized(sX, cap * 4);
    }
    sNode[sp] = node;
    sLevel[sp] = level;
    sX[sp * 4] = lx;
    sX[sp * 4 + 1] = rx;
    sX[sp * 4 + 2] = lv;
    sX[sp * 4 + 3] = rv;
    sp++;
  };

  const visited: number[][] = [];
  let maxSelf = 0;
  push(0, 0, 0, 0, 0, 0);
  while (sp > 0) {
    sp--;
    const node = sNode[sp]!;
    const level = sLevel[sp]!;
    let lx = sX[sp * 4]!;
    let rx = sX[sp * 4 + 1]!;
    const synthetic = node < 0;
    const lSelf = synthetic ? sX[sp * 4 + 2]! : c.leftSelf[node]!;
    const rSelf = synthetic ? sX[sp * 4 + 3]! : c.rightSelf[node]!;
    const lTot = synthetic ? lSelf : c.leftTotal[node]!;
    const rTot = synthetic ? rSelf : c.rightTotal[node]!;
    const id = synthetic ? otherId : node === 0 ? emptyId : ut.nodeNameId[node]!;
    // Children are only pushed when they pass this test, so it filters nothing but is kept for parity.
    if (!(lTot >= minVal || rTot >= minVal || id === otherId)) continue;

    let index = nameIndex[id]!;
    if (index < 0) {
      index = names.length;
      names.push(index === 0 ? "total" : ut.names[id]!);
      nameIndex[id] = index;
    }
    if (lSelf > maxSelf) maxSelf = lSelf;
    if (rSelf > maxSelf) maxSelf = rSelf;
    if (level === visited.length) visited.push([]);
    visited[level]!.push(lx, lTot, lSelf, rx, rTot, rSelf, index);
    if (synthetic) continue;

    lx += lSelf;
    rx += rSelf;
    let otherLeft = 0;
    let otherRight = 0;
    for (let j = offsets[node]!, end = offsets[node + 1]!; j < end; j++) {
      const k = kids[j]!;
      const kl = c.leftTotal[k]!;
      const kr = c.rightTotal[k]!;
      // Unlike the single flame graph, a real child called "other" is kept when large enough.
      if (kl >= minVal || kr >= minVal) {
        push(k, level + 1, lx, rx, 0, 0);
        lx += kl;
        rx += kr;
      } else {
        otherLeft += kl;
        otherRight += kr;
      }
    }
    if (otherLeft !== 0 || otherRight !== 0) push(-1, level + 1, lx, rx, otherLeft, otherRight);
  }

  const levels = visited.map((v) => reverseAndDeltaEncode7(v));
  return { names, levels, total: leftTicks + rightTicks, maxSelf, leftTicks, rightTicks };
}

function hasNegativeSelf(t: FunctionTree): boolean {
  const self = t.self;
  for (let i = 1; i < t.nodeCount; i++) if (self[i]! < 0) return true;
  return false;
}

function assertPositive(left: FunctionTree, right: FunctionTree): void {
  const l = hasNegativeSelf(left);
  const r = hasNegativeSelf(right);
  if (l && r) throw new InvalidArgumentError("invalid_query", "both trees require only positive values");
  if (l) throw new InvalidArgumentError("invalid_query", "left tree require only positive values");
  if (r) throw new InvalidArgumentError("invalid_query", "right tree require only positive values");
}

/**
 * Aligns both trees on their union. Node 0 of the union is Pyroscope's fake root (name "",
 * self 0, total = sum of the roots). "" and "other" are interned up front so that the name
 * cache can key the root and the synthetic "other" like real names.
 */
function combine(left: FunctionTree, right: FunctionTree): Combined {
  const tree = new FunctionTree(Math.max(left.nodeCount, right.nodeCount) + 16);
  tree.nameId("");
  tree.nameId(OTHER_NAME);
  const mapInto = (src: FunctionTree): Int32Array => {
    const nameMap = new Int32Array(src.names.length).fill(-1);
    const map = new Int32Array(src.nodeCount);
    for (let i = 1; i < src.nodeCount; i++) {
      const sid = src.nodeNameId[i]!;
      let id = nameMap[sid]!;
      if (id < 0) nameMap[sid] = id = tree.nameId(src.names[sid]!);
      map[i] = tree.child(map[src.parent[i]!]!, id);
    }
    return map;
  };
  const leftMap = mapInto(left);
  const rightMap = mapInto(right);
  const n = tree.nodeCount;
  const sides = (src: FunctionTree, map: Int32Array): [Float64Array, Float64Array] => {
    const self = new Float64Array(n);
    for (let i = 1; i < src.nodeCount; i++) self[map[i]!] += src.self[i]!;
    const total = self.slice();
    const parent = tree.parent;
    for (let i = n - 1; i > 0; i--) total[parent[i]!] += total[i]!;
    return [self, total];
  };
  const [leftSelf, leftTotal] = sides(left, leftMap);
  const [rightSelf, rightTotal] = sides(right, rightMap);
  return { tree, leftSelf, leftTotal, rightSelf, rightTotal };
}

/**
 * Pyroscope's combineMinValues: a pre-order walk (first child first) from the fake root
 * that feeds max(leftTotal, rightTotal) to a capped sorted array and descends only where
 * the push succeeded. The capped array accepts anything while not full but reports
 * success only for a non-zero value; once full it accepts only values above its minimum.
 * The tree size it compares with maxNodes counts the fake root.
 */
function combinedMinValue(c: Combined, maxNodes: number): number {
  const k = Math.floor(maxNodes);
  if (!(k >= 1)) return 0;
  const ut = c.tree;
  if (ut.nodeCount <= k) return 0;
  const { offsets, nodes } = ut.sortedChildren();
  const heap = new MinHeap(k);
  const stack = new Int32Array(ut.nodeCount);
  let sp = 0;
  stack[sp++] = 0;
  while (sp > 0) {
    const n = stack[--sp]!;
    const l = c.leftTotal[n]!;
    const r = c.rightTotal[n]!;
    const v = l > r ? l : r;
    let accepted: boolean;
    if (heap.size < k) {
      heap.push(v);
      accepted = v !== 0;
    } else if (v > heap.min()) {
      heap.replaceMin(v);
      accepted = true;
    } else {
      accepted = false;
    }
    if (!accepted) continue;
    for (let j = offsets[n + 1]! - 1; j >= offsets[n]!; j--) stack[sp++] = nodes[j]!;
  }
  return heap.min();
}

/** Reverses the order of the 7-tuples of `v` and delta-encodes both x offsets. */
function reverseAndDeltaEncode7(v: number[]): number[] {
  const n = v.length;
  const out = new Array<number>(n);
  let prevLeft = 0;
  let prevRight = 0;
  for (let i = 0; i < n; i += 7) {
    const src = n - 7 - i;
    const lx = v[src]! - prevLeft;
    const rx = v[src + 3]! - prevRight;
    out[i] = lx;
    out[i + 1] = v[src + 1]!;
    out[i + 2] = v[src + 2]!;
    out[i + 3] = rx;
    out[i + 4] = v[src + 4]!;
    out[i + 5] = v[src + 5]!;
    out[i + 6] = v[src + 6]!;
    prevLeft += lx + v[src + 1]!;
    prevRight += rx + v[src + 4]!;
  }
  return out;
}
