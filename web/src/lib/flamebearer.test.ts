import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { flamebearerToNestedSet, nestedSetTotal, parseFlamebearerProfile } from "./flamebearer.ts";

describe("flamebearerToNestedSet", () => {
  const cases: Array<{ name: string; names: string[]; levels: number[][]; want: { level: number[]; label: string[]; value: number[]; self: number[] } }> = [
    {
      name: "empty",
      names: ["total"],
      levels: [],
      want: { level: [], label: [], value: [], self: [] },
    },
    {
      // total(100) > main(100, self 10) > a(60), b(30); x offsets are delta-encoded per level.
      name: "one parent, two children",
      names: ["total", "main", "a", "b"],
      levels: [[0, 100, 0, 0], [0, 100, 10, 1], [10, 60, 60, 2, 0, 30, 30, 3]],
      want: { level: [0, 1, 2, 2], label: ["total", "main", "a", "b"], value: [100, 100, 60, 30], self: [0, 10, 60, 30] },
    },
    {
      // total(10) > x(4) > c(4); y(6) > c(6): the two "c" must hang under different parents.
      name: "two parents with a child each",
      names: ["total", "x", "y", "c"],
      levels: [[0, 10, 0, 0], [0, 4, 0, 1, 0, 6, 0, 2], [0, 4, 4, 3, 0, 6, 6, 3]],
      want: { level: [0, 1, 2, 1, 2], label: ["total", "x", "c", "y", "c"], value: [10, 4, 4, 6, 6], self: [0, 0, 4, 0, 6] },
    },
    {
      // The first parent has no children: y's child starts after a gap of x's width.
      name: "child only under the second parent",
      names: ["total", "x", "y", "c"],
      levels: [[0, 10, 0, 0], [0, 4, 4, 1, 0, 6, 0, 2], [4, 6, 6, 3]],
      want: { level: [0, 1, 1, 2], label: ["total", "x", "y", "c"], value: [10, 4, 6, 6], self: [0, 4, 0, 6] },
    },
    {
      name: "deep chain",
      names: ["total", "a", "b", "c", "d"],
      levels: [[0, 5, 0, 0], [0, 5, 0, 1], [0, 5, 0, 2], [0, 5, 0, 3], [0, 5, 5, 4]],
      want: { level: [0, 1, 2, 3, 4], label: ["total", "a", "b", "c", "d"], value: [5, 5, 5, 5, 5], self: [0, 0, 0, 0, 5] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const ns = flamebearerToNestedSet({ names: c.names, levels: c.levels, numTicks: 0, maxSelf: 0 }, "single");
      assert.deepEqual(ns, c.want);
    });
  }

  it("reads diff 7-tuples with left and right apart", () => {
    // Left: main;a 50, main;b 50. Right: main;a 50, main;b 150, main;n 20 (new).
    // Combined children of main sorted by name: a, b, n.
    const levels = [
      [0, 100, 0, 0, 220, 0, 0],
      [0, 100, 0, 0, 220, 0, 1],
      [0, 50, 50, 0, 50, 50, 2, 0, 50, 50, 0, 150, 150, 3, 0, 0, 0, 0, 20, 20, 4],
    ];
    const ns = flamebearerToNestedSet({ names: ["total", "main", "a", "b", "n"], levels, numTicks: 320, maxSelf: 150 }, "double");
    assert.deepEqual(ns, {
      level: [0, 1, 2, 2, 2],
      label: ["total", "main", "a", "b", "n"],
      value: [100, 100, 50, 50, 0],
      self: [0, 0, 50, 50, 0],
      valueRight: [220, 220, 50, 150, 20],
      selfRight: [0, 0, 50, 150, 20],
    });
    assert.equal(nestedSetTotal(ns), 100);
  });

  it("keeps a diff child whose left side is empty under the right parent", () => {
    // total > p(l2,r2) > c(l2,r0); q(l0,r3) > d(l0,r3): d sits at left x = 2, the end of p.
    const levels = [
      [0, 2, 0, 0, 5, 0, 0],
      [0, 2, 0, 0, 2, 2, 1, 0, 0, 0, 0, 3, 0, 2],
      [0, 2, 2, 2, 0, 0, 3, 0, 0, 0, 0, 3, 3, 4],
    ];
    const ns = flamebearerToNestedSet({ names: ["total", "p", "q", "c", "d"], levels, numTicks: 7, maxSelf: 3 }, "double");
    assert.deepEqual(ns.label, ["total", "p", "c", "q", "d"]);
    assert.deepEqual(ns.level, [0, 1, 2, 1, 2]);
  });
});

describe("parseFlamebearerProfile", () => {
  it("accepts a render answer", () => {
    const p = parseFlamebearerProfile({
      version: 1,
      flamebearer: { names: ["total"], levels: [[0, 3, 3, 0]], numTicks: 3, maxSelf: 3 },
      metadata: { format: "single", spyName: "", sampleRate: 100, units: "objects", name: "inuse_objects" },
      timeline: { startTime: 10, samples: [1, 2], durationDelta: 10, watermarks: null },
      groups: null,
      heatmap: null,
    });
    assert.equal(p.flamebearer.numTicks, 3);
    assert.equal(p.metadata.format, "single");
    assert.deepEqual(p.timeline, { startTime: 10, samples: [1, 2], durationDelta: 10 });
    assert.equal(p.groups, null);
  });
  const bad: Array<[string, unknown, RegExp]> = [
    ["not an object", [], /not a JSON object/],
    ["no flamebearer", { version: 1 }, /no flamebearer/],
    ["names not strings", { flamebearer: { names: [1], levels: [] } }, /names/],
    ["levels not numbers", { flamebearer: { names: [], levels: [["x"]] } }, /levels/],
  ];
  for (const [name, json, re] of bad) {
    it(`rejects ${name}`, () => assert.throws(() => parseFlamebearerProfile(json), re));
  }
});
