/**
 * Which JFR events become which profiles. The names, sample types and period types are
 * Pyroscope's JFR converter's, except that lock events (`jdk.JavaMonitorEnter` and
 * `jdk.ThreadPark`) both go to `block`, as Phlare's ingestion of the JFR `lock_count` and
 * `lock_duration` types did; Pyroscope splits them into `mutex` and `block`.
 */
import type { ValueType } from "../pprof/stack-builder.js";

/** A profile built from JFR events. */
export interface JfrProfileType {
  /** `__name__` of the series. */
  metricName: string;
  sampleTypes: readonly ValueType[];
  periodType?: ValueType;
  /** Values are sample counts times the sampling period (1e9 / sampleRate nanoseconds). */
  timesPeriod: boolean;
}

/** Index into JFR_PROFILE_TYPES. */
export const JfrProfileKind = {
  Cpu: 0,
  Wall: 1,
  AllocInNewTlab: 2,
  AllocOutsideTlab: 3,
  AllocSample: 4,
  Lock: 5,
  Live: 6,
  Malloc: 7,
} as const;

/** The profile types, indexed by JfrProfileKind. */
export const JFR_PROFILE_TYPES: readonly JfrProfileType[] = [
  { metricName: "process_cpu", sampleTypes: [["cpu", "nanoseconds"]], periodType: ["cpu", "nanoseconds"], timesPeriod: true },
  { metricName: "wall", sampleTypes: [["wall", "nanoseconds"]], periodType: ["wall", "nanoseconds"], timesPeriod: true },
  {
    metricName: "memory",
    sampleTypes: [
      ["alloc_in_new_tlab_objects", "count"],
      ["alloc_in_new_tlab_bytes", "bytes"],
    ],
    periodType: ["space", "bytes"],
    timesPeriod: false,
  },
  {
    metricName: "memory",
    sampleTypes: [
      ["alloc_outside_tlab_objects", "count"],
      ["alloc_outside_tlab_bytes", "bytes"],
    ],
    periodType: ["space", "bytes"],
    timesPeriod: false,
  },
  {
    metricName: "memory",
    sampleTypes: [
      ["alloc_sample_objects", "count"],
      ["alloc_sample_bytes", "bytes"],
    ],
    periodType: ["space", "bytes"],
    timesPeriod: false,
  },
  {
    metricName: "block",
    sampleTypes: [
      ["contentions", "count"],
      ["delay", "nanoseconds"],
    ],
    periodType: ["block", "count"],
    timesPeriod: false,
  },
  { metricName: "memory", sampleTypes: [["live", "count"]], periodType: ["objects", "count"], timesPeriod: false },
  {
    metricName: "memory",
    sampleTypes: [
      ["malloc_objects", "count"],
      ["malloc_bytes", "bytes"],
    ],
    timesPeriod: false,
  },
];

/** What the second value of an event's sample is read from. */
export const EventWeight = {
  /** No second value. */
  None: 0,
  /** A field in bytes or a count, taken as is. */
  Field: 1,
  /** A duration field in ticks, converted to nanoseconds. */
  DurationTicks: 2,
} as const;

/** How one event type is turned into samples. */
export interface JfrEventMapping {
  /** The event class name in the recording's metadata. */
  event: string;
  kind: number;
  /**
   * Field holding the first value; absent means each event counts 1. For wall-clock
   * samples it is how many samples the event stands for.
   */
  countField?: string;
  weight: number;
  /** Field holding the second value when weight is not None. */
  weightField?: string;
}

/** The events read, and what each becomes. */
export const JFR_EVENT_MAPPINGS: readonly JfrEventMapping[] = [
  { event: "jdk.ExecutionSample", kind: JfrProfileKind.Cpu, weight: EventWeight.None },
  { event: "profiler.WallClockSample", kind: JfrProfileKind.Wall, countField: "samples", weight: EventWeight.None },
  { event: "jdk.ObjectAllocationInNewTLAB", kind: JfrProfileKind.AllocInNewTlab, weight: EventWeight.Field, weightField: "tlabSize" },
  { event: "jdk.ObjectAllocationOutsideTLAB", kind: JfrProfileKind.AllocOutsideTlab, weight: EventWeight.Field, weightField: "allocationSize" },
  { event: "jdk.ObjectAllocationSample", kind: JfrProfileKind.AllocSample, weight: EventWeight.Field, weightField: "weight" },
  { event: "jdk.JavaMonitorEnter", kind: JfrProfileKind.Lock, weight: EventWeight.DurationTicks, weightField: "duration" },
  { event: "jdk.ThreadPark", kind: JfrProfileKind.Lock, weight: EventWeight.DurationTicks, weightField: "duration" },
  { event: "profiler.LiveObject", kind: JfrProfileKind.Live, weight: EventWeight.None },
  { event: "profiler.Malloc", kind: JfrProfileKind.Malloc, weight: EventWeight.Field, weightField: "size" },
];
