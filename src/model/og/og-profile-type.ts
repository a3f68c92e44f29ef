/**
 * What the OG type suffix of an /ingest key (`app.cpu`, `app.alloc_space`, …) becomes in
 * the Phlare data model, following Pyroscope's ingest adapter: a `__name__`, one sample
 * type, and for CPU-like types sampled at `sampleRate` Hz a period in nanoseconds that
 * every count is multiplied by (a count of samples becomes CPU or wall time).
 */
import { InvalidArgumentError } from "../errors.js";

/** What an OG type suffix becomes. */
export interface OgProfileType {
  metricName: string;
  sampleType: readonly [string, string];
  periodType?: readonly [string, string];
  period: number;
  /** multiply input values by this (cpu/wall: the period in ns) */
  scale: number;
}

/** The query parameters of /ingest that bear on the profile type. */
export interface OgTypeOptions {
  /** Hz; 0 keeps CPU-like types as plain sample counts. */
  sampleRate: number;
  units?: string;
  aggregationType?: string;
  spyName?: string;
}

/** One row of the suffix table; `timed` rows are scaled by the sampling period. */
interface SuffixRow {
  metric: string;
  type: string;
  unit: string;
  timed?: "cpu" | "wall";
}

const row = (metric: string, type: string, unit: string, timed?: "cpu" | "wall"): SuffixRow =>
  timed ? { metric, type, unit, timed } : { metric, type, unit };

// Pyroscope's convertMetadata (pkg/ingester/pyroscope/ingest_adapter.go). A Map, so that
// suffixes such as "constructor" or "__proto__" are unknown rather than inherited.
const SUFFIXES: ReadonlyMap<string, SuffixRow> = new Map<string, SuffixRow>([
  ["cpu", row("process_cpu", "samples", "count", "cpu")],
  ["itimer", row("process_cpu", "samples", "count", "cpu")],
  ["wall", row("wall", "samples", "count", "wall")],
  ["inuse_objects", row("memory", "inuse_objects", "count")],
  ["inuse_space", row("memory", "inuse_space", "bytes")],
  ["alloc_objects", row("memory", "alloc_objects", "count")],
  ["alloc_space", row("memory", "alloc_space", "bytes")],
  ["goroutines", row("goroutine", "goroutines", "count")],
  ["mutex_count", row("mutex", "contentions", "count")],
  ["mutex_duration", row("mutex", "delay", "nanoseconds")],
  ["block_count", row("block", "contentions", "count")],
  ["block_duration", row("block", "delay", "nanoseconds")],
  ["lock_count", row("block", "contentions", "count")],
  ["lock_duration", row("block", "delay", "nanoseconds")],
  ["alloc_in_new_tlab_objects", row("memory", "alloc_in_new_tlab_objects", "count")],
  ["alloc_in_new_tlab_bytes", row("memory", "alloc_in_new_tlab_bytes", "bytes")],
  ["alloc_outside_tlab_objects", row("memory", "alloc_outside_tlab_objects", "count")],
  ["alloc_outside_tlab_bytes", row("memory", "alloc_outside_tlab_bytes", "bytes")],
  ["live", row("memory", "live", "count")],
  ["exceptions", row("exceptions", "samples", "count")],
  // Speedscope uploads of several profiles are keyed `app.<unit>` in Pyroscope.
  ["seconds", row("wall", "samples", "count", "wall")],
  ["milliseconds", row("wall", "samples", "count", "wall")],
  ["microseconds", row("wall", "samples", "count", "wall")],
  ["nanoseconds", row("wall", "samples", "count", "wall")],
  ["bytes", row("memory", "samples", "bytes")],
]);

const NANOS_PER_SECOND = 1_000_000_000;

/** Every suffix ogProfileType() knows, in table order. */
export function knownOgSuffixes(): string[] {
  return [...SUFFIXES.keys()];
}

/**
 * Maps an OG type suffix to its series name, sample type and scaling. CPU-like types
 * (`cpu`, `itimer`, `wall` and the time units) with a non-zero sampleRate become
 * `cpu|wall`/`nanoseconds` with period type `cpu`/`nanoseconds` (Pyroscope uses `cpu` for
 * wall too) and period = ⌊1e9 / sampleRate⌋, the scale. `units`, `aggregationType` and
 * `spyName` are accepted for the caller's convenience and change nothing, as in Pyroscope.
 */
export function ogProfileType(suffix: string, opts: OgTypeOptions): OgProfileType {
  const r = SUFFIXES.get(suffix);
  if (r === undefined) {
    throw new InvalidArgumentError("invalid_request", `unknown profile type: ${JSON.stringify(suffix.slice(0, 64))}`);
  }
  const rate = opts.sampleRate;
  if (!Number.isSafeInteger(rate) || rate < 0) {
    throw new InvalidArgumentError("invalid_request", `sampleRate ${rate} is not a non-negative integer`);
  }
  if (r.timed === undefined || rate === 0) {
    return { metricName: r.metric, sampleType: [r.type, r.unit], period: 0, scale: 1 };
  }
  const period = Math.floor(NANOS_PER_SECOND / rate);
  if (period < 1) {
    throw new InvalidArgumentError("invalid_request", `sampleRate ${rate} Hz is above ${NANOS_PER_SECOND}: the period would be under 1 ns`);
  }
  return {
    metricName: r.metric,
    sampleType: [r.timed, "nanoseconds"],
    periodType: ["cpu", "nanoseconds"],
    period,
    scale: period,
  };
}
