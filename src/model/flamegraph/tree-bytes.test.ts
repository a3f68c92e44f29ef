import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError } from "../errors.js";
import { buildFlameGraph } from "./flamegraph.js";
import { FunctionTree } from "./function-tree.js";
import { marshalTree, unmarshalTree } from "./tree-bytes.js";

function treeOf(stacks: Array<[number, string[]]>): FunctionTree {
  const t = new FunctionTree();
  for (const [v, names] of stacks) t.insertStack(v, names);
  return t;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));

const abcde = treeOf([
  [1, ["a", "b", "e"]],
  [2, ["a", "c"]],
  [1, ["a", "c", "d"]],
]);

// Each node: nameLen, name, self, childCount. The last child comes first (LIFO walk).
const abcdeBytes = [
  "00 00 01", // virtual root: "", self 0, 1 child
  "01 61 00 02", // a, self 0, 2 children
  "01 63 02 01", // c, self 2, 1 child
  "01 64 01 00", // d, self 1
  "01 62 00 01", // b, self 0, 1 child
  "01 65 01 00", // e, self 1
].join(" ");

const mainTree = treeOf([
  [5, ["main", "other"]],
  [3, ["main", "work"]],
  [1, ["main", "idle"]],
]);

test("marshalTree writes Pyroscope's bytes", async (t) => {
  const cases: Array<{ name: string; tree: FunctionTree; maxNodes: number; want: string }> = [
    { name: "no limit", tree: abcde, maxNodes: -1, want: abcdeBytes },
    { name: "empty tree is zero bytes", tree: new FunctionTree(), maxNodes: -1, want: "" },
    {
      // minVal 3: b folds into a new "other" child placed after c ("c" < "other"), so it
      // is written first; d folds into an "other" under c.
      name: "folding inserts other in name order",
      tree: abcde,
      maxNodes: 2,
      want: "00 00 01  01 61 00 02  05 6f74686572 01 00  01 63 02 01  05 6f74686572 01 00",
    },
    {
      // minVal 3: idle (1) folds into the existing "other" child, whose self becomes 6.
      name: "folding merges into an existing other",
      tree: mainTree,
      maxNodes: 3,
      want: "00 00 01  04 6d61696e 00 02  04 776f726b 03 00  05 6f74686572 06 00",
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.equal(hex(marshalTree(c.tree, c.maxNodes)), c.want.replace(/\s+/g, "")));
  }
});

test("marshalTree leaves the tree unchanged", () => {
  const before = hex(marshalTree(mainTree, -1));
  marshalTree(mainTree, 3);
  assert.equal(hex(marshalTree(mainTree, -1)), before);
});

test("unmarshalTree round-trips", async (t) => {
  let seed = 7;
  const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const names = ["main", "run", "gc", "other", "", "é", "\u{1F600}", "\uE000", "x".repeat(300)];
  const random = new FunctionTree();
  for (let i = 0; i < 2000; i++) {
    const depth = 1 + rnd(8);
    random.insertStack(1 + rnd(1000), Array.from({ length: depth }, () => names[rnd(names.length)]!));
  }
  const big = treeOf([[2 ** 40 + 3, ["big", "value"]]]);
  const cases: Array<{ name: string; tree: FunctionTree }> = [
    { name: "small tree", tree: abcde },
    { name: "random tree with unicode and long names", tree: random },
    { name: "values above 32 bits", tree: big },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const bytes = marshalTree(c.tree, -1);
      const back = unmarshalTree(bytes);
      assert.equal(back.totalValue(), c.tree.totalValue());
      assert.equal(back.nodeCount, c.tree.nodeCount);
      assert.deepEqual(buildFlameGraph(back, -1), buildFlameGraph(c.tree, -1));
      assert.equal(hex(marshalTree(back, -1)), hex(bytes));
    });
  }
});

test("negative self values use 64-bit two's complement", async (t) => {
  await t.test("written in ten bytes and read back", () => {
    // a has self -1 but total 2 (its child b has 3), so it passes the minVal 0 filter.
    const tree = new FunctionTree();
    const a = tree.child(0, tree.nameId("a"));
    tree.addSelf(a, -1);
    tree.addSelf(tree.child(a, tree.nameId("b")), 3);
    const bytes = marshalTree(tree, -1);
    assert.equal(hex(bytes), "000001" + "0161" + "ffffffffffffffffff01" + "01" + "0162" + "03" + "00");
    const back = unmarshalTree(bytes);
    assert.equal(back.self[1], -1);
    assert.equal(back.totalValue(), 2);
  });
  await t.test("a node with a negative total is dropped, as in Pyroscope", () => {
    const tree = new FunctionTree();
    tree.addSelf(tree.child(0, tree.nameId("a")), -1);
    assert.equal(hex(marshalTree(tree, -1)), "000000");
  });
});

test("unmarshalTree of short or trailing input", async (t) => {
  await t.test("under two bytes is an empty tree", () => {
    assert.equal(unmarshalTree(new Uint8Array(0)).nodeCount, 1);
    assert.equal(unmarshalTree(new Uint8Array([0])).nodeCount, 1);
  });
  await t.test("a root without children is an empty tree", () => {
    assert.equal(unmarshalTree(fromHex("000000")).nodeCount, 1);
  });
  await t.test("bytes after the last node are ignored", () => {
    const back = unmarshalTree(fromHex(abcdeBytes + " ff ff"));
    assert.deepEqual(buildFlameGraph(back, -1), buildFlameGraph(abcde, -1));
  });
});

test("unmarshalTree rejects malformed bytes", async (t) => {
  const full = fromHex(abcdeBytes);
  const cases: Array<{ name: string; bytes: Uint8Array }> = [
    ...Array.from({ length: full.length - 2 }, (_, i) => ({ name: `truncated to ${i + 2} bytes`, bytes: full.subarray(0, i + 2) })),
    { name: "name longer than the input", bytes: fromHex("00 00 01 09 61 00 00") },
    { name: "varint overflow", bytes: fromHex("00 00 01 01 61 ff ff ff ff ff ff ff ff ff 02 00") },
    { name: "varint longer than ten bytes", bytes: fromHex("00 00 01 01 61 ff ff ff ff ff ff ff ff ff ff 01 00") },
    { name: "child count larger than the input", bytes: fromHex("00 00 ff ff ff ff 0f 01 61 00 00") },
  ];
  for (const c of cases) {
    await t.test(c.name, () =>
      assert.throws(
        () => unmarshalTree(c.bytes),
        (err: unknown) => err instanceof InvalidArgumentError && err.reason === "invalid_query" && err.message === "malformed tree bytes",
      ),
    );
  }
});
