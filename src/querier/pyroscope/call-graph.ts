/**
 * A function call graph from a merged tree, trimmed the way `go tool pprof -dot` trims
 * it so that large profiles stay readable: a node per function with its flat (self) and
 * cum (inclusive) value, an edge per caller → callee pair weighted by the value that
 * flows through it. Functions whose cum is under a fraction of the total are dropped,
 * then only the heaviest `nodeCount` are kept; a call path through dropped functions
 * becomes a residual edge between the kept ones around them. Light edges are dropped
 * last, and a residual edge goes when its callee is reachable from its caller anyway.
 *
 * Each value is counted once per call path, as pprof counts a sample once per node and
 * edge: in a recursive path only the outermost occurrence of a function (or of an edge)
 * adds to it. Self edges (direct recursion) are not drawn.
 */
import type { FunctionTree } from "../../model/flamegraph/index.js";

/** How much of the graph to keep. */
export interface CallGraphOptions {
  /** Most functions to keep (0 = all). */
  nodeCount: number;
  /** Functions whose cum is below total × nodeFraction are dropped. */
  nodeFraction: number;
  /** Edges whose weight is below total × edgeFraction are dropped. */
  edgeFraction: number;
}

/** pprof's defaults for its dot output (0.5 % of the total per node, 0.1 % per edge). */
export function defaultCallGraphOptions(): CallGraphOptions {
  return { nodeCount: 100, nodeFraction: 0.005, edgeFraction: 0.001 };
}

/** A function of the graph. */
export interface CallGraphNode {
  name: string;
  flat: number;
  cum: number;
}

/** A call between two kept functions; `from`/`to` index `nodes`. */
export interface CallGraphEdge {
  from: number;
  to: number;
  weight: number;
  /** True when the call passes through dropped functions. */
  residual: boolean;
}

/** The trimmed graph and what trimming removed. */
export interface CallGraph {
  total: number;
  /** Heaviest cum first; equal cums by name. */
  nodes: CallGraphNode[];
  /** Heaviest first. */
  edges: CallGraphEdge[];
  /** Functions under the cum cut-off. */
  droppedNodes: number;
  /** Edges under the weight cut-off. */
  droppedEdges: number;
  /** Functions left after the cum cut-off, before `nodeCount` applied. */
  candidateNodes: number;
  /** The cum a function needed to stay. */
  nodeCutoff: number;
  /** The weight an edge needed to stay. */
  edgeCutoff: number;
}

/** Builds the trimmed call graph of `tree`. */
export function buildCallGraph(tree: FunctionTree, opts: CallGraphOptions): CallGraph {
  tree.computeTotals();
  const total = tree.total[0]!;
  const nameCount = tree.names.length;
  const flat = new Float64Array(nameCount);
  const cum = new Float64Array(nameCount);
  for (let n = 1; n < tree.nodeCount; n++) flat[tree.nodeNameId[n]!] += tree.self[n]!;
  const active = new Int32Array(nameCount);
  walk(tree, (n) => {
    const f = tree.nodeNameId[n]!;
    if (active[f]++ === 0) cum[f] += tree.total[n]!;
    return () => void active[f]--;
  });

  const nodeCutoff = Math.floor(total * opts.nodeFraction);
  let candidates: number[] = [];
  let droppedNodes = 0;
  for (let f = 0; f < nameCount; f++) {
    if (cum[f] === 0 && flat[f] === 0) continue;
    if (cum[f]! < nodeCutoff) droppedNodes++;
    else candidates.push(f);
  }
  candidates.sort((a, b) => cum[b]! - cum[a]! || compareNames(tree.names[a]!, tree.names[b]!));
  const candidateNodes = candidates.length;
  if (opts.nodeCount > 0 && candidates.length > opts.nodeCount) candidates = candidates.slice(0, opts.nodeCount);

  const index = new Int32Array(nameCount).fill(-1);
  candidates.forEach((f, i) => (index[f] = i));
  const nodes = candidates.map((f) => ({ name: tree.names[f]!, flat: flat[f]!, cum: cum[f]! }));

  const edgeCutoff = Math.floor(total * opts.edgeFraction);
  const all = collectEdges(tree, index, nodes.length);
  const edges = all.filter((e) => e.weight >= edgeCutoff);
  const kept = removeRedundantEdges(edges, nodes.length);
  return { total, nodes, edges: kept, droppedNodes, droppedEdges: all.length - edges.length, candidateNodes, nodeCutoff, edgeCutoff };
}

/**
 * Edges between kept functions (index[f] ≥ 0): each kept node of the tree is called by
 * the nearest kept function above it on its path.
 */
function collectEdges(tree: FunctionTree, index: Int32Array, nodeCount: number): CallGraphEdge[] {
  const byKey = new Map<number, CallGraphEdge>();
  const activeEdges = new Map<number, number>();
  // Per dropped tree node: the graph index of its nearest kept ancestor (-1 for none).
  const keptAbove = new Int32Array(tree.nodeCount).fill(-1);
  walk(tree, (n) => {
    const p = tree.parent[n]!;
    const parentIndex = p === 0 ? -1 : index[tree.nodeNameId[p]!]!;
    const caller = parentIndex >= 0 || p === 0 ? parentIndex : keptAbove[p]!;
    // A dropped parent means the call reaches n through functions the graph leaves out.
    const residual = parentIndex < 0 && p !== 0;
    const self = index[tree.nodeNameId[n]!]!;
    if (self < 0) {
      keptAbove[n] = caller;
      return undefined;
    }
    if (caller < 0 || caller === self) return undefined;
    const key = caller * nodeCount + self;
    const depth = activeEdges.get(key) ?? 0;
    activeEdges.set(key, depth + 1);
    let e = byKey.get(key);
    if (!e) byKey.set(key, (e = { from: caller, to: self, weight: 0, residual: false }));
    if (depth === 0) e.weight += tree.total[n]!;
    if (residual) e.residual = true;
    return () => void activeEdges.set(key, activeEdges.get(key)! - 1);
  });
  return [...byKey.values()].sort((a, b) => b.weight - a.weight || a.from - b.from || a.to - b.to);
}

/**
 * Drops residual edges whose callee the caller reaches through other edges. Per callee,
 * incoming edges are tried lightest first and only up to the first non-residual one, so
 * no residual edge heavier than a real call disappears.
 */
function removeRedundantEdges(edges: CallGraphEdge[], nodeCount: number): CallGraphEdge[] {
  const incoming: CallGraphEdge[][] = Array.from({ length: nodeCount }, () => []);
  for (const e of edges) incoming[e.to]!.push(e);
  const removed = new Set<CallGraphEdge>();
  for (let n = nodeCount - 1; n >= 0; n--) {
    const ins = incoming[n]!;
    for (let j = ins.length - 1; j >= 0; j--) {
      const e = ins[j]!;
      if (!e.residual) break;
      if (reachableWithout(e, incoming, removed)) removed.add(e);
    }
  }
  return edges.filter((e) => !removed.has(e));
}

/** Whether e.from reaches e.to through edges other than e (searching callers of e.to backwards). */
function reachableWithout(e: CallGraphEdge, incoming: CallGraphEdge[][], removed: ReadonlySet<CallGraphEdge>): boolean {
  const seen = new Set<number>([e.to]);
  const queue = [e.to];
  for (let head = 0; head < queue.length; head++) {
    for (const ie of incoming[queue[head]!]!) {
      if (ie === e || removed.has(ie) || seen.has(ie.from)) continue;
      if (ie.from === e.from) return true;
      seen.add(ie.from);
      queue.push(ie.from);
    }
  }
  return false;
}

/**
 * Depth-first walk over every node but the root, parents before children; `enter` may
 * return a function that runs once the node's subtree is done.
 */
function walk(tree: FunctionTree, enter: (node: number) => (() => void) | undefined): void {
  const { offsets, nodes } = tree.sortedChildren();
  const stack: number[] = [];
  const cursor: number[] = [];
  const exits: ((() => void) | undefined)[] = [];
  stack.push(0);
  cursor.push(offsets[0]!);
  exits.push(undefined);
  while (stack.length > 0) {
    const top = stack.length - 1;
    const n = stack[top]!;
    const k = cursor[top]!;
    if (k < offsets[n + 1]!) {
      cursor[top] = k + 1;
      const child = nodes[k]!;
      exits.push(enter(child));
      stack.push(child);
      cursor.push(offsets[child]!);
    } else {
      exits.pop()?.();
      stack.pop();
      cursor.pop();
    }
  }
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
