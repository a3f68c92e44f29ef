import assert from "node:assert/strict";
import { test } from "node:test";
import { FunctionTree } from "./function-tree.js";
import { MinHeap, minValue } from "./min-value.js";

test("MinHeap keeps its minimum", () => {
  const h = new MinHeap(5);
  assert.equal(h.min(), 0);
  for (const v of [5, 3, 8, 1, 9]) h.push(v);
  assert.equal(h.min(), 1);
  h.replaceMin(7); // {3,5,7,8,9}
  assert.equal(h.min(), 3);
  h.replaceMin(10); // {5,7,8,9,10}
  assert.equal(h.min(), 5);
  assert.equal(h.size, 5);
});

test("minValue is the maxNodes-th largest total", async (t) => {
  // a(4) → b(1) → e(1); a → c(3, self 2) → d(1): five nodes, totals 4,3,1,1,1.
  const tree = new FunctionTree();
  tree.insertStack(1, ["a", "b", "e"]);
  tree.insertStack(2, ["a", "c"]);
  tree.insertStack(1, ["a", "c", "d"]);
  const cases: Array<{ maxNodes: number; want: number }> = [
    { maxNodes: -1, want: 0 },
    { maxNodes: 0, want: 0 },
    { maxNodes: 1, want: 4 },
    { maxNodes: 2, want: 3 },
    { maxNodes: 3, want: 1 },
    { maxNodes: 4, want: 1 },
    // The tree fits: nothing is pruned.
    { maxNodes: 5, want: 0 },
    { maxNodes: 1_000_000, want: 0 },
  ];
  for (const c of cases) {
    await t.test(`maxNodes ${c.maxNodes}`, () => assert.equal(minValue(tree, c.maxNodes), c.want));
  }
});
