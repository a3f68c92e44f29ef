/**
 * Function-tree inserts and flame-graph builds against plain-JS baselines in the same
 * process: (a) 1M frames through FunctionTree.child vs a Map keyed by "parent:nameId";
 * (b) buildFlameGraph on a 100k-node tree vs the same algorithm over one object per node.
 * Rates are reported, so ratio = value / baseline above 1 means we are faster.
 * Run directly: node --import tsx src/model/flamegraph/flamegraph.bench.ts
 */
import { buildFlameGraph } from "./flamegraph.js";
import { FunctionTree } from "./function-tree.js";
import { printWhenMain, round } from "../../../bench/bench-result.js";

/** One benchmark result; value and baseline in `unit`, ratio = value / baseline. */
export interface BenchResult {
  name: string;
  baseline: number;
  value: number;
  ratio: number;
  unit: string;
}

const FRAMES = 1_000_000;
const DEPTH = 20;
const NAMES = 20_000;
const FLAME_NODES = 100_000;
const ROUNDS = 5;

// Results are folded into this so that the work cannot be optimised away.
let sink = 0;

/** Stacks as name ids, `DEPTH` frames each, sharing prefixes the way real call trees do. */
function makeStacks(frames: number): Int32Array {
  const out = new Int32Array(frames);
  let seed = 12345;
  const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  for (let s = 0; s + DEPTH <= frames; s += DEPTH) {
    let name = rnd(16);
    for (let d = 0; d < DEPTH; d++) {
      // Few choices near the root, more towards the leaves.
      name = (name * 31 + rnd(d < 4 ? 2 : 6) + 1) % NAMES;
      out[s + d] = name;
    }
  }
  return out;
}

function insertTree(stacks: Int32Array): number {
  const t = new FunctionTree();
  for (let i = 0; i < NAMES; i++) t.nameId(`fn${i}`);
  let node = 0;
  for (let i = 0; i < stacks.length; i++) {
    if (i % DEPTH === 0) node = 0;
    node = t.child(node, stacks[i]!);
  }
  return t.nodeCount;
}

function insertMap(stacks: Int32Array): number {
  const m = new Map<string, number>();
  let next = 1;
  let node = 0;
  for (let i = 0; i < stacks.length; i++) {
    if (i % DEPTH === 0) node = 0;
    const key = `${node}:${stacks[i]!}`;
    let n = m.get(key);
    if (n === undefined) {
      n = next++;
      m.set(key, n);
    }
    node = n;
  }
  return next;
}

interface ObjNode {
  name: string;
  self: number;
  total: number;
  children: ObjNode[];
}

/** The same tree as objects with name-sorted children, as Pyroscope's Go tree holds it. */
function toObjects(t: FunctionTree): ObjNode {
  t.computeTotals();
  const { offsets, nodes } = t.sortedChildren();
  const objs: ObjNode[] = [];
  for (let n = 0; n < t.nodeCount; n++) objs.push({ name: t.nodeName(n), self: t.self[n]!, total: t.total[n]!, children: [] });
  for (let n = 0; n < t.nodeCount; n++) {
    for (let j = offsets[n]!; j < offsets[n + 1]!; j++) objs[n]!.children.push(objs[nodes[j]!]!);
  }
  return objs[0]!;
}

/** NewFlameGraph without pruning, over objects: the baseline for (b). */
function objectFlameGraph(root: ObjNode): number {
  const names: string[] = [];
  const cache = new Map<string, number>();
  const levels: number[][] = [];
  const stack: Array<{ node: ObjNode; x: number; level: number }> = [{ node: root, x: 0, level: 0 }];
  let maxSelf = 0;
  while (stack.length > 0) {
    const cur = stack.pop()!;
    if (cur.node.self > maxSelf) maxSelf = cur.node.self;
    let name = cur.node.name;
    let i = cache.get(name);
    if (i === undefined) {
      i = names.length;
      if (i === 0) name = "total";
      cache.set(name, i);
      names.push(name);
    }
    if (cur.level === levels.length) levels.push([]);
    levels[cur.level]!.push(i, cur.node.self, cur.node.total, cur.x);
    let x = cur.x + cur.node.self;
    for (const c of cur.node.children) {
      stack.push({ node: c, x, level: cur.level + 1 });
      x += c.total;
    }
  }
  let n = 0;
  for (const l of levels) {
    l.reverse();
    let prev = 0;
    for (let k = 0; k < l.length; k += 4) {
      l[k]! -= prev;
      prev += l[k]! + l[k + 1]!;
    }
    n += l.length;
  }
  return n + maxSelf;
}

function flameTree(): FunctionTree {
  const t = new FunctionTree();
  let seed = 99;
  const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  const names = Array.from({ length: 5000 }, (_, i) => `github.com/org/repo/pkg${i % 50}.Function${i}`);
  while (t.nodeCount < FLAME_NODES) {
    let node = 0;
    const depth = 5 + rnd(25);
    for (let d = 0; d < depth; d++) node = t.child(node, t.nameId(names[rnd(d < 3 ? 8 : names.length)]!));
    t.addSelf(node, 1 + rnd(100));
  }
  return t;
}

/** Best rate (units per second) of `fn` over ROUNDS runs; `prepare` runs untimed before each. */
function bestRate<T>(units: number, prepare: () => T, fn: (input: T) => number): number {
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const input = prepare();
    const start = process.hrtime.bigint();
    sink += fn(input);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    best = Math.max(best, units / seconds);
  }
  return best;
}

/** Runs both benchmarks and returns one row each. */
export async function run(): Promise<BenchResult[]> {
  const stacks = makeStacks(FRAMES);
  bestRate(FRAMES, () => stacks, insertMap);
  bestRate(FRAMES, () => stacks, insertTree);
  const insertBaseline = bestRate(FRAMES, () => stacks, insertMap) / 1e6;
  const insertValue = bestRate(FRAMES, () => stacks, insertTree) / 1e6;
  await new Promise<void>((resolve) => setImmediate(resolve));

  const src = flameTree();
  const nodes = src.nodeCount;
  // A fresh copy per run, so the timed build includes totals and the sorted child index.
  const fresh = (): FunctionTree => {
    const t = new FunctionTree(src.nodeCount);
    t.merge(src);
    return t;
  };
  const objects = toObjects(src);
  bestRate(nodes, () => objects, objectFlameGraph);
  bestRate(nodes, fresh, (t) => buildFlameGraph(t, -1).levels.length);
  const fgBaseline = bestRate(nodes, () => objects, objectFlameGraph) / 1e6;
  const fgValue = bestRate(nodes, fresh, (t) => buildFlameGraph(t, -1).levels.length) / 1e6;
  if (sink === -1) console.log(sink);
  return [
    {
      name: "function tree: 1M frames via child() vs Map<string, number>",
      baseline: round(insertBaseline),
      value: round(insertValue),
      ratio: round(insertValue / insertBaseline),
      unit: "M frames/s",
    },
    {
      name: `buildFlameGraph on ${nodes} nodes vs object-per-node port`,
      baseline: round(fgBaseline),
      value: round(fgValue),
      ratio: round(fgValue / fgBaseline),
      unit: "M nodes/s",
    },
  ];
}


await printWhenMain(import.meta.url, run);
