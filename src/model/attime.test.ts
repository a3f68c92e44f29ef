import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAttime } from "./attime.js";

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

describe("parseAttime", () => {
  it("reads every form clients send", () => {
    assert.equal(parseAttime(undefined, NOW), NOW);
    assert.equal(parseAttime("", NOW), NOW);
    assert.equal(parseAttime("now", NOW), NOW);
    assert.equal(parseAttime("1700000000", NOW), 1_700_000_000_000);
    assert.equal(parseAttime("1700000000123", NOW), 1_700_000_000_123);
    assert.equal(parseAttime("1700000000123456", NOW), 1_700_000_000_123);
    assert.equal(parseAttime("1700000000123456789", NOW), 1_700_000_000_123);
    assert.equal(parseAttime("20261124", NOW), Date.UTC(2026, 10, 24));
    assert.equal(parseAttime("now-1h", NOW), NOW - 3_600_000);
    assert.equal(parseAttime("now-1h30m", NOW), NOW - 5_400_000);
    assert.equal(parseAttime("now+5min", NOW), NOW + 300_000);
    assert.equal(parseAttime("now-7d", NOW), NOW - 7 * 86_400_000);
    assert.equal(parseAttime("now-1M", NOW), NOW - 30 * 86_400_000);
    assert.equal(parseAttime("-15m", NOW), NOW - 900_000);
    assert.equal(parseAttime(" now - 1 h ", NOW), NOW - 3_600_000);
  });

  it("refuses what it cannot read, naming the parameter", () => {
    assert.throws(() => parseAttime("yesterday", NOW, "from"), /from "yesterday": expected Unix time/);
    assert.throws(() => parseAttime("now-1x", NOW, "until"), /until "now-1x": unknown unit "x"/);
    assert.throws(() => parseAttime("now-h", NOW), /offset "h" is not a number and a unit/);
    assert.throws(() => parseAttime("99999999999999999999999", NOW), /too large/);
  });
});
