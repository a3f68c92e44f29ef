import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SeriesResult } from "../api.js";
import { buildTimeline } from "./timeline.js";

const T0 = 1_699_999_200_000; // a multiple of 60 s

function series(points: [number, number][]): SeriesResult {
  return { labels: [], timestampsMs: points.map(([t]) => T0 + t), values: points.map(([, v]) => v) };
}

describe("buildTimeline", () => {
  const cases: { name: string; s: SeriesResult | undefined; from: number; until: number; step: number; start: number; samples: number[] }[] = [
    { name: "no series: zeros over the range", s: undefined, from: 0, until: 60_000, step: 10, start: 0, samples: [0, 0, 0, 0, 0, 0] },
    {
      name: "points land in their step, gaps and ends are zero-filled",
      s: series([[10_000, 5], [40_000, 7]]),
      from: 0,
      until: 60_000,
      step: 10,
      start: 0,
      samples: [0, 5, 0, 0, 7, 0],
    },
    {
      name: "unaligned ends snap down to the step",
      s: series([[3_000, 1], [13_000, 2], [53_000, 3]]),
      from: 3_000,
      until: 57_000,
      step: 10,
      start: 0,
      samples: [1, 2, 0, 0, 0],
    },
    {
      name: "points outside the window are dropped",
      s: series([[-10_000, 9], [0, 1], [60_000, 9]]),
      from: 0,
      until: 60_000,
      step: 10,
      start: 0,
      samples: [1, 0, 0, 0, 0, 0],
    },
    { name: "fractions are truncated", s: series([[0, 2.9], [20_000, 0.4]]), from: 0, until: 30_000, step: 10, start: 0, samples: [2, 0, 0] },
    { name: "range inside one step: no samples", s: series([[1_000, 4]]), from: 1_000, until: 9_000, step: 10, start: 0, samples: [] },
    { name: "a 60 s step", s: series([[60_000, 3]]), from: 0, until: 180_000, step: 60, start: 0, samples: [0, 3, 0] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(buildTimeline(c.s, T0 + c.from, T0 + c.until, c.step), {
        startTime: (T0 + c.start) / 1000,
        samples: c.samples,
        durationDelta: c.step,
        watermarks: null,
      });
    });
  }
});
