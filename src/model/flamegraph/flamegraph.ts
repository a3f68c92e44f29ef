/**
 * The FlameGraph answer of SelectMergeStacktraces, exactly as Pyroscope's
 * NewFlameGraph (pkg/model/flamegraph.go) builds it. Clients rely on the details:
 * name indices are given in visit order, levels hold [x, total, self, nameIndex]
 * tuples in increasing x, x is delta-encoded, and pruned children fold into "other".
 */
import type { FunctionTree } from "./function-tree.js";
import { minValue } from "./min-value.js";
import { resized } from "../typed-array.js";

/** A flame graph: levels[d] is a flat list of [xDelta, total, self, nameIndex] tuples. */
export interface FlameGraphData {
  /** names[0] is "total". */
  names: string[];
  levels: number[][];
  total: number;
  maxSelf: number;
}

/** Name of the node that stands for pruned children. */
export const OTHER_NAME = "other";

/**
 * Builds the flame graph of `tree`, keeping about `maxNodes` nodes (all when maxNodes < 1).
 *
 * Walk: a LIFO stack starting at the virtual root. Children are pushed in name order, so
 * the last child is visited first; that visit order decides the name indices and puts
 * each level's tuples in decreasing x, so the visit log is read backwards at the end.
 */
export function buildFlameGraph(tree: FunctionTree, maxNodes: number): FlameGraphData {
  tree.computeTotals();
  const { offsets, nodes: kids } = tree.sortedChildren();
  const treeTotal = tree.total;
  const treeSelf = tree.self;
  const nameOf = tree.nodeNameId;
  const total = treeTotal[0]!;
  const minVal = minValue(tree, maxNodes);

  // Pyroscope caches name indices by string; the root's key is "total" (its shown name),
  // so a function called "total" shares index 0 while one called "" does not.
  const names: string[] = [];
  const nameIndex = new Int32Array(tree.names.length).fill(-1);
  const otherId = tree.findName(OTHER_NAME);
  let syntheticOtherIndex = -1;

  // Stack entries: node (-1 = synthetic "other"), level, x, and the synthetic node's value.
  let cap = 256;
  let sNode: Int32Array = new Int32Array(cap);
  let sLevel: Int32Array = new Int32Array(cap);
  let sX: Float64Array = new Float64Array(cap);
  let sValue: Float64Array = new Float64Array(cap);
  let sp = 1; // the virtual root: node 0, level 0, x 0 (zero-initialised)
  const grow = (): void => {
    cap *= 2;
    sNode = resized(sNode, cap);
    sLevel = resized(sLevel, cap);
    sX = resized(sX, cap);
    sValue = resized(sValue, cap);
  };
  // Emitted tuples in visit order, bucketed into levels at the end.
  const out = new TupleLog(tree.nodeCount + 16);
  let maxSelf = 0;
  while (sp > 0) {
    sp--;
    const node = sNode[sp]!;
    const level = sLevel[sp]!;
    let x = sX[sp]!;
    let self: number;
    let nodeTotal: number;
    let index: number;
    if (node === 0) {
      self = 0;
      nodeTotal = total;
      index = names.length;
      names.push("total");
      const totalId = tree.findName("total");
      if (totalId >= 0) nameIndex[totalId] = index;
    } else if (node < 0) {
      self = nodeTotal = sValue[sp]!;
      index = otherId >= 0 ? nameIndex[otherId]! : syntheticOtherIndex;
      if (index < 0) {
        index = names.length;
        names.push(OTHER_NAME);
        if (otherId >= 0) nameIndex[otherId] = index;
        else syntheticOtherIndex = index;
      }
    } else {
      self = treeSelf[node]!;
      nodeTotal = treeTotal[node]!;
      const id = nameOf[node]!;
      index = nameIndex[id]!;
      if (index < 0) {
        index = names.length;
        names.push(tree.names[id]!);
        nameIndex[id] = index;
      }
    }
    if (self > maxSelf) maxSelf = self;
    out.add(level, x, nodeTotal, self, index);
    if (node < 0) continue;

    x += self;
    let otherTotal = 0;
    for (let j = offsets[node]!, end = offsets[node + 1]!; j < end; j++) {
      const c = kids[j]!;
      const ct = treeTotal[c]!;
      // A real child called "other" always folds into the synthetic one.
      if (ct >= minVal && nameOf[c] !== otherId) {
        if (sp === cap) grow();
        sNode[sp] = c;
        sLevel[sp] = level + 1;
        sX[sp] = x;
        sp++;
        x += ct;
      } else {
        otherTotal += ct;
      }
    }
    if (otherTotal !== 0) {
      if (sp === cap) grow();
      sNode[sp] = -1;
      sLevel[sp] = level + 1;
      sX[sp] = x;
      sValue[sp] = otherTotal;
      sp++;
    }
  }

  return { names, levels: out.levels(), total, maxSelf };
}

/** [x, total, self, nameIndex] tuples with their level, kept in typed arrays in visit order. */
class TupleLog {
  private level: Int32Array;
  private vals: Float64Array;
  private count = 0;
  private depth = 0;

  constructor(cap: number) {
    this.level = new Int32Array(cap);
    this.vals = new Float64Array(cap * 4);
  }

  add(level: number, x: number, total: number, self: number, index: number): void {
    const i = this.count++;
    if (i === this.level.length) {
      this.level = resized(this.level, i * 2);
      this.vals = resized(this.vals, i * 8);
    }
    this.level[i] = level;
    const v = i * 4;
    this.vals[v] = x;
    this.vals[v + 1] = total;
    this.vals[v + 2] = self;
    this.vals[v + 3] = index;
    if (level >= this.depth) this.depth = level + 1;
  }

  /**
   * Per-level flat arrays in increasing x, x delta-encoded. Within a level the walk visits
   * nodes right to left, so reading the log backwards yields each level left to right
   * (Pyroscope reverses each level instead; the result is the same).
   */
  levels(): number[][] {
    const counts = new Int32Array(this.depth);
    for (let i = 0; i < this.count; i++) counts[this.level[i]!]++;
    // Pre-sized arrays filled by index are about three times faster to build than push().
    const levels: number[][] = [];
    for (let d = 0; d < this.depth; d++) levels.push(new Array<number>(counts[d]! * 4).fill(0));
    const cursor = new Int32Array(this.depth);
    const prev = new Float64Array(this.depth);
    const vals = this.vals;
    for (let i = this.count - 1; i >= 0; i--) {
      const d = this.level[i]!;
      const v = i * 4;
      const x = vals[v]! - prev[d]!;
      const t = vals[v + 1]!;
      const out = levels[d]!;
      const c = cursor[d]!;
      out[c] = x;
      out[c + 1] = t;
      out[c + 2] = vals[v + 2]!;
      out[c + 3] = vals[v + 3]!;
      cursor[d] = c + 4;
      prev[d] += x + t;
    }
    return levels;
  }
}
