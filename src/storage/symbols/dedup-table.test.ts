import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DedupTable } from "./dedup-table.js";

describe("DedupTable", () => {
  it("gives equal rows the same id and different rows new ids", () => {
    const t = new DedupTable();
    const a = t.insert(Uint32Array.of(1, 2, 3), 0, 3);
    const b = t.insert(Uint32Array.of(1, 2, 4), 0, 3);
    const c = t.insert(Uint32Array.of(9, 1, 2, 3, 9), 1, 3);
    assert.deepEqual([a, b, c], [0, 1, 0]);
    assert.equal(t.count, 2);
  });

  it("tells rows of different lengths apart even with a shared prefix", () => {
    const t = new DedupTable();
    const ids = [t.insert(Uint32Array.of(7), 0, 1), t.insert(Uint32Array.of(7, 0), 0, 2), t.insert(Uint32Array.of(), 0, 0)];
    assert.deepEqual(ids, [0, 1, 2]);
    assert.equal(t.rowLength(1), 2);
    assert.equal(t.rowLength(2), 0);
  });

  it("keeps every row retrievable across many rehashes", () => {
    const t = new DedupTable();
    const n = 50_000;
    for (let i = 0; i < n; i++) assert.equal(t.insert(Uint32Array.of(i, i * 7, i % 3), 0, 3), i);
    for (let i = 0; i < n; i += 997) {
      assert.equal(t.insert(Uint32Array.of(i, i * 7, i % 3), 0, 3), i);
      const o = t.rowStart(i);
      assert.deepEqual([...t.data.subarray(o, o + 3)], [i, (i * 7) >>> 0, i % 3]);
    }
    assert.equal(t.count, n);
  });
});
