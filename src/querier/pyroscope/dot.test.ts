import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FunctionTree } from "../../model/flamegraph/index.js";
import { parseProfileType } from "../../model/profile-type.js";
import { DOT_MAX_NODES_DEFAULT, renderDot } from "./dot.js";
import { dotNodeNames, parseDot } from "./test-dot-parser.js";
import type { ParsedDot } from "./test-dot-parser.js";

const CPU = parseProfileType("process_cpu:cpu:nanoseconds:cpu:nanoseconds");
const ALLOC = parseProfileType("memory:alloc_space:bytes:space:bytes");

function tree(stacks: [string[], number][]): FunctionTree {
  const t = new FunctionTree();
  for (const [names, v] of stacks) t.insertStack(v, names);
  return t;
}

/** Function nodes ("N…") as name → label, and edges as "from -> to" → label. */
function graph(d: ParsedDot): { nodes: Record<string, string>; edges: Record<string, string> } {
  const names = dotNodeNames(d);
  const nodes: Record<string, string> = {};
  for (const [id, a] of d.nodes) if (id.startsWith("N")) nodes[names.get(id)!] = a["label"]!;
  const edges: Record<string, string> = {};
  for (const e of d.edges) edges[`${names.get(e.from)} -> ${names.get(e.to)}`] = e.attrs["label"]!;
  return { nodes, edges };
}

const STACKS: [string[], number][] = [
  [["main", "work", "compute"], 600e6],
  [["main", "work"], 200e6],
  [["main", "idle"], 150e6],
  [["main", "rec", "rec", "leaf"], 40e6],
  [["gc"], 10e6],
];

describe("renderDot", () => {
  it("draws every function and call with pprof's labels", () => {
    const d = parseDot(renderDot(tree(STACKS), CPU, 0));
    assert.equal(d.name, CPU.id);
    assert.deepEqual(graph(d), {
      nodes: {
        main: "main\\n0 of 990ms (99.00%)",
        work: "work\\n200ms (20.00%)\\nof 800ms (80.00%)",
        compute: "compute\\n600ms (60.00%)",
        idle: "idle\\n150ms (15.00%)",
        leaf: "leaf\\n40ms (4.00%)",
        rec: "rec\\n0 of 40ms (4.00%)",
        gc: "gc\\n10ms (1.00%)",
      },
      edges: {
        "main -> work": " 800ms",
        "work -> compute": " 600ms",
        "main -> idle": " 150ms",
        "main -> rec": " 40ms",
        "rec -> leaf": " 40ms",
      },
    });
    const legend = d.nodes.get("Type: cpu");
    assert.ok(legend, "legend box");
    assert.equal(legend["label"], "Type: cpu\\lShowing nodes accounting for 1000ms, 100% of 1000ms total\\l");
  });

  it("weights edges by their share of the total", () => {
    const d = parseDot(renderDot(tree(STACKS), CPU, 0));
    const names = dotNodeNames(d);
    const work = d.edges.find((e) => names.get(e.from) === "main" && names.get(e.to) === "work")!;
    assert.deepEqual([work.attrs["weight"], work.attrs["penwidth"], work.attrs["color"]], ["81", "5", "#b20b00"]);
    const idle = d.edges.find((e) => names.get(e.to) === "idle")!;
    assert.deepEqual([idle.attrs["weight"], idle.attrs["penwidth"]], ["16", undefined]);
  });

  it("keeps the heaviest functions and marks calls through dropped ones as dotted", () => {
    const stacks: [string[], number][] = [
      [["a", "x1", "hot"], 10],
      [["a", "x2", "hot"], 10],
      [["a", "x3", "hot"], 10],
    ];
    const d = parseDot(renderDot(tree(stacks), ALLOC, 2));
    assert.deepEqual(graph(d), { nodes: { a: "a\\n0 of 30B (100%)", hot: "hot\\n30B (100%)" }, edges: { "a -> hot": " 30B" } });
    assert.equal(d.edges[0]!.attrs["style"], "dotted");
    assert.match(d.edges[0]!.attrs["tooltip"]!, /^a \.\.\. hot/);
    assert.match(d.nodes.get("Type: alloc_space")!["label"]!, /Showing top 2 nodes out of 5\\l/);
  });

  it(`keeps ${DOT_MAX_NODES_DEFAULT} functions by default and says how many it dropped`, () => {
    const stacks: [string[], number][] = [];
    for (let i = 0; i < 150; i++) stacks.push([["root", `f${String(i).padStart(3, "0")}`], 1000 + i]);
    const d = parseDot(renderDot(tree(stacks), ALLOC, 0));
    assert.equal([...d.nodes.keys()].filter((k) => k.startsWith("N")).length, DOT_MAX_NODES_DEFAULT);
    assert.match(d.nodes.get("Type: alloc_space")!["label"]!, /Showing top 100 nodes out of 151\\l/);
  });

  it("drops functions under 0.5 % of the total", () => {
    const d = parseDot(renderDot(tree([[["main", "big"], 9990], [["main", "tiny"], 10]]), ALLOC, 0));
    assert.deepEqual(Object.keys(graph(d).nodes).sort(), ["big", "main"]);
    assert.match(d.nodes.get("Type: alloc_space")!["label"]!, /Dropped 1 node \(cum <= 0.05kB\)\\l/);
  });

  it("escapes names that hold quotes and backslashes", () => {
    const d = parseDot(renderDot(tree([[['say "hi"', "C:\\dir"], 5]]), ALLOC, 0));
    assert.deepEqual(Object.keys(graph(d).nodes).sort(), ["C:\\dir", 'say "hi"']);
  });

  it("an empty tree is a digraph with only the legend", () => {
    const d = parseDot(renderDot(new FunctionTree(), CPU, 0));
    assert.deepEqual([...d.nodes.keys()], ["Type: cpu"]);
    assert.equal(d.edges.length, 0);
  });
});
