import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { calcPointIntervalSec, roundIntervalMs } from "./point-interval.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe("calcPointIntervalSec", () => {
  const cases: { name: string; rangeMs: number; wantSec: number }[] = [
    { name: "zero range: the minimum", rangeMs: 0, wantSec: 10 },
    { name: "5 minutes: the minimum", rangeMs: 5 * MIN, wantSec: 10 },
    { name: "1 hour (2.4 s raw): the minimum", rangeMs: HOUR, wantSec: 10 },
    { name: "just under the minimum (15000 s)", rangeMs: 14_999_000, wantSec: 10 },
    { name: "exactly 10 s raw", rangeMs: 15_000_000, wantSec: 10 },
    { name: "6 hours (14.4 s raw) → 15 s", rangeMs: 6 * HOUR, wantSec: 15 },
    { name: "12 hours (28.8 s raw) → 30 s", rangeMs: 12 * HOUR, wantSec: 30 },
    { name: "24 hours (57.6 s raw) → 1 min", rangeMs: DAY, wantSec: 60 },
    { name: "7 days (403.2 s raw) → 5 min", rangeMs: 7 * DAY, wantSec: 300 },
    { name: "30 days (1728 s raw) → 30 min", rangeMs: 30 * DAY, wantSec: 1800 },
    { name: "1 year (21024 s raw) → 6 h", rangeMs: 365 * DAY, wantSec: 21_600 },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(calcPointIntervalSec(1_700_000_000_000, 1_700_000_000_000 + c.rangeMs), c.wantSec));
  }
});

describe("roundIntervalMs", () => {
  const cases: [number, number][] = [
    [12_500, 10_000],
    [12_501, 15_000],
    [90_000, 60_000],
    [9 * HOUR, 6 * HOUR],
    [2 * DAY, DAY],
    [7 * DAY, DAY],
    [7 * DAY + 1, 7 * DAY],
    [21 * DAY + 1, 30 * DAY],
    [42 * DAY - 1, 30 * DAY],
    [42 * DAY, 365 * DAY],
  ];
  for (const [raw, want] of cases) it(`${raw} ms → ${want} ms`, () => assert.equal(roundIntervalMs(raw), want));
});
