import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  days,
  formatGoDuration,
  formatGoDurationNanos,
  formatModelDuration,
  hours,
  minutes,
  parseGoDuration,
  parseGoDurationNanos,
  parseModelDuration,
  seconds,
} from "./duration.js";

describe("Go time.Duration", () => {
  const parseCases: Array<{ name: string; input: string; ms: number }> = [
    { name: "zero", input: "0", ms: 0 },
    { name: "zero with unit", input: "0s", ms: 0 },
    { name: "seconds", input: "10s", ms: 10_000 },
    { name: "milliseconds", input: "500ms", ms: 500 },
    { name: "combined", input: "1h30m", ms: hours(1) + minutes(30) },
    { name: "fractional hours", input: "1.5h", ms: hours(1.5) },
    { name: "leading dot", input: ".5s", ms: 500 },
    { name: "trailing dot", input: "1.s", ms: 1000 },
    { name: "explicit plus", input: "+2m", ms: minutes(2) },
    { name: "negative", input: "-1m", ms: -minutes(1) },
    { name: "microseconds", input: "1500us", ms: 1.5 },
    { name: "micro sign", input: "2\u00b5s", ms: 0.002 },
    { name: "nanoseconds", input: "1000000ns", ms: 1 },
    { name: "units in any order", input: "1s1h", ms: hours(1) + seconds(1) },
  ];
  for (const c of parseCases) {
    test(`parse ${c.name}: ${c.input}`, () => assert.equal(parseGoDuration(c.input), c.ms));
  }

  const errorCases: Array<{ name: string; input: string; message: string }> = [
    { name: "empty", input: "", message: 'time: invalid duration ""' },
    { name: "no unit", input: "10", message: 'time: missing unit in duration "10"' },
    { name: "unknown unit", input: "1d", message: 'time: unknown unit "d" in duration "1d"' },
    { name: "garbage", input: "abc", message: 'time: invalid duration "abc"' },
    { name: "lone dot", input: ".s", message: 'time: invalid duration ".s"' },
    { name: "sign only", input: "-", message: 'time: invalid duration "-"' },
  ];
  for (const c of errorCases) {
    test(`rejects ${c.name}`, () => assert.throws(() => parseGoDuration(c.input), { message: c.message }));
  }

  const formatCases: Array<{ ms: number; text: string }> = [
    { ms: 0, text: "0s" },
    { ms: seconds(10), text: "10s" },
    { ms: seconds(30), text: "30s" },
    { ms: minutes(2), text: "2m0s" },
    { ms: hours(1), text: "1h0m0s" },
    { ms: hours(4), text: "4h0m0s" },
    { ms: hours(1) + minutes(30), text: "1h30m0s" },
    { ms: 1500, text: "1.5s" },
    { ms: 500, text: "500ms" },
    { ms: 1.5, text: "1.5ms" },
    { ms: 0.002, text: "2\u00b5s" },
    { ms: -minutes(1), text: "-1m0s" },
    { ms: days(7), text: "168h0m0s" },
  ];
  for (const c of formatCases) {
    test(`format ${c.ms} ms as ${c.text}`, () => assert.equal(formatGoDuration(c.ms), c.text));
    test(`round trip ${c.text}`, () => assert.equal(formatGoDuration(parseGoDuration(c.text)), c.text));
  }

  test("nanosecond precision", () => {
    assert.equal(parseGoDurationNanos("1.000000001s"), 1_000_000_001n);
    assert.equal(formatGoDurationNanos(1n), "1ns");
    assert.equal(formatGoDurationNanos(1_000_000_001n), "1.000000001s");
  });
});

describe("Prometheus model.Duration", () => {
  const parseCases: Array<{ input: string; ms: number }> = [
    { input: "0", ms: 0 },
    { input: "0s", ms: 0 },
    { input: "1w", ms: days(7) },
    { input: "7d", ms: days(7) },
    { input: "1d", ms: days(1) },
    { input: "4h", ms: hours(4) },
    { input: "30m", ms: minutes(30) },
    { input: "10s", ms: seconds(10) },
    { input: "250ms", ms: 250 },
    { input: "1y", ms: days(365) },
    { input: "1d12h", ms: days(1) + hours(12) },
    { input: "1h30m15s100ms", ms: hours(1) + minutes(30) + seconds(15) + 100 },
  ];
  for (const c of parseCases) {
    test(`parse ${c.input}`, () => assert.equal(parseModelDuration(c.input), c.ms));
  }

  const errorCases: Array<{ name: string; input: string; message: string }> = [
    { name: "empty", input: "", message: "empty duration string" },
    { name: "no unit", input: "10", message: 'not a valid duration string: "10"' },
    { name: "fraction", input: "1.5h", message: 'unknown unit "." in duration "1.5h"' },
    { name: "units out of order", input: "1h1d", message: 'not a valid duration string: "1h1d"' },
    { name: "repeated unit", input: "1h1h", message: 'not a valid duration string: "1h1h"' },
    { name: "unknown unit", input: "3x", message: 'unknown unit "x" in duration "3x"' },
    { name: "negative", input: "-1d", message: 'not a valid duration string: "-1d"' },
    { name: "too large", input: "300y", message: "duration out of range" },
  ];
  for (const c of errorCases) {
    test(`rejects ${c.name}`, () => assert.throws(() => parseModelDuration(c.input), { message: c.message }));
  }

  const formatCases: Array<{ input: string; canonical: string }> = [
    { input: "0", canonical: "0s" },
    { input: "7d", canonical: "1w" },
    { input: "1w", canonical: "1w" },
    { input: "1d", canonical: "1d" },
    { input: "24h", canonical: "1d" },
    { input: "4h", canonical: "4h" },
    { input: "90d", canonical: "90d" },
    { input: "365d", canonical: "1y" },
    { input: "1d12h", canonical: "1d12h" },
    { input: "8d", canonical: "8d" },
    { input: "90m", canonical: "1h30m" },
    { input: "1500ms", canonical: "1s500ms" },
  ];
  for (const c of formatCases) {
    test(`canonical form of ${c.input} is ${c.canonical}`, () => {
      assert.equal(formatModelDuration(parseModelDuration(c.input)), c.canonical);
      assert.equal(parseModelDuration(c.canonical), parseModelDuration(c.input));
    });
  }
});
