import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { speedscopeUnit, toSpeedscope } from "./speedscope.ts";

describe("toSpeedscope", () => {
  it("turns self values into weighted samples", () => {
    // total(100) > main(100, self 10) > a(60, self 50) > b(10); main > c(30)
    const f = toSpeedscope(
      { level: [0, 1, 2, 3, 2], label: ["total", "main", "a", "b", "c"], value: [100, 100, 60, 10, 30], self: [0, 10, 50, 10, 30] },
      "cpu",
      "nanoseconds",
    );
    assert.deepEqual(f.shared.frames, [{ name: "main" }, { name: "a" }, { name: "b" }, { name: "c" }]);
    const p = f.profiles[0]!;
    assert.deepEqual(p.samples, [[0], [0, 1], [0, 1, 2], [0, 3]]);
    assert.deepEqual(p.weights, [10, 50, 10, 30]);
    assert.equal(p.endValue, 100);
    assert.equal(p.unit, "nanoseconds");
    assert.equal(f.$schema, "https://www.speedscope.app/file-format-schema.json");
  });
  it("shares frames between paths", () => {
    const f = toSpeedscope({ level: [0, 1, 2, 1, 2], label: ["total", "x", "c", "y", "c"], value: [10, 4, 4, 6, 6], self: [0, 0, 4, 0, 6] }, "p", "none");
    assert.deepEqual(f.profiles[0]!.samples, [[0, 1], [2, 1]]);
  });
  it("is empty for an empty graph", () => {
    const f = toSpeedscope({ level: [], label: [], value: [], self: [] }, "p", "bytes");
    assert.deepEqual(f.profiles[0]!.samples, []);
    assert.equal(f.profiles[0]!.endValue, 0);
  });
  const units: Array<[string, string]> = [["nanoseconds", "nanoseconds"], ["bytes", "bytes"], ["count", "none"], ["", "none"]];
  for (const [u, want] of units) it(`unit ${u || "(empty)"}`, () => assert.equal(speedscopeUnit(u), want));
});
