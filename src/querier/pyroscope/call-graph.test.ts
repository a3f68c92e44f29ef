import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FunctionTree } from "../../model/flamegraph/index.js";
import { buildCallGraph, defaultCallGraphOptions } from "./call-graph.js";
import type { CallGraph, CallGraphOptions } from "./call-graph.js";

function tree(stacks: [string[], number][]): FunctionTree {
  const t = new FunctionTree();
  for (const [names, v] of stacks) t.insertStack(v, names);
  return t;
}

/** Nodes as "name flat/cum", edges as "from -> to weight" ("..." for residual). */
function shape(g: CallGraph): { nodes: string[]; edges: string[] } {
  return {
    nodes: g.nodes.map((n) => `${n.name} ${n.flat}/${n.cum}`),
    edges: g.edges.map((e) => `${g.nodes[e.from]!.name} ${e.residual ? "..." : "->"} ${g.nodes[e.to]!.name} ${e.weight}`),
  };
}

const ALL: CallGraphOptions = { nodeCount: 0, nodeFraction: 0, edgeFraction: 0 };

describe("buildCallGraph", () => {
  const cases: {
    name: string;
    stacks: [string[], number][];
    opts?: Partial<CallGraphOptions>;
    nodes: string[];
    edges: string[];
    dropped?: [number, number, number];
  }[] = [
    {
      name: "flat, cum and edge weights; nodes heaviest first",
      stacks: [
        [["main", "work", "compute"], 60],
        [["main", "work"], 20],
        [["main", "idle"], 15],
        [["gc"], 5],
      ],
      nodes: ["main 0/95", "work 20/80", "compute 60/60", "idle 15/15", "gc 5/5"],
      edges: ["main -> work 80", "work -> compute 60", "main -> idle 15"],
    },
    {
      name: "a function reached from two callers: one node, two edges",
      stacks: [
        [["a", "x"], 3],
        [["b", "x"], 4],
      ],
      nodes: ["x 7/7", "b 0/4", "a 0/3"],
      edges: ["b -> x 4", "a -> x 3"],
    },
    {
      name: "recursion counts a path once per function and per edge, without self edges",
      stacks: [
        [["main", "rec", "rec", "rec", "leaf"], 8],
        [["main", "rec", "helper", "rec"], 2],
      ],
      nodes: ["main 0/10", "rec 2/10", "leaf 8/8", "helper 0/2"],
      edges: ["main -> rec 10", "rec -> leaf 8", "rec -> helper 2", "helper -> rec 2"],
    },
    {
      name: "node count keeps the heaviest; calls through dropped functions become residual",
      stacks: [
        [["a", "x1", "hot"], 10],
        [["a", "x2", "hot"], 10],
        [["a", "x3", "hot"], 10],
      ],
      opts: { nodeCount: 2 },
      nodes: ["a 0/30", "hot 30/30"],
      edges: ["a ... hot 30"],
      dropped: [0, 0, 5],
    },
    {
      name: "a residual edge is dropped when the callee is reachable anyway",
      stacks: [
        [["a", "b", "c"], 50],
        [["a", "x", "c"], 10],
      ],
      opts: { nodeCount: 3 },
      nodes: ["a 0/60", "c 60/60", "b 0/50"],
      edges: ["a -> b 50", "b -> c 50"],
      dropped: [0, 0, 4],
    },
    {
      name: "a residual edge heavier than a real call into the same function stays",
      stacks: [
        [["a", "b"], 30],
        [["a", "b", "c"], 5],
        [["a", "x", "c"], 20],
      ],
      opts: { nodeCount: 3 },
      nodes: ["a 0/55", "b 30/35", "c 25/25"],
      edges: ["a -> b 35", "a ... c 20", "b -> c 5"],
      dropped: [0, 0, 4],
    },
    {
      name: "node fraction drops light functions, edge fraction light edges",
      stacks: [
        [["main", "big"], 990],
        [["main", "tiny"], 4],
        [["main", "small"], 6],
      ],
      opts: { nodeFraction: 0.005, edgeFraction: 0.006 },
      nodes: ["main 0/1000", "big 990/990", "small 6/6"],
      edges: ["main -> big 990", "main -> small 6"],
      dropped: [1, 0, 3],
    },
    {
      name: "edge cut-off counts what it drops",
      stacks: [
        [["main", "big"], 990],
        [["main", "small"], 10],
      ],
      opts: { edgeFraction: 0.02 },
      nodes: ["main 0/1000", "big 990/990", "small 10/10"],
      edges: ["main -> big 990"],
      dropped: [0, 1, 3],
    },
    { name: "empty tree", stacks: [], nodes: [], edges: [], dropped: [0, 0, 0] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const g = buildCallGraph(tree(c.stacks), { ...ALL, ...c.opts });
      assert.deepEqual(shape(g), { nodes: c.nodes, edges: c.edges });
      if (c.dropped) assert.deepEqual([g.droppedNodes, g.droppedEdges, g.candidateNodes], c.dropped);
    });
  }

  it("the total is the tree's total", () => {
    assert.equal(buildCallGraph(tree([[["a"], 3], [["b", "c"], 4]]), defaultCallGraphOptions()).total, 7);
  });
});
