import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { splitRange } from "./frontend.js";

describe("splitRange", () => {
  const cases: [string, number, number, number, number, [number, number][]][] = [
    ["no interval", 0, 100, 0, 1, [[0, 100]]],
    ["shorter than the interval", 10, 50, 100, 1, [[10, 50]]],
    ["at interval boundaries", 50, 250, 100, 1, [[50, 99], [100, 199], [200, 250]]],
    ["keeps the step grid", 5, 250, 100, 10, [[5, 104], [105, 204], [205, 250]]],
  ];
  for (const [name, s, e, interval, grid, want] of cases) {
    it(name, () => assert.deepEqual(splitRange(s, e, interval, grid), want));
  }

  it("covers the range exactly once", () => {
    const parts = splitRange(1234, 98765, 1000, 7);
    assert.equal(parts[0]![0], 1234);
    assert.equal(parts.at(-1)![1], 98765);
    for (let i = 1; i < parts.length; i++) {
      assert.equal(parts[i]![0], parts[i - 1]![1] + 1);
      assert.equal((parts[i]![0] - 1234) % 7, 0);
    }
  });
});
