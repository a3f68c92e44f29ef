import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resized } from "./typed-array.js";

describe("resized", () => {
  it("keeps the type and the leading elements, zero-fills the rest", () => {
    const a = Float64Array.of(1.5, -2);
    const b = resized(a, 4);
    assert.ok(b instanceof Float64Array);
    assert.deepEqual([...b], [1.5, -2, 0, 0]);
    assert.notEqual(b.buffer, a.buffer, "a copy, not a view");
    const c = resized(BigInt64Array.of(7n), 2);
    assert.deepEqual([...c], [7n, 0n]);
  });

  it("refuses to shrink", () => {
    assert.throws(() => resized(Int32Array.of(1, 2, 3), 2), RangeError);
  });
});
