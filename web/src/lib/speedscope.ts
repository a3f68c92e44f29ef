/**
 * Converts a flame graph into a speedscope file ("sampled" profile): one sample per call
 * path that has self time, weighted by that self value. Speedscope rebuilds the same tree
 * from it, and its left-heavy and sandwich views work on it.
 * Schema: https://www.speedscope.app/file-format-schema.json
 */
import type { NestedSet } from "./flamebearer.ts";

/** The units speedscope knows. */
export type SpeedscopeUnit = "none" | "nanoseconds" | "microseconds" | "milliseconds" | "seconds" | "bytes";

/** A speedscope file with one sampled profile. */
export interface SpeedscopeFile {
  $schema: "https://www.speedscope.app/file-format-schema.json";
  shared: { frames: Array<{ name: string }> };
  profiles: Array<{
    type: "sampled";
    name: string;
    unit: SpeedscopeUnit;
    startValue: number;
    endValue: number;
    samples: number[][];
    weights: number[];
  }>;
  name: string;
  activeProfileIndex: number;
  exporter: string;
}

/** Speedscope's unit for a profile type's sample unit (`nanoseconds`, `bytes`, `count`, …). */
export function speedscopeUnit(sampleUnit: string): SpeedscopeUnit {
  switch (sampleUnit) {
    case "nanoseconds":
    case "microseconds":
    case "milliseconds":
    case "seconds":
    case "bytes":
      return sampleUnit;
    default:
      return "none";
  }
}

/**
 * Builds the file from nested-set rows. The root ("total") is left out of every stack:
 * it is the flame graph's sum, not a frame.
 */
export function toSpeedscope(ns: NestedSet, name: string, unit: SpeedscopeUnit): SpeedscopeFile {
  const frames: Array<{ name: string }> = [];
  const frameIndex = new Map<string, number>();
  const samples: number[][] = [];
  const weights: number[] = [];
  const stack: number[] = [];
  for (let i = 0; i < ns.level.length; i++) {
    const depth = ns.level[i]!;
    if (depth === 0) {
      stack.length = 0;
      continue;
    }
    const label = ns.label[i]!;
    let f = frameIndex.get(label);
    if (f === undefined) {
      f = frames.length;
      frames.push({ name: label });
      frameIndex.set(label, f);
    }
    stack.length = depth - 1;
    stack.push(f);
    const self = ns.self[i]!;
    if (self > 0) {
      samples.push([...stack]);
      weights.push(self);
    }
  }
  const endValue = weights.reduce((a, b) => a + b, 0);
  return {
    $schema: "https://www.speedscope.app/file-format-schema.json",
    shared: { frames },
    profiles: [{ type: "sampled", name, unit, startValue: 0, endValue, samples, weights }],
    name,
    activeProfileIndex: 0,
    exporter: "phlare",
  };
}
