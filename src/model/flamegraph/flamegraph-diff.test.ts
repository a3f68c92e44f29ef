import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError } from "../errors.js";
import { buildFlameGraphDiff } from "./flamegraph-diff.js";
import type { FlameGraphDiffData } from "./flamegraph-diff.js";
import { FunctionTree } from "./function-tree.js";

type Stacks = Array<[number, string[]]>;

function treeOf(stacks: Stacks): FunctionTree {
  const t = new FunctionTree();
  for (const [v, names] of stacks) {
    // insertStack drops values ≤ 0; negative ones are needed to test the guard.
    let node = 0;
    for (const n of names) node = t.child(node, t.nameId(n));
    t.addSelf(node, v);
  }
  return t;
}

const abLeft: Stacks = [
  [1, ["a", "b"]],
  [2, ["a", "c"]],
];
const abRight: Stacks = [
  [4, ["a", "b"]],
  [8, ["a", "c"]],
];
const abFull: FlameGraphDiffData = {
  // Visit order: fake root, a, c (last child first), b.
  names: ["total", "a", "c", "b"],
  levels: [
    [0, 3, 0, 0, 12, 0, 0],
    [0, 3, 0, 0, 12, 0, 1],
    // b: left [0,1), right [0,4); c follows directly on both sides (deltas 0).
    [0, 1, 1, 0, 4, 4, 3, 0, 2, 2, 0, 8, 8, 2],
  ],
  total: 15,
  maxSelf: 8,
  leftTicks: 3,
  rightTicks: 12,
};

const mainLeft: Stacks = [
  [5, ["main", "other"]],
  [3, ["main", "work"]],
  [1, ["main", "idle"]],
];
const mainRight: Stacks = [
  [1, ["main", "other"]],
  [4, ["main", "idle"]],
];

const cases: Array<{ name: string; left: Stacks; right: Stacks; maxNodes: number; want: FlameGraphDiffData }> = [
  { name: "same shape", left: abLeft, right: abRight, maxNodes: 1024, want: abFull },
  { name: "negative maxNodes keeps all", left: abLeft, right: abRight, maxNodes: -1, want: abFull },
  { name: "maxNodes above the size keeps all", left: abLeft, right: abRight, maxNodes: Number.MAX_SAFE_INTEGER, want: abFull },
  {
    // Combined size 4 (with the fake root) > 2; the capped array holds {12, 12} (root,
    // a), so b (max 4) and c (max 8) fold into "other" (left 3, right 12).
    name: "maxNodes below the size folds",
    left: abLeft,
    right: abRight,
    maxNodes: 2,
    want: {
      names: ["total", "a", "other"],
      levels: [
        [0, 3, 0, 0, 12, 0, 0],
        [0, 3, 0, 0, 12, 0, 1],
        [0, 3, 3, 0, 12, 12, 2],
      ],
      total: 15,
      maxSelf: 12,
      leftTicks: 3,
      rightTicks: 12,
    },
  },
  {
    // Capped array {8, 12, 12}: minVal 8 keeps c (right 8) and folds b (1 | 4).
    name: "maxNodes 3 keeps the larger side",
    left: abLeft,
    right: abRight,
    maxNodes: 3,
    want: {
      names: ["total", "a", "other", "c"],
      levels: [
        [0, 3, 0, 0, 12, 0, 0],
        [0, 3, 0, 0, 12, 0, 1],
        [0, 2, 2, 0, 8, 8, 3, 0, 1, 1, 0, 4, 4, 2],
      ],
      total: 15,
      maxSelf: 8,
      leftTicks: 3,
      rightTicks: 12,
    },
  },
  {
    // Pyroscope's "different structure" case: c only left, d only right; the missing
    // side gets zero tuples at the running x.
    name: "functions present on one side only",
    left: [
      [1, ["a", "b"]],
      [2, ["a", "c"]],
      [3, ["a", "e"]],
    ],
    right: [
      [4, ["a", "b"]],
      [8, ["a", "d"]],
      [12, ["a", "e"]],
    ],
    maxNodes: 1024,
    want: {
      names: ["total", "a", "e", "d", "c", "b"],
      levels: [
        [0, 6, 0, 0, 24, 0, 0],
        [0, 6, 0, 0, 24, 0, 1],
        [0, 1, 1, 0, 4, 4, 5, 0, 2, 2, 0, 0, 0, 4, 0, 0, 0, 0, 8, 8, 3, 0, 3, 3, 0, 12, 12, 2],
      ],
      total: 30,
      maxSelf: 12,
      leftTicks: 6,
      rightTicks: 24,
    },
  },
  {
    // No common root: a only left, c only right. c is visited first (index 1).
    name: "no common root",
    left: [[2, ["a", "b"]]],
    right: [[3, ["c", "d"]]],
    maxNodes: -1,
    want: {
      names: ["total", "c", "d", "a", "b"],
      levels: [
        [0, 2, 0, 0, 3, 0, 0],
        [0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 3, 0, 1],
        [0, 2, 2, 0, 0, 0, 4, 0, 0, 0, 0, 3, 3, 2],
      ],
      total: 5,
      maxSelf: 3,
      leftTicks: 2,
      rightTicks: 3,
    },
  },
  {
    // Capped array {5, 9, 9}: minVal 5. The real "other" (5 | 1) passes and is kept,
    // unlike in the single flame graph; idle (1 | 4) and work (3 | 0) fold into a
    // synthetic "other" (4 | 4) after it, sharing its name index.
    name: "real other kept beside the synthetic one",
    left: mainLeft,
    right: mainRight,
    maxNodes: 3,
    want: {
      names: ["total", "main", "other"],
      levels: [
        [0, 9, 0, 0, 5, 0, 0],
        [0, 9, 0, 0, 5, 0, 1],
        [0, 5, 5, 0, 1, 1, 2, 0, 4, 4, 0, 4, 4, 2],
      ],
      total: 14,
      maxSelf: 5,
      leftTicks: 9,
      rightTicks: 5,
    },
  },
  {
    // minVal 4: idle passes on its right side (4) and other on its left (5); work (3 | 0) folds.
    name: "fold with one side empty",
    left: mainLeft,
    right: mainRight,
    maxNodes: 4,
    want: {
      names: ["total", "main", "other", "idle"],
      levels: [
        [0, 9, 0, 0, 5, 0, 0],
        [0, 9, 0, 0, 5, 0, 1],
        [0, 1, 1, 0, 4, 4, 3, 0, 5, 5, 0, 1, 1, 2, 0, 3, 3, 0, 0, 0, 2],
      ],
      total: 14,
      maxSelf: 5,
      leftTicks: 9,
      rightTicks: 5,
    },
  },
  {
    name: "both empty",
    left: [],
    right: [],
    maxNodes: -1,
    want: { names: ["total"], levels: [[0, 0, 0, 0, 0, 0, 0]], total: 0, maxSelf: 0, leftTicks: 0, rightTicks: 0 },
  },
  {
    // The diff caches names by original name: "" shares the root's index 0, "total" does not.
    name: "functions named total and empty",
    left: [
      [1, ["total"]],
      [2, [""]],
    ],
    right: [[1, ["total"]]],
    maxNodes: -1,
    want: {
      names: ["total", "total"],
      levels: [
        [0, 3, 0, 0, 1, 0, 0],
        [0, 2, 2, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1],
      ],
      total: 4,
      maxSelf: 2,
      leftTicks: 3,
      rightTicks: 1,
    },
  },
];

test("buildFlameGraphDiff matches Pyroscope's NewFlamegraphDiff", async (t) => {
  for (const c of cases) {
    await t.test(c.name, () => assert.deepEqual(buildFlameGraphDiff(treeOf(c.left), treeOf(c.right), c.maxNodes), c.want));
  }
});

test("buildFlameGraphDiff rejects negative values", async (t) => {
  const neg: Stacks = [
    [1, ["a", "b"]],
    [-2, ["a", "c"]],
  ];
  const pos: Stacks = [[4, ["a", "b"]]];
  const cases: Array<{ name: string; left: Stacks; right: Stacks; message: string }> = [
    { name: "left", left: neg, right: pos, message: "left tree require only positive values" },
    { name: "right", left: pos, right: neg, message: "right tree require only positive values" },
    { name: "both", left: neg, right: neg, message: "both trees require only positive values" },
  ];
  for (const c of cases) {
    await t.test(c.name, () =>
      assert.throws(
        () => buildFlameGraphDiff(treeOf(c.left), treeOf(c.right), 1024),
        (err: unknown) => err instanceof InvalidArgumentError && err.reason === "invalid_query" && err.message === c.message,
      ),
    );
  }
});

test("buildFlameGraphDiff does not change its inputs", () => {
  const left = treeOf(abLeft);
  const right = treeOf(abRight);
  buildFlameGraphDiff(left, right, 2);
  assert.equal(left.nodeCount, 4);
  assert.equal(right.nodeCount, 4);
  assert.deepEqual(left.names, ["a", "b", "c"]);
});
