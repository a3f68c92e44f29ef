/**
 * JFR recordings as the Java agent uploads them to `/ingest?format=jfr`, turned into one
 * profile per (profile type, dynamic label set). See docs/format/jfr.md for what is read
 * and JFR_EVENT_MAPPINGS for which events become which profiles.
 */
import { InvalidArgumentError } from "../errors.js";
import { maybeGunzip } from "../pprof/gzip.js";
import type { FlatProfile } from "../pprof/flat-profile.js";
import { invalidJfr } from "./byte-reader.js";
import { forEachRecord, isJfr, readChunk } from "./chunk.js";
import type { Chunk } from "./chunk.js";
import { decodeLabelsSnapshot } from "./labels-snapshot.js";
import type { LabelsSnapshot } from "./labels-snapshot.js";
import { fieldIndex, readFields } from "./layout.js";
import type { Layout } from "./layout.js";
import { EventWeight, JFR_EVENT_MAPPINGS, JFR_PROFILE_TYPES, JfrProfileKind } from "./profile-types.js";
import type { JfrEventMapping } from "./profile-types.js";
import { SampleAggregator } from "./sample-aggregator.js";

/** One profile of a recording. */
export interface JfrProfile {
  /** `__name__` of the series, e.g. "process_cpu", "wall", "memory", "block". */
  metricName: string;
  /** Labels from the `labels` part for this sample group (context id → labels); [] when none. */
  labels: Array<[string, string]>;
  profile: FlatProfile;
}

/** How a recording is converted. */
export interface JfrOptions {
  /** Sampling rate of CPU and wall samples in Hz; each sample is worth 1e9 / sampleRate ns. Default 100. */
  sampleRate?: number;
  /** Cap on each part once gunzipped; larger parts throw LimitExceededError("body_too_large"). */
  maxBytes: number;
  /** Profile start; defaults to the first chunk's start. */
  startNanos?: bigint;
  /** Profile end; defaults to the last chunk's end. */
  endNanos?: bigint;
}

/** The sampling rate used when none (or a non-positive one) is given, as /ingest defaults it. */
export const DEFAULT_SAMPLE_RATE_HZ = 100;
/** Context labels that are never series labels: a per-request id would make a series per request. */
export const DROPPED_CONTEXT_LABELS: ReadonlySet<string> = new Set(["profile_id"]);
/**
 * Bound on the frames of all output samples, per byte of gunzipped recording. Real
 * recordings produce 0.1 to 0.3 (each stack is stored once and is at least 4 bytes a frame);
 * a hostile one could name one deep stack from every context of a large labels part.
 */
export const FRAMES_PER_INPUT_BYTE = 2;
const MIN_FRAME_BUDGET = 1 << 20;
// Setting of async-profiler's recordings naming the sampling engine ("cpu", "itimer", "wall", …).
const EVENT_SETTING = "event";
const SLEEPING_STATE = "STATE_SLEEPING";

/** How one event type of a chunk is read. */
interface EventPlan {
  mapping: JfrEventMapping | undefined;
  layout: Layout;
  stack: number;
  context: number;
  state: number;
  count: number;
  weight: number;
  /** For jdk.ActiveSetting: the name and value fields. */
  settingName: number;
  settingValue: number;
}

function planEvents(chunk: Chunk): Map<number, EventPlan> {
  const plans = new Map<number, EventPlan>();
  const at = chunk.header.start + chunk.header.metadataOffset;
  const add = (name: string, mapping: JfrEventMapping | undefined): void => {
    const cls = chunk.metadata.byName.get(name);
    if (cls === undefined) return;
    const layout = chunk.layouts.get(cls.id, at);
    const f = (field: string | undefined): number => (field === undefined ? -1 : fieldIndex(layout, field));
    plans.set(cls.id, {
      mapping,
      layout,
      stack: f("stackTrace"),
      context: f("contextId"),
      state: f("state"),
      count: f(mapping?.countField),
      weight: f(mapping?.weightField),
      settingName: f("name"),
      settingValue: f("value"),
    });
  };
  for (const m of JFR_EVENT_MAPPINGS) add(m.event, m);
  add("jdk.ActiveSetting", undefined);
  return plans;
}

/** Interns the label sets of context ids; label set 0 is the empty one. */
class ContextLabels {
  readonly sets: Array<Array<[string, string]>> = [[]];
  private readonly setIds = new Map<string, number>([["[]", 0]]);
  private readonly byContext = new Map<number, number>();

  constructor(private readonly snapshot: LabelsSnapshot | undefined) {}

  labelSet(contextId: number): number {
    if (contextId === 0 || this.snapshot === undefined) return 0;
    let id = this.byContext.get(contextId);
    if (id !== undefined) return id;
    const pairs: Array<[string, string]> = [];
    for (const [k, v] of this.snapshot.contexts.get(contextId) ?? []) {
      const name = this.snapshot.strings.get(k) ?? "";
      const value = this.snapshot.strings.get(v) ?? "";
      if (name === "" || value === "" || DROPPED_CONTEXT_LABELS.has(name)) continue;
      pairs.push([name, value]);
    }
    pairs.sort(comparePairs);
    const key = JSON.stringify(pairs);
    id = this.setIds.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(pairs);
      this.setIds.set(key, id);
    }
    this.byContext.set(contextId, id);
    return id;
  }
}

function periodNanos(sampleRate: number | undefined): number {
  const rate = sampleRate !== undefined && Number.isFinite(sampleRate) && sampleRate > 0 ? sampleRate : DEFAULT_SAMPLE_RATE_HZ;
  return Math.max(1, Math.floor(1e9 / rate));
}

/**
 * Converts a JFR upload: `jfr` is the recording and `labels` the optional LabelsSnapshot,
 * each gzipped or not. Returns one profile per (profile type, context label set), ordered
 * by profile type then label set. A malformed recording or labels part throws
 * InvalidArgumentError("invalid_profile"); a part larger than maxBytes once gunzipped
 * throws LimitExceededError("body_too_large").
 */
export function parseJfrIngest(jfr: Uint8Array, labels: Uint8Array | undefined, options: JfrOptions): JfrProfile[] {
  const buf = maybeGunzip(jfr, options.maxBytes);
  if (buf.length === 0) throw new InvalidArgumentError("invalid_profile", "jfr recording is empty");
  if (!isJfr(buf)) invalidJfr('recording does not start with the chunk magic "FLR\\0"', 0);
  const labelBytes = labels === undefined || labels.length === 0 ? undefined : maybeGunzip(labels, options.maxBytes);
  const contexts = new ContextLabels(labelBytes === undefined ? undefined : decodeLabelsSnapshot(labelBytes));
  const agg = new SampleAggregator(periodNanos(options.sampleRate), Math.max(MIN_FRAME_BUDGET, FRAMES_PER_INPUT_BYTE * buf.length));

  let firstStart: bigint | undefined;
  let lastEnd = 0n;
  let eventSetting = "";
  for (let start = 0; start < buf.length; ) {
    const chunk = readChunk(buf, start);
    const h = chunk.header;
    firstStart ??= h.startNanos;
    if (h.startNanos + h.durationNanos > lastEnd) lastEnd = h.startNanos + h.durationNanos;
    const plans = planEvents(chunk);
    let maxFields = 1;
    for (const p of plans.values()) maxFields = Math.max(maxFields, p.layout.kinds.length);
    const slots = new Float64Array(maxFields);
    const strings: string[] = [];
    const nanosPerTick = 1e9 / h.ticksPerSecond;
    const r = chunk.reader;
    agg.beginChunk(chunk.pools);
    forEachRecord(chunk, (type) => {
      const p = plans.get(type);
      if (p === undefined) return;
      const m = p.mapping;
      if (m === undefined) {
        strings.length = 0;
        readFields(r, p.layout, slots, strings, 0);
        if (p.settingName >= 0 && p.settingValue >= 0 && strings[p.settingName] === EVENT_SETTING) eventSetting = strings[p.settingValue] ?? "";
        return;
      }
      slots.fill(0, 0, p.layout.kinds.length);
      readFields(r, p.layout, slots, null, 0);
      if (p.stack < 0) return;
      const stack = slots[p.stack]!;
      const labelSet = p.context >= 0 ? contexts.labelSet(slots[p.context]!) : 0;
      const first = p.count >= 0 ? slots[p.count]! : 1;
      let second = 0;
      if (m.weight === EventWeight.Field && p.weight >= 0) second = slots[p.weight]!;
      else if (m.weight === EventWeight.DurationTicks && p.weight >= 0) second = Math.round(slots[p.weight]! * nanosPerTick);
      if (m.kind !== JfrProfileKind.Cpu) {
        agg.add(m.kind, labelSet, stack, first, second);
        return;
      }
      // An execution sample is CPU time unless its thread slept; under async-profiler's wall
      // engine every execution sample is also wall time.
      if (p.state < 0 || chunk.pools.threadStates.get(slots[p.state]!) !== SLEEPING_STATE) agg.add(JfrProfileKind.Cpu, labelSet, stack, 1, 0);
      if (eventSetting === "wall") agg.add(JfrProfileKind.Wall, labelSet, stack, 1, 0);
    });
    agg.endChunk();
    start = chunk.end;
  }

  const timeNanos = options.startNanos ?? firstStart ?? 0n;
  const endNanos = options.endNanos ?? lastEnd;
  const durationNanos = endNanos > timeNanos ? endNanos - timeNanos : 0n;
  const built = agg.build(timeNanos, durationNanos);
  built.sort((a, b) => a.kind - b.kind || compareLabels(contexts.sets[a.labelSet]!, contexts.sets[b.labelSet]!));
  return built.map((b) => ({ metricName: JFR_PROFILE_TYPES[b.kind]!.metricName, labels: contexts.sets[b.labelSet]!.map(([k, v]) => [k, v]), profile: b.profile }));
}

/** Orders label sets pair by pair, a prefix first (so the empty set leads). */
function compareLabels(a: Array<[string, string]>, b: Array<[string, string]>): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const c = comparePairs(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function comparePairs(a: [string, string], b: [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return 0;
}
