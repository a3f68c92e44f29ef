import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BlockMeta } from "../storage/block/meta.js";
import { planCompaction, windowStart } from "./planner.js";

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.UTC(2024, 0, 1);
const RANGES = [4 * H, DAY];
const DELAY = H / 2;

// A block named by one letter; its ULID sorts like the letter.
function block(name: string, fromH: number, toH: number, level = 1): BlockMeta {
  const id = `01HZ${name.repeat(22)}`;
  return {
    ulid: id,
    minTimeMs: T0 + fromH * H,
    maxTimeMs: T0 + toH * H - 1,
    stats: { numSamples: 1, numSeries: 1, numProfiles: 1 },
    files: [],
    compaction: { level, sources: [id], parents: [] },
    version: 1,
    labels: {},
    source: "ingester",
  };
}

interface Case {
  name: string;
  blocks: BlockMeta[];
  /** Hours after T0. */
  nowH: number;
  /** [range index, window start in hours after T0, level, block letters]. */
  want: [number, number, number, string][];
}

const letters = (ulids: string[]): string => ulids.map((u) => u[4]).join("");

const cases: Case[] = [
  { name: "two ingester blocks of one 4h window", blocks: [block("A", 0, 1), block("B", 1, 2)], nowH: 30, want: [[0, 0, 2, "AB"]] },
  { name: "one block alone is left alone", blocks: [block("A", 0, 1)], nowH: 30, want: [] },
  { name: "a window too recent waits", blocks: [block("A", 24, 25), block("B", 25, 26)], nowH: 28, want: [] },
  { name: "a window that ended exactly the consistency delay ago is compacted", blocks: [block("A", 24, 25), block("B", 25, 26)], nowH: 28.5, want: [[0, 24, 2, "AB"]] },
  {
    name: "each 4h window is a group; the day waits for them",
    blocks: [block("A", 0, 1), block("B", 1, 2), block("C", 4, 5), block("D", 6, 7)],
    nowH: 30,
    want: [[0, 0, 2, "AB"], [0, 4, 2, "CD"]],
  },
  { name: "compacted 4h blocks merge within their day", blocks: [block("A", 0, 4, 2), block("B", 4, 8, 2)], nowH: 30, want: [[1, 0, 3, "AB"]] },
  {
    name: "a block across a 4h boundary waits for the day",
    blocks: [block("A", 1, 2), block("B", 3.5, 4.5), block("C", 2, 3)],
    nowH: 30,
    want: [[0, 0, 2, "AC"]],
  },
  { name: "a block across a 4h boundary merges at the day range", blocks: [block("A", 1, 2), block("B", 3.5, 4.5)], nowH: 30, want: [[1, 0, 3, "AB"]] },
  { name: "a block across a day boundary is left alone", blocks: [block("A", 23.5, 24.5), block("B", 25, 26), block("C", 22, 23)], nowH: 60, want: [] },
  { name: "a compacted window is not compacted again", blocks: [block("A", 0, 4, 2)], nowH: 30, want: [] },
  { name: "a day compacted to level 3 stays", blocks: [block("A", 0, 20, 3)], nowH: 60, want: [] },
  { name: "a late block folds into the compacted block of its 4h window", blocks: [block("A", 0, 3, 2), block("B", 1, 2)], nowH: 30, want: [[0, 0, 2, "AB"]] },
  { name: "a late block folds into the compacted day", blocks: [block("A", 0, 20, 3), block("B", 1, 2)], nowH: 60, want: [[1, 0, 3, "AB"]] },
  { name: "two compacted blocks of one 4h window wait for the day", blocks: [block("A", 0, 2, 2), block("B", 2, 4, 2)], nowH: 30, want: [[1, 0, 3, "AB"]] },
  {
    name: "groups come by range, then window; blocks by time, then ULID",
    blocks: [block("F", 27, 28), block("E", 26, 27), block("D", 5, 6), block("C", 4, 5), block("B", 0, 1), block("A", 0, 1)],
    nowH: 60,
    want: [[0, 0, 2, "AB"], [0, 4, 2, "CD"], [0, 24, 2, "EF"]],
  },
];

describe("planCompaction", () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = planCompaction(c.blocks, { blockRangesMs: RANGES, consistencyDelayMs: DELAY, nowMs: T0 + c.nowH * H });
      assert.deepEqual(
        got.map((g) => [g.rangeIndex, (g.windowStartMs - T0) / H, g.level, letters(g.blocks.map((b) => b.ulid))]),
        c.want,
      );
      for (const g of got) {
        assert.equal(g.windowEndMs - g.windowStartMs, RANGES[g.rangeIndex]);
        for (const b of g.blocks) assert.ok(b.minTimeMs >= g.windowStartMs && b.maxTimeMs < g.windowEndMs);
      }
    });
  }

  it("puts no block in two groups", () => {
    const blocks = Array.from({ length: 24 }, (_, i) => block(String.fromCharCode(65 + i), i, i + 1));
    const got = planCompaction(blocks, { blockRangesMs: RANGES, consistencyDelayMs: DELAY, nowMs: T0 + 60 * H });
    const all = got.flatMap((g) => g.blocks.map((b) => b.ulid));
    assert.equal(new Set(all).size, all.length);
    assert.equal(got.length, 6);
  });

  it("gives the same plan for any input order", () => {
    const blocks = [block("A", 0, 1), block("B", 1, 2), block("C", 4, 5), block("D", 6, 7), block("E", 30, 31), block("F", 31, 32)];
    const opts = { blockRangesMs: RANGES, consistencyDelayMs: DELAY, nowMs: T0 + 60 * H };
    assert.deepEqual(planCompaction([...blocks].reverse(), opts), planCompaction(blocks, opts));
  });
});

describe("windowStart", () => {
  const cases: [number, number, number][] = [
    [T0, 4 * H, T0],
    [T0 + 4 * H - 1, 4 * H, T0],
    [T0 + 4 * H, 4 * H, T0 + 4 * H],
    [T0 + 23 * H, DAY, T0],
    [-1, DAY, -DAY],
  ];
  for (const [t, r, want] of cases) it(`${t} in windows of ${r} ms starts at ${want}`, () => assert.equal(windowStart(t, r), want));
});
