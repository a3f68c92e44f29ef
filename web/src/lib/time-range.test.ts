import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeRange, formatInstant, parseTime, resolveRange, stepSeconds, toUrlTime } from "./time-range.ts";

const NOW = 1_700_000_000_000;

describe("parseTime", () => {
  const local = new Date(2024, 0, 2, 3, 4, 5).getTime();
  const cases: Array<[string, number | undefined]> = [
    ["now", NOW],
    ["now-1h", NOW - 3_600_000],
    ["now-30m", NOW - 1_800_000],
    ["now-7d", NOW - 7 * 86_400_000],
    ["now-1d+2h", NOW - 86_400_000 + 7_200_000],
    ["now+15s", NOW + 15_000],
    ["1700000000", NOW],
    ["1700000000123", NOW + 123],
    ["1700000000123456", NOW + 123],
    ["1700000000123456789", NOW + 123],
    ["20240102", new Date(2024, 0, 2).getTime()],
    ["2024-01-02 03:04:05", local],
    ["2024-01-02T03:04:05", local],
    ["2024-01-02T03:04:05Z", Date.UTC(2024, 0, 2, 3, 4, 5)],
    ["", undefined],
    ["now-1x", undefined],
    ["yesterday", undefined],
  ];
  for (const [text, want] of cases) {
    it(JSON.stringify(text), () => assert.equal(parseTime(text, NOW), want));
  }
});

describe("resolveRange", () => {
  it("resolves relative ends", () => {
    assert.deepEqual(resolveRange("now-1h", "now", NOW), { startMs: NOW - 3_600_000, endMs: NOW });
  });
  const bad: Array<[string, string, RegExp]> = [
    ["soon", "now", /start time "soon"/],
    ["now-1h", "later", /end time "later"/],
    ["now", "now-1h", /not after/],
    ["now", "now", /not after/],
  ];
  for (const [from, until, re] of bad) {
    it(`rejects ${from}..${until}`, () => assert.throws(() => resolveRange(from, until, NOW), re));
  }
});

describe("formatting", () => {
  it("writes URL times as whole seconds", () => {
    assert.equal(toUrlTime(NOW + 400, "floor"), "1700000000");
    assert.equal(toUrlTime(NOW + 400, "ceil"), "1700000001");
  });
  it("formats an instant in local time and reads it back", () => {
    const s = formatInstant(NOW);
    assert.match(s, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.equal(parseTime(s, 0), NOW);
  });
  const ranges: Array<[string, string, string]> = [
    ["now-1h", "now", "Last 1 hour"],
    ["now-2h", "now", "Last 2h"],
    ["1700000000", "1700000060", `${formatInstant(NOW)} to ${formatInstant(NOW + 60_000)}`],
    ["x", "y", "x to y"],
  ];
  for (const [from, until, want] of ranges) {
    it(`describes ${from}..${until}`, () => assert.equal(describeRange(from, until, NOW), want));
  }
});

describe("stepSeconds", () => {
  const cases: Array<[number, number]> = [
    [60_000, 10],
    [3_600_000, 15],
    [86_400_000, 300],
    [7 * 86_400_000, 3600],
    [1000 * 365 * 86_400_000, 31536000],
  ];
  for (const [span, want] of cases) {
    it(`${span} ms → ${want} s`, () => assert.equal(stepSeconds({ startMs: 0, endMs: span }), want));
  }
});
