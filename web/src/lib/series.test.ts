import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alignSeries, groupName, groupStats, parseSelectSeries } from "./series.ts";

describe("parseSelectSeries", () => {
  it("reads labels and string timestamps", () => {
    const s = parseSelectSeries({
      series: [{ labels: [{ name: "pod", value: "a" }], points: [{ value: 1.5, timestamp: "1700000015000" }, { timestamp: "1700000030000" }] }],
    });
    assert.deepEqual(s, [{ labels: { pod: "a" }, points: [{ timestampMs: 1700000015000, value: 1.5 }, { timestampMs: 1700000030000, value: 0 }] }]);
  });
  it("reads an empty answer", () => assert.deepEqual(parseSelectSeries({}), []));
  it("rejects a non-object", () => assert.throws(() => parseSelectSeries("x"), /not a JSON object/));
});

describe("alignSeries", () => {
  it("puts points into the slot that ends at or after them", () => {
    const a = alignSeries(
      [
        { labels: {}, points: [{ timestampMs: 20_000, value: 1 }, { timestampMs: 25_000, value: 2 }] },
        { labels: {}, points: [{ timestampMs: 40_000, value: 5 }, { timestampMs: 999_000, value: 9 }] },
      ],
      { startMs: 5_000, endMs: 40_000 },
      10,
    );
    assert.deepEqual(a.xs, [0, 10, 20, 30, 40]);
    assert.deepEqual(a.ys, [[0, 0, 1, 2, 0], [0, 0, 0, 0, 5]]);
  });
});

describe("groupStats", () => {
  it("computes totals, shares and spread", () => {
    const rows = groupStats(["a", "b"], [[1, 3], [4, 4]]);
    assert.deepEqual(rows, [
      { value: "b", total: 8, avg: 4, stddev: 0, share: (8 / 12) * 100 },
      { value: "a", total: 4, avg: 2, stddev: 1, share: (4 / 12) * 100 },
    ]);
  });
  it("names series without the label *", () => {
    assert.equal(groupName({ labels: {}, points: [] }, "pod"), "*");
    assert.equal(groupName({ labels: { pod: "x" }, points: [] }, "pod"), "x");
  });
});
