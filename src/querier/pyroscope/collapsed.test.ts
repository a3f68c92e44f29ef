import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FunctionTree } from "../../model/flamegraph/index.js";
import { collapsedText, intString } from "./collapsed.js";

function tree(stacks: [string[], number][]): FunctionTree {
  const t = new FunctionTree();
  for (const [names, v] of stacks) t.insertStack(v, names);
  return t;
}

describe("collapsedText", () => {
  const cases: { name: string; stacks: [string[], number][]; want: string }[] = [
    { name: "empty tree", stacks: [], want: "" },
    { name: "one stack", stacks: [[["main", "work"], 5]], want: "main;work 5\n" },
    {
      name: "breadth first, siblings in byte order, only nodes with self",
      stacks: [
        [["main", "work", "compute"], 60],
        [["main", "work"], 20],
        [["main", "idle"], 15],
        [["gc"], 1],
        [["Main"], 2],
      ],
      want: "Main 2\ngc 1\nmain;idle 15\nmain;work 20\nmain;work;compute 60\n",
    },
    { name: "merged duplicates sum", stacks: [[["a", "b"], 1], [["a", "b"], 2]], want: "a;b 3\n" },
    { name: "recursion keeps every frame", stacks: [[["a", "a", "b"], 4]], want: "a;a;b 4\n" },
  ];
  for (const c of cases) it(c.name, () => assert.equal(collapsedText(tree(c.stacks)), c.want));
});

describe("intString", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [12.6, "13"],
    [2 ** 53 + 2, "9007199254740994"],
    [1e21, "1000000000000000000000"],
  ];
  for (const [v, want] of cases) it(`${v} → ${want}`, () => assert.equal(intString(v), want));
});
