import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { flameGraphUnit, formatPercent, formatPoints, formatRelative, formatValue, sampleUnitOf } from "./format.ts";

describe("units", () => {
  it("reads the sample unit of a profile type", () => {
    assert.equal(sampleUnitOf("process_cpu:cpu:nanoseconds:cpu:nanoseconds"), "nanoseconds");
    assert.equal(sampleUnitOf("memory:inuse_space:bytes::"), "bytes");
    assert.equal(sampleUnitOf("bogus"), "");
  });
  const fg: Array<[string, string]> = [["nanoseconds", "ns"], ["bytes", "bytes"], ["count", "short"]];
  for (const [u, want] of fg) it(`flame graph unit of ${u}`, () => assert.equal(flameGraphUnit(u), want));
});

describe("formatValue", () => {
  const cases: Array<[number, string, string]> = [
    [0, "nanoseconds", "0 ns"],
    [999, "nanoseconds", "999 ns"],
    [1500, "nanoseconds", "1.5 µs"],
    [1.5e9, "nanoseconds", "1.5 s"],
    [90e9, "nanoseconds", "1.5 min"],
    [7_200e9, "nanoseconds", "2 h"],
    [512, "bytes", "512 B"],
    [1536, "bytes", "1.5 KiB"],
    [10 * 2 ** 20, "bytes", "10 MiB"],
    [42, "count", "42"],
    [12_345, "count", "12.3K"],
    [2_000_000, "", "2M"],
  ];
  for (const [v, unit, want] of cases) it(`${v} ${unit}`, () => assert.equal(formatValue(v, unit), want));
});

describe("changes", () => {
  it("formats shares and deltas", () => {
    assert.equal(formatPercent(12.345), "12.35 %");
    assert.equal(formatPoints(18.1818), "+18.18 pp");
    assert.equal(formatPoints(-27.27), "-27.27 pp");
    assert.equal(formatPoints(-0.001), "0.00 pp");
    assert.equal(formatRelative(36.36), "+36.4 %");
    assert.equal(formatRelative(Infinity), "new");
    assert.equal(formatRelative(-100), "removed");
    assert.equal(formatRelative(0), "0.0 %");
  });
});
