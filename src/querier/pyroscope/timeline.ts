/**
 * The flamebearer timeline of /pyroscope/render: one sample per step from `from` to
 * `until`, zero where the series has no point. As in Pyroscope, both ends snap down to
 * a step boundary, so the timeline covers [floor(from), floor(until)) in whole steps
 * and `startTime` is a multiple of the step.
 */
import type { SeriesResult } from "../api.js";

/** A timeline as the flamebearer JSON carries it (seconds; `watermarks` is always null). */
export interface FlamebearerTimeline {
  /** Unix seconds of the first sample. */
  startTime: number;
  samples: number[];
  /** Seconds between samples. */
  durationDelta: number;
  watermarks: null;
}

/**
 * Builds the timeline of `series` (undefined: all zeros) over [fromMs, untilMs] with a
 * step of `stepSec` whole seconds. Values are truncated to integers, as Pyroscope's
 * unsigned samples are; points outside the snapped window are left out.
 */
export function buildTimeline(series: SeriesResult | undefined, fromMs: number, untilMs: number, stepSec: number): FlamebearerTimeline {
  const stepMs = stepSec * 1000;
  const startMs = Math.floor(fromMs / stepMs) * stepMs;
  const endMs = Math.floor(untilMs / stepMs) * stepMs;
  const n = Math.max(0, Math.round((endMs - startMs) / stepMs));
  const samples = new Array<number>(n).fill(0);
  if (series) {
    for (let i = 0; i < series.timestampsMs.length; i++) {
      const t = series.timestampsMs[i]!;
      if (t < startMs || t >= endMs) continue;
      const k = Math.floor((t - startMs) / stepMs);
      samples[k] = samples[k]! + Math.max(0, Math.trunc(series.values[i]!));
    }
  }
  return { startTime: startMs / 1000, samples, durationDelta: stepSec, watermarks: null };
}
