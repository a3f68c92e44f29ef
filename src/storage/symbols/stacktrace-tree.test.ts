import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StacktraceTree } from "./stacktrace-tree.js";

describe("StacktraceTree", () => {
  it("shares prefixes and resolves stacks leaf-first", () => {
    const t = new StacktraceTree();
    const a = t.insert(Uint32Array.of(3, 2, 1), 0, 3); // leaf 3, root 1
    const b = t.insert(Uint32Array.of(4, 2, 1), 0, 3);
    const c = t.insert(Uint32Array.of(3, 2, 1), 0, 3);
    assert.equal(a, c);
    assert.notEqual(a, b);
    assert.equal(t.count, 5); // root, 1, 2, 3, 4
    const out: number[] = [];
    t.resolve(b, out);
    assert.deepEqual(out, [4, 2, 1]);
  });

  it("creates every child after its parent", () => {
    const t = new StacktraceTree();
    for (let i = 0; i < 20_000; i++) t.insert(Uint32Array.of(i % 97, i % 13, i % 5), 0, 3);
    for (let n = 1; n < t.count; n++) assert.ok(t.parent[n]! < n);
  });

  it("maps the empty stack to the root", () => {
    assert.equal(new StacktraceTree().insert(new Uint32Array(0), 0, 0), 0);
  });
});
