import assert from "node:assert/strict";
import { test } from "node:test";
import { buildFlameGraph } from "./flamegraph.js";
import type { FlameGraphData } from "./flamegraph.js";
import { FunctionTree } from "./function-tree.js";

function treeOf(stacks: Array<[number, string[]]>): FunctionTree {
  const t = new FunctionTree();
  for (const [v, names] of stacks) t.insertStack(v, names);
  return t;
}

// a;b;e=1, a;c=2, a;c;d=1 — the tree of Pyroscope's own flame graph test.
const abcde: Array<[number, string[]]> = [
  [1, ["a", "b", "e"]],
  [2, ["a", "c"]],
  [1, ["a", "c", "d"]],
];
const abcdeFull: FlameGraphData = {
  // Visit order: root, a, then c before b (the last child is popped first), d, b, e.
  names: ["total", "a", "c", "d", "b", "e"],
  levels: [
    [0, 4, 0, 0],
    [0, 4, 0, 1],
    // b at x 0 (total 1), c right after it: delta 0, total 3, self 2.
    [0, 1, 0, 4, 0, 3, 2, 2],
    // e under b at 0; d under c starts at 1 + 2 (c's self) = 3, i.e. 2 after e ends.
    [0, 1, 1, 5, 2, 1, 1, 3],
  ],
  total: 4,
  maxSelf: 2,
};

const cases: Array<{ name: string; stacks: Array<[number, string[]]>; maxNodes: number; want: FlameGraphData }> = [
  { name: "no limit", stacks: abcde, maxNodes: -1, want: abcdeFull },
  { name: "limit above the tree size", stacks: abcde, maxNodes: 5, want: abcdeFull },
  // totals 4,3,1,1,1 → minVal 1 keeps every node.
  { name: "maxNodes 3", stacks: abcde, maxNodes: 3, want: abcdeFull },
  {
    // minVal 3: b (1) folds into "other" beside c; d (1) folds into "other" under c.
    name: "maxNodes 2",
    stacks: abcde,
    maxNodes: 2,
    want: {
      names: ["total", "a", "other", "c"],
      levels: [
        [0, 4, 0, 0],
        [0, 4, 0, 1],
        [0, 3, 2, 3, 0, 1, 1, 2],
        [2, 1, 1, 2],
      ],
      total: 4,
      maxSelf: 2,
    },
  },
  {
    // minVal 4: only a survives; b and c fold into one "other" of 4, which is also maxSelf.
    name: "maxNodes 1",
    stacks: abcde,
    maxNodes: 1,
    want: {
      names: ["total", "a", "other"],
      levels: [
        [0, 4, 0, 0],
        [0, 4, 0, 1],
        [0, 4, 4, 2],
      ],
      total: 4,
      maxSelf: 4,
    },
  },
  {
    // The root is still visited: names ["total"] and one zero tuple.
    name: "empty tree",
    stacks: [],
    maxNodes: 10,
    want: { names: ["total"], levels: [[0, 0, 0, 0]], total: 0, maxSelf: 0 },
  },
  {
    // Roots a(1), b(3), c(2) side by side; c is visited first, so it gets index 1.
    name: "multiple roots",
    stacks: [
      [3, ["b"]],
      [1, ["a", "x"]],
      [2, ["c", "y"]],
    ],
    maxNodes: 0,
    want: {
      names: ["total", "c", "y", "b", "a", "x"],
      levels: [
        [0, 6, 0, 0],
        [0, 1, 0, 4, 0, 3, 3, 3, 0, 2, 0, 1],
        // x under a at 0; y under c at 4, i.e. 3 after x ends.
        [0, 1, 1, 5, 3, 2, 2, 2],
      ],
      total: 6,
      maxSelf: 3,
    },
  },
  {
    // A real child named "other" always folds into the synthetic "other", even unpruned.
    name: "existing child named other, no limit",
    stacks: [
      [5, ["main", "other"]],
      [3, ["main", "work"]],
      [1, ["main", "idle"]],
    ],
    maxNodes: -1,
    want: {
      names: ["total", "main", "other", "work", "idle"],
      levels: [
        [0, 9, 0, 0],
        [0, 9, 0, 1],
        [0, 1, 1, 4, 0, 3, 3, 3, 0, 5, 5, 2],
      ],
      total: 9,
      maxSelf: 5,
    },
  },
  {
    // minVal 3: idle (1) and the real other (5) fold together into one "other" of 6.
    name: "existing child named other, pruned",
    stacks: [
      [5, ["main", "other"]],
      [3, ["main", "work"]],
      [1, ["main", "idle"]],
    ],
    maxNodes: 3,
    want: {
      names: ["total", "main", "other", "work"],
      levels: [
        [0, 9, 0, 0],
        [0, 9, 0, 1],
        [0, 3, 3, 3, 0, 6, 6, 2],
      ],
      total: 9,
      maxSelf: 6,
    },
  },
  {
    // Pyroscope's merger test tree with maxNodes 4: minVal 2; zoo and the real "other"
    // under fred fold (2), bar keeps (2) but its child baz folds.
    name: "folding at several levels",
    stacks: [
      [1, ["foo", "bar"]],
      [1, ["foo", "bar", "baz"]],
      [2, ["foo", "qux"]],
      [1, ["fred", "zoo"]],
      [1, ["fred", "other"]],
    ],
    maxNodes: 4,
    want: {
      names: ["total", "fred", "other", "foo", "qux", "bar"],
      levels: [
        [0, 6, 0, 0],
        [0, 4, 0, 3, 0, 2, 0, 1],
        [0, 2, 1, 5, 0, 2, 2, 4, 0, 2, 2, 2],
        [1, 1, 1, 2],
      ],
      total: 6,
      maxSelf: 2,
    },
  },
  {
    // The root's cache key is "total": a function called "total" reuses index 0,
    // while a function called "" gets its own index.
    name: "functions named total and empty",
    stacks: [
      [1, ["total"]],
      [2, [""]],
    ],
    maxNodes: -1,
    want: {
      names: ["total", ""],
      levels: [
        [0, 3, 0, 0],
        [0, 2, 2, 1, 0, 1, 1, 0],
      ],
      total: 3,
      maxSelf: 2,
    },
  },
];

test("buildFlameGraph matches Pyroscope's NewFlameGraph", async (t) => {
  for (const c of cases) {
    await t.test(c.name, () => assert.deepEqual(buildFlameGraph(treeOf(c.stacks), c.maxNodes), c.want));
  }
});

test("buildFlameGraph orders siblings by UTF-8 bytes", () => {
  // "\u{1F600}" sorts after "\uE000" in Go, so it is the last child and visited first.
  const fg = buildFlameGraph(
    treeOf([
      [1, ["\u{1F600}"]],
      [2, ["\uE000"]],
    ]),
    -1,
  );
  assert.deepEqual(fg.names, ["total", "\u{1F600}", "\uE000"]);
  assert.deepEqual(fg.levels[1], [0, 2, 2, 2, 0, 1, 1, 1]);
});

test("buildFlameGraph does not change the tree", () => {
  const tree = treeOf(abcde);
  const before = tree.nodeCount;
  buildFlameGraph(tree, 1);
  assert.equal(tree.nodeCount, before);
  assert.deepEqual(buildFlameGraph(tree, -1), abcdeFull);
});
