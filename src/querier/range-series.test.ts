import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ProfileTotals } from "../model/query.js";
import type { SeriesOptions } from "./api.js";
import { rangeSeries } from "./range-series.js";

function totals(rows: [group: number, timeMs: number, value: number][]): ProfileTotals {
  return {
    groups: [[{ name: "pod", value: "a" }], [{ name: "pod", value: "b" }]],
    group: Uint32Array.from(rows, (r) => r[0]),
    timeMs: Float64Array.from(rows, (r) => r[1]),
    value: Float64Array.from(rows, (r) => r[2]),
  };
}

const opts = (o: Partial<SeriesOptions> = {}): SeriesOptions => ({ stepMs: 10, groupBy: ["pod"], aggregation: "sum", limit: 0, ...o });

describe("rangeSeries", () => {
  it("sums profiles in (t - step, t] at t = start, start + step, …, and skips empty steps", () => {
    const s = rangeSeries(totals([[0, 90, 100], [0, 95, 1], [0, 100, 2], [0, 101, 4], [0, 130, 8]]), 100, 140, opts());
    assert.deepEqual(s[0]!.timestampsMs, [100, 110, 130]);
    assert.deepEqual(s[0]!.values, [3, 4, 8]);
  });

  it("ignores profiles at or before start - step", () => {
    const s = rangeSeries(totals([[0, 90, 100], [0, 95, 1]]), 100, 120, opts());
    assert.deepEqual(s[0]!.values, [1]);
  });

  it("averages with aggregation average", () => {
    const s = rangeSeries(totals([[0, 95, 1], [0, 100, 3]]), 100, 100, opts({ aggregation: "average" }));
    assert.deepEqual(s[0]!.values, [2]);
  });

  it("keeps one series per group, sorted by labels, and the top N with a limit", () => {
    const rows: [number, number, number][] = [[1, 100, 5], [0, 100, 1], [1, 110, 5]];
    assert.deepEqual(rangeSeries(totals(rows), 100, 110, opts()).map((s) => s.labels[0]!.value), ["a", "b"]);
    assert.deepEqual(rangeSeries(totals(rows), 100, 110, opts({ limit: 1 })).map((s) => s.labels[0]!.value), ["b"]);
  });
});
