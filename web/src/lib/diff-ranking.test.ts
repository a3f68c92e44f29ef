import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rankDiff, sortDiffRows } from "./diff-ranking.ts";
import { flamebearerToNestedSet } from "./flamebearer.ts";
import type { NestedSet } from "./flamebearer.ts";

// Left: main;a 50, main;b 50 (100). Right: main;a 50, main;b 150, main;n 20 (220), as
// /pyroscope/render-diff answers it.
const answer: NestedSet = flamebearerToNestedSet(
  {
    names: ["total", "main", "n", "b", "a"],
    levels: [
      [0, 100, 0, 0, 220, 0, 0],
      [0, 100, 0, 0, 220, 0, 1],
      [0, 50, 50, 0, 50, 50, 4, 0, 50, 50, 0, 150, 150, 3, 0, 0, 0, 0, 20, 20, 2],
    ],
    numTicks: 320,
    maxSelf: 150,
  },
  "double",
);

function near(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} != ${expected}`);
}

describe("rankDiff", () => {
  it("puts the function whose share grew most first", () => {
    const rows = rankDiff(answer);
    assert.deepEqual(rows.map((r) => r.name), ["b", "n", "main", "a"]);
    const b = rows[0]!;
    near(b.leftTotalPct, 50);
    near(b.rightTotalPct, (150 / 220) * 100);
    near(b.totalDelta, (150 / 220) * 100 - 50);
    near(b.totalRel, (((150 / 220) * 100 - 50) / 50) * 100);
    near(b.selfDelta, b.totalDelta);
    assert.equal(b.leftSelf, 50);
    assert.equal(b.rightSelf, 150);
  });

  it("marks new functions with an infinite relative change", () => {
    const n = rankDiff(answer).find((r) => r.name === "n")!;
    assert.equal(n.totalRel, Infinity);
    assert.equal(n.leftTotal, 0);
    assert.equal(n.rightTotal, 20);
  });

  it("counts a recursive function's total once per stack", () => {
    // total > f(10) > f(10, self 10), same on both sides.
    const ns: NestedSet = { level: [0, 1, 2], label: ["total", "f", "f"], value: [10, 10, 10], self: [0, 0, 10], valueRight: [10, 10, 10], selfRight: [0, 0, 10] };
    const [f] = rankDiff(ns);
    assert.equal(f!.leftTotal, 10);
    assert.equal(f!.leftSelf, 10);
    near(f!.leftTotalPct, 100);
    near(f!.totalDelta, 0);
  });

  it("sums a function reached through several paths", () => {
    // total > x > c(4); total > y > c(6).
    const ns: NestedSet = {
      level: [0, 1, 2, 1, 2],
      label: ["total", "x", "c", "y", "c"],
      value: [10, 4, 4, 6, 6],
      self: [0, 0, 4, 0, 6],
      valueRight: [10, 5, 5, 5, 5],
      selfRight: [0, 0, 5, 0, 5],
    };
    const c = rankDiff(ns).find((r) => r.name === "c")!;
    assert.equal(c.leftTotal, 10);
    assert.equal(c.rightTotal, 10);
    near(c.totalDelta, 0);
  });

  it("returns nothing for an empty graph", () => {
    assert.deepEqual(rankDiff({ level: [], label: [], value: [], self: [] }), []);
  });
});

describe("sortDiffRows", () => {
  const rows = rankDiff(answer);
  const cases: Array<[string, Parameters<typeof sortDiffRows>[1], string[]]> = [
    ["name ascending", { key: "name", desc: false }, ["a", "b", "main", "n"]],
    ["total change ascending", { key: "totalDelta", desc: false }, ["a", "main", "n", "b"]],
    ["relative total change descending", { key: "totalRel", desc: true }, ["n", "b", "main", "a"]],
    ["right share descending", { key: "rightTotalPct", desc: true }, ["main", "b", "a", "n"]],
  ];
  for (const [name, sort, want] of cases) {
    it(name, () => assert.deepEqual(sortDiffRows(rows, sort).map((r) => r.name), want));
  }
});
