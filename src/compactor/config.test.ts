import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { days, hours, minutes } from "../config/duration.js";
import { applyYaml, defaultsOf, flagValue, formatValue } from "../config/field.js";
import { blockRangesMs, checkBlockRanges, compactorConfigOf, compactorFields, compactorRetentionLimitField, retentionOf } from "./config.js";

describe("compactor config", () => {
  it("has Pyroscope's and Mimir's defaults", () => {
    assert.deepEqual(compactorConfigOf(defaultsOf(compactorFields)), {
      block_ranges: ["4h", "1d"],
      compaction_interval: hours(1),
      consistency_delay: minutes(30),
      deletion_delay: hours(12),
    });
    assert.deepEqual(blockRangesMs(compactorConfigOf({})), [hours(4), days(1)]);
  });

  it("reads its YAML keys", () => {
    const tree = defaultsOf(compactorFields);
    applyYaml(tree, { compactor: { block_ranges: "2h,12h,48h", compaction_interval: "30m", consistency_delay: "0s", deletion_delay: "1h" } }, compactorFields, true);
    const c = compactorConfigOf(tree);
    assert.deepEqual(blockRangesMs(c), [hours(2), hours(12), hours(48)]);
    assert.equal(c.compaction_interval, minutes(30));
    assert.equal(c.consistency_delay, 0);
    assert.equal(c.deletion_delay, hours(1));
  });

  it("every row's default round-trips through its flag", () => {
    for (const f of [...compactorFields, compactorRetentionLimitField]) {
      assert.deepEqual(flagValue(f, formatValue(f, f.default)), f.default, f.flag);
    }
  });

  const ranges: [string, string[], RegExp | undefined][] = [
    ["the default", ["4h", "1d"], undefined],
    ["Mimir's Go durations", ["2h0m0s", "12h0m0s", "24h0m0s"], undefined],
    ["one range", ["1d"], undefined],
    ["no range", [], /at least one/],
    ["a bad duration", ["4x"], /block range "4x"/],
    ["a zero range", ["0"], /must be positive/],
    ["a smaller range after a larger", ["1d", "4h"], /larger multiple/],
    ["a range that is no multiple of the one before", ["4h", "6h"], /larger multiple/],
    ["a repeated range", ["4h", "4h"], /larger multiple/],
  ];
  for (const [name, value, want] of ranges) {
    it(`block ranges: ${name}`, () => {
      const got = checkBlockRanges(value);
      if (want) assert.match(got ?? "", want);
      else assert.equal(got, undefined);
    });
  }

  it("rejects bad block ranges given as a flag", () => {
    const field = compactorFields.find((f) => f.flag === "compactor.block-ranges")!;
    assert.throws(() => flagValue(field, "1d,4h"), /invalid value "1d,4h" for flag -compactor.block-ranges/);
  });

  it("keeps the retention limit beside the other limits, off by default", () => {
    assert.equal(compactorRetentionLimitField.yaml, "limits.compactor_blocks_retention_period");
    assert.equal(compactorRetentionLimitField.flag, "compactor.blocks-retention-period");
    assert.equal(compactorRetentionLimitField.default, 0);
    assert.deepEqual(flagValue(compactorRetentionLimitField, "30d"), days(30));
  });

  it("reads a tenant's retention from its limits, 0 when they have none", () => {
    assert.deepEqual(retentionOf({ compactor_blocks_retention_period: days(7) }), { compactor_blocks_retention_period: days(7) });
    assert.deepEqual(retentionOf({ ingestion_rate_mb: 4 }), { compactor_blocks_retention_period: 0 });
  });
});
