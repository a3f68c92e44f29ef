import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dotEscape, heatColor, percentage, valueFormatter } from "./dot-format.js";

describe("valueFormatter", () => {
  const cases: { name: string; unit: string; min: number; max: number; values: [number, string][] }[] = [
    {
      name: "nanoseconds in the unit of the smallest value",
      unit: "nanoseconds",
      min: 10e6,
      max: 1e9,
      values: [[10e6, "10ms"], [1e9, "1000ms"], [1.5e6, "1.50ms"], [0, "0"]],
    },
    { name: "a hundredfold spread moves up a unit", unit: "nanoseconds", min: 10e6, max: 2e9, values: [[10e6, "0.01s"], [2e9, "2s"]] },
    { name: "bytes in powers of 1024", unit: "bytes", min: 2048, max: 4096, values: [[2048, "2kB"], [3 * 1024 * 1024, "3072kB"]] },
    { name: "large byte totals", unit: "bytes", min: 64 * 1024 ** 2, max: 1024 ** 3, values: [[1024 ** 3, "1024MB"]] },
    { name: "counts are plain numbers", unit: "count", min: 3, max: 1500, values: [[1500, "1500"], [2.5, "2.50"]] },
    { name: "no values: the total decides", unit: "nanoseconds", min: 0, max: 5e9, values: [[5e9, "5s"]] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const fmt = valueFormatter(c.unit, c.min, c.max);
      for (const [v, want] of c.values) assert.equal(fmt(v), want, `${v}`);
    });
  }
});

describe("percentage", () => {
  const cases: [number, number, string][] = [
    [1, 1, "100%"],
    [999_6, 10_000, "100%"],
    [99, 100, "99.00%"],
    [1, 8, "12.50%"],
    [1, 200, "0.5%"],
    [1, 3000, "0.033%"],
    [0, 0, "0%"],
  ];
  for (const [v, total, want] of cases) it(`${v}/${total} → ${want}`, () => assert.equal(percentage(v, total), want));
});

describe("heatColor", () => {
  const cases: [number, boolean, string][] = [
    [0.99, false, "#b20000"],
    [0.99, true, "#edd5d5"],
    [0.15, false, "#b2662c"],
    [0.01, false, "#b2b0a9"],
    [0, false, "#b2b2b2"],
  ];
  for (const [share, bg, want] of cases) it(`${share} ${bg ? "fill" : "line"} → ${want}`, () => assert.equal(heatColor(share, bg), want));
});

describe("dotEscape", () => {
  it("escapes quotes and backslashes, flattens line breaks", () => {
    assert.equal(dotEscape('a"b\\c\nd'), 'a\\"b\\\\c d');
  });
});
