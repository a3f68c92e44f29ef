/**
 * The "flamebearer profile" JSON (version 1) that Pyroscope's UI, Grafana's Profiles
 * Drilldown and the @pyroscope/models schemas read from /pyroscope/render and
 * /pyroscope/render-diff. Members and their order follow the Go struct Phlare encodes
 * (pkg/og/structs/flamebearer), including the always-null `heatmap`.
 */
import type { FlameGraphData, FlameGraphDiffData } from "../../model/flamegraph/index.js";
import type { ProfileType } from "../../model/profile-type.js";
import type { FlamebearerTimeline } from "./timeline.js";

/** The flame graph part: levels are flat 4-tuples (single) or 7-tuples (double). */
export interface FlamebearerData {
  names: string[];
  levels: number[][];
  numTicks: number;
  maxSelf: number;
}

/** What the UI needs to format values. */
export interface FlamebearerMetadata {
  format: "single" | "double";
  spyName: string;
  /** Samples per second; the UI divides ticks by it to show durations. */
  sampleRate: number;
  units: string;
  /** The sample type, e.g. "cpu" or "inuse_space". */
  name: string;
}

/** A whole /pyroscope/render or /pyroscope/render-diff answer. */
export interface FlamebearerProfile {
  version: 1;
  flamebearer: FlamebearerData;
  metadata: FlamebearerMetadata;
  timeline: FlamebearerTimeline | null;
  groups: Record<string, FlamebearerTimeline> | null;
  heatmap: null;
  /** Total of the left (base) side; diff answers only. */
  leftTicks?: number;
  /** Total of the right (compared) side; diff answers only. */
  rightTicks?: number;
}

/**
 * sampleRate of `cpu` sample types: Phlare's value. The UI reads ticks / sampleRate as
 * seconds, and Phlare reports CPU time in nanoseconds against a rate of 1e8.
 */
export const CPU_SAMPLE_RATE = 100_000_000;

/** sampleRate of every other sample type (Pyroscope's default rate, 100 Hz). */
export const DEFAULT_SAMPLE_RATE = 100;

// Sample types the UI shows as counts of things rather than in their own unit.
const OBJECT_SAMPLE_TYPES = new Set(["inuse_objects", "alloc_objects", "goroutine", "samples"]);

/** The metadata Pyroscope derives from a profile type. */
export function flamebearerMetadata(t: ProfileType, format: "single" | "double"): FlamebearerMetadata {
  let units = t.sampleUnit;
  let sampleRate = DEFAULT_SAMPLE_RATE;
  if (OBJECT_SAMPLE_TYPES.has(t.sampleType)) units = "objects";
  else if (t.sampleType === "cpu") {
    units = "samples";
    sampleRate = CPU_SAMPLE_RATE;
  }
  return { format, spyName: "", sampleRate, units, name: t.sampleType };
}

/** The flamebearer answer of /pyroscope/render. */
export function singleFlamebearer(
  fg: FlameGraphData,
  t: ProfileType,
  timeline: FlamebearerTimeline | null,
  groups: Record<string, FlamebearerTimeline> | null,
): FlamebearerProfile {
  return {
    version: 1,
    flamebearer: flamebearerData(fg),
    metadata: flamebearerMetadata(t, "single"),
    timeline,
    groups,
    heatmap: null,
  };
}

/**
 * The flamebearer answer of /pyroscope/render-diff. Unlike Pyroscope, which leaves
 * zero ticks out, `leftTicks` and `rightTicks` are always present: the UI's
 * double-format type requires both.
 */
export function diffFlamebearer(fg: FlameGraphDiffData, t: ProfileType): FlamebearerProfile {
  return {
    version: 1,
    flamebearer: flamebearerData(fg),
    metadata: flamebearerMetadata(t, "double"),
    timeline: null,
    groups: null,
    heatmap: null,
    leftTicks: Math.round(fg.leftTicks),
    rightTicks: Math.round(fg.rightTicks),
  };
}

// Trees sum float64 values; the wire carries integers, as Pyroscope's int64 levels do.
function flamebearerData(fg: FlameGraphData | FlameGraphDiffData): FlamebearerData {
  return {
    names: fg.names,
    levels: fg.levels.map((l) => l.map((v) => Math.round(v))),
    numTicks: Math.round(fg.total),
    maxSelf: Math.round(fg.maxSelf),
  };
}
