import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readChunk } from "./chunk.js";
import type { ConstantPools } from "./constant-pool.js";
import { TestJfrWriter } from "./test-jfr-writer.js";
import type { TestJfrOptions } from "./test-jfr-writer.js";

function pools(opts: TestJfrOptions): ConstantPools {
  const w = new TestJfrWriter(opts);
  const a = w.method("pkg/A", "alpha");
  const b = w.method("pkg/B", "beta");
  w.stack([b, a]);
  w.stack([]);
  w.executionSample(1);
  return readChunk(w.finish(), 0).pools;
}

function frames(p: ConstantPools, stackId: number): number[] {
  const s = p.stackIndex.get(stackId)!;
  return Array.from(p.frameMethod.a.subarray(p.stackStart.a[s], p.stackStart.a[s + 1]));
}

describe("readConstantPools", () => {
  for (const [what, opts] of [
    ["one checkpoint", {}],
    ["a chain of two checkpoints", { splitCheckpoints: true }],
    ["symbols through the string pool", { symbolEncoding: 2 }],
    ["string-pool symbols in an earlier checkpoint", { symbolEncoding: 2, splitCheckpoints: true }],
    ["fixed-width integers", { compressed: false }],
  ] as const) {
    it(`keeps stacks, methods, classes, symbols and thread states (${what})`, () => {
      const p = pools(opts);
      assert.deepEqual(frames(p, 1), [2, 1]);
      assert.deepEqual(frames(p, 2), []);
      const name = (m: number): string => `${p.symbols.get(p.className.get(p.methodClass.get(m)!)!)}.${p.symbols.get(p.methodName.get(m)!)}`;
      assert.deepEqual([name(1), name(2)], ["pkg/A.alpha", "pkg/B.beta"]);
      assert.deepEqual([...p.threadStates.values()], ["STATE_RUNNABLE", "STATE_SLEEPING"]);
    });
  }
});
