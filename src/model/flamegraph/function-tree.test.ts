import assert from "node:assert/strict";
import { test } from "node:test";
import { FunctionTree } from "./function-tree.js";

function treeOf(stacks: Array<[number, string[]]>): FunctionTree {
  const t = new FunctionTree();
  for (const [v, names] of stacks) t.insertStack(v, names);
  return t;
}

/** Every stack with a self value, as "a;b;c" → self, for structural comparisons. */
function selfByPath(t: FunctionTree): Map<string, number> {
  const out = new Map<string, number>();
  for (let n = 1; n < t.nodeCount; n++) {
    if (t.self[n] === 0) continue;
    const path: string[] = [];
    for (let m = n; m !== 0; m = t.parent[m]!) path.unshift(t.nodeName(m));
    out.set(path.join(";"), t.self[n]!);
  }
  return out;
}

test("names are interned once", () => {
  const t = new FunctionTree();
  const a = t.nameId("a");
  assert.equal(t.nameId("b"), a + 1);
  assert.equal(t.nameId("a"), a);
  assert.equal(t.findName("b"), a + 1);
  assert.equal(t.findName("missing"), -1);
  assert.deepEqual(t.names, ["a", "b"]);
});

test("child is get-or-create per (parent, name)", () => {
  const t = new FunctionTree();
  const a = t.nameId("a");
  const b = t.nameId("b");
  const n1 = t.child(0, a);
  assert.equal(n1, 1);
  assert.equal(t.child(0, a), n1);
  const n2 = t.child(n1, a);
  assert.notEqual(n2, n1);
  assert.equal(t.child(0, b), 3);
  assert.equal(t.parent[n2], n1);
  assert.equal(t.nodeNameId[n2], a);
  assert.equal(t.nodeCount, 4);
});

test("child rejects unknown parents and names", () => {
  const t = new FunctionTree();
  const a = t.nameId("a");
  assert.throws(() => t.child(5, a), RangeError);
  assert.throws(() => t.child(0, 7), RangeError);
});

test("hash table and arrays grow past the initial capacity", () => {
  const t = new FunctionTree(16);
  const ref = new Map<string, number>();
  let seed = 42;
  const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  for (let i = 0; i < 500; i++) t.nameId(`fn${i}`);
  for (let i = 0; i < 100_000; i++) {
    const parent = rnd(t.nodeCount);
    const name = rnd(500);
    const key = `${parent}:${name}`;
    const node = t.child(parent, name);
    const seen = ref.get(key);
    if (seen === undefined) {
      assert.equal(node, ref.size + 1);
      ref.set(key, node);
    } else {
      assert.equal(node, seen);
    }
  }
  assert.equal(t.nodeCount, ref.size + 1);
  for (const [key, node] of ref) {
    const [p, n] = key.split(":").map(Number) as [number, number];
    assert.equal(t.parent[node], p);
    assert.equal(t.nodeNameId[node], n);
  }
});

test("totals are computed from self values", () => {
  const t = treeOf([
    [1, ["a", "b", "e"]],
    [2, ["a", "c"]],
    [1, ["a", "c", "d"]],
  ]);
  t.computeTotals();
  const byName = (name: string): number => {
    for (let n = 1; n < t.nodeCount; n++) if (t.nodeName(n) === name) return n;
    throw new Error(name);
  };
  assert.equal(t.total[0], 4);
  assert.equal(t.total[byName("a")], 4);
  assert.equal(t.total[byName("c")], 3);
  assert.equal(t.self[byName("c")], 2);
  assert.equal(t.total[byName("b")], 1);
  t.addSelf(byName("e"), 10);
  assert.equal(t.totalValue(), 14);
  assert.equal(t.total[byName("b")], 11);
});

test("insertStack and addSelf edge cases", async (t) => {
  const cases: Array<{ name: string; run: (t: FunctionTree) => void; nodes: number; total: number }> = [
    { name: "zero value creates nothing", run: (t) => t.insertStack(0, ["a"]), nodes: 1, total: 0 },
    { name: "negative value creates nothing", run: (t) => t.insertStack(-3, ["a"]), nodes: 1, total: 0 },
    { name: "empty stack is dropped", run: (t) => t.insertStack(5, []), nodes: 1, total: 0 },
    { name: "root self is dropped", run: (t) => t.addSelf(0, 5), nodes: 1, total: 0 },
    { name: "addSelf accepts negatives", run: (t) => t.addSelf(t.child(0, t.nameId("a")), -2), nodes: 2, total: -2 },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const tree = new FunctionTree();
      c.run(tree);
      assert.equal(tree.nodeCount, c.nodes);
      assert.equal(tree.totalValue(), c.total);
    });
  }
});

test("merge", async (t) => {
  await t.test("sums values of equal paths and adds new ones", () => {
    const dst = treeOf([
      [1, ["a", "b"]],
      [2, ["a", "c"]],
    ]);
    const src = treeOf([
      [3, ["a", "b"]],
      [4, ["x"]],
      [5, ["a", "b", "c"]],
    ]);
    dst.merge(src);
    assert.deepEqual(
      selfByPath(dst),
      new Map([
        ["a;b", 4],
        ["a;c", 2],
        ["x", 4],
        ["a;b;c", 5],
      ]),
    );
    assert.equal(dst.totalValue(), 15);
  });
  await t.test("a zero-total source adds nothing, not even nodes", () => {
    const dst = treeOf([[1, ["a"]]]);
    const src = new FunctionTree();
    src.child(0, src.nameId("zero"));
    dst.merge(src);
    assert.equal(dst.nodeCount, 2);
  });
  await t.test("a zero-total destination is replaced", () => {
    const dst = new FunctionTree();
    dst.child(0, dst.nameId("zero"));
    dst.merge(treeOf([[2, ["a"]]]));
    assert.deepEqual(selfByPath(dst), new Map([["a", 2]]));
    assert.equal(dst.nodeCount, 2);
  });
  await t.test("merging a tree into itself is refused", () => {
    const dst = treeOf([[1, ["a"]]]);
    assert.throws(() => dst.merge(dst), RangeError);
  });
});

test("sortedChildren orders siblings by UTF-8 bytes", () => {
  const t = treeOf([
    [1, ["root", "\uE000"]],
    [1, ["root", "\u{1F600}"]],
    [1, ["root", "b"]],
    [1, ["root", "B"]],
    [1, ["root", ""]],
    [1, ["other"]],
  ]);
  const { offsets, nodes } = t.sortedChildren();
  const childrenOf = (p: number): string[] => Array.from(nodes.subarray(offsets[p]!, offsets[p + 1]!), (n) => t.nodeName(n));
  assert.deepEqual(childrenOf(0), ["other", "root"]);
  const root = t.child(0, t.nameId("root"));
  assert.deepEqual(childrenOf(root), ["", "B", "b", "\uE000", "\u{1F600}"]);
  assert.equal(offsets[t.nodeCount], t.nodeCount - 1);
  assert.equal(t.sortedChildren(), t.sortedChildren(), "cached while the tree is unchanged");
  t.insertStack(1, ["root", "a"]);
  assert.deepEqual(childrenOf(root), ["", "B", "b", "\uE000", "\u{1F600}"], "the old index is a snapshot");
  const fresh = t.sortedChildren();
  assert.deepEqual(
    Array.from(fresh.nodes.subarray(fresh.offsets[root]!, fresh.offsets[root + 1]!), (n) => t.nodeName(n)),
    ["", "B", "a", "b", "\uE000", "\u{1F600}"],
  );
});

test("clear removes nodes but keeps names", () => {
  const t = treeOf([[1, ["a", "b"]]]);
  t.clear();
  assert.equal(t.nodeCount, 1);
  assert.equal(t.totalValue(), 0);
  assert.deepEqual(t.names, ["a", "b"]);
  assert.equal(t.child(0, t.nameId("b")), 1);
});
