/**
 * The in-memory head of one tenant: deduplicated symbols, series with postings,
 * and profile rows in typed columns. Ingest turns one normalized pprof into one
 * row per sample type; no object is created per sample.
 */
import { InvalidArgumentError, LimitExceededError } from "../../model/errors.js";
import { LabelName, labelsKey, labelsString, sortLabels } from "../../model/labels.js";
import type { Labels } from "../../model/labels.js";
import { profileTypeId } from "../../model/profile-type.js";
import type { IngestProfile } from "../../model/query.js";
import { grow } from "../encoding/grow.js";
import { MemPostings } from "../index/postings.js";
import { SymbolTables } from "../symbols/symbols.js";
import { DeltaState, isDeltaSeries } from "./delta.js";
import { HeadSeries, profileTypeOf } from "./head-series.js";
import { ProfileColumns } from "./profile-columns.js";

/** How long a series without new profiles still counts as active. */
export const ACTIVE_SERIES_TIMEOUT_MS = 10 * 60 * 1000;

/** Options of a head. */
export interface HeadOptions {
  /** Maximum active series of the tenant on this head; 0 means no limit. Read on every new series. */
  maxSeries: () => number;
  /** Wall clock, injectable for tests. */
  nowMs: () => number;
}

/** Default head options: no series limit, real clock. */
export function defaultHeadOptions(): HeadOptions {
  return { maxSeries: () => 0, nowMs: () => Date.now() };
}

/** The head of one tenant. */
export class Head {
  readonly symbols = new SymbolTables();
  readonly profiles = new ProfileColumns();
  readonly postings = new MemPostings();
  readonly series: HeadSeries[] = [];
  private readonly seriesByKey = new Map<string, HeadSeries>();
  private activeSeries = 0;
  minTimeMs = Infinity;
  maxTimeMs = -Infinity;
  private pairStacks = new Uint32Array(1024);
  private pairValues = new Float64Array(1024);
  private sortKeys = new Float64Array(1024);

  constructor(private readonly options: HeadOptions = defaultHeadOptions()) {}

  /** Number of series that received a profile within the last 10 minutes. */
  get activeSeriesCount(): number {
    return this.activeSeries;
  }

  /**
   * Ingests one normalized profile: one row per sample type. Validates every
   * series (out-of-order, series limit) before mutating any of them, so a
   * rejected profile leaves no partial rows behind.
   */
  ingest(input: IngestProfile): void {
    const p = input.profile;
    const types = this.seriesLabelsFor(input);
    const nowMs = this.options.nowMs();
    const refs: (HeadSeries | undefined)[] = types.map((ls) => this.seriesByKey.get(labelsKey(ls)));
    let newSeries = 0;
    for (let i = 0; i < types.length; i++) {
      const s = refs[i];
      if (s === undefined) newSeries++;
      else if (p.timeNanos < s.lastTimeNanos) {
        throw new InvalidArgumentError(
          "out_of_order",
          `profile for series ${labelsString(s.labels)} is out of order: time ${p.timeNanos}ns is before the last accepted ${s.lastTimeNanos}ns`,
        );
      }
    }
    if (newSeries > 0) this.checkSeriesLimit(newSeries);

    const stackIds = this.symbols.ingest(p);
    const k = p.valuesPerSample;
    const order = this.sortByStack(stackIds, p.sampleCount);
    const timeMs = Number(p.timeNanos / 1_000_000n);
    for (let t = 0; t < types.length; t++) {
      const s = refs[t] ?? this.createSeries(types[t]!);
      s.lastTimeNanos = p.timeNanos;
      this.touch(s, nowMs);
      const m = this.collectSamples(order, stackIds, p.values, k, t);
      if (s.delta && !s.delta.apply(this.pairStacks, this.pairValues, m)) continue;
      const kept = compactZeros(this.pairStacks, this.pairValues, m);
      if (kept === 0) continue;
      const row = this.profiles.append(s.ref, p.timeNanos, input.id, this.pairStacks, this.pairValues, kept);
      s.addRow(row, timeMs);
      if (timeMs < this.minTimeMs) this.minTimeMs = timeMs;
      if (timeMs > this.maxTimeMs) this.maxTimeMs = timeMs;
    }
  }

  /** Marks series without data for 10 minutes inactive; returns how many became inactive. */
  sweepInactive(): number {
    const cutoff = this.options.nowMs() - ACTIVE_SERIES_TIMEOUT_MS;
    let swept = 0;
    for (const s of this.series) {
      if (s.active && s.lastSeenMs < cutoff) {
        s.active = false;
        this.activeSeries--;
        swept++;
      }
    }
    return swept;
  }

  /** Approximate bytes held, for flush-by-size decisions. */
  sizeBytes(): number {
    return this.profiles.sizeBytes() + this.symbols.sizeBytes() + this.series.length * 512;
  }

  /** The labels of series `ref`. */
  labelsOf(ref: number): Labels {
    return this.series[ref]!.labels;
  }

  private seriesLabelsFor(input: IngestProfile): Labels[] {
    const p = input.profile;
    const base = input.labels.filter((l) => !RESERVED_SERIES_LABELS.has(l.name));
    let metricName = "";
    let serviceName = "";
    for (const l of input.labels) {
      if (l.name === LabelName.MetricName) metricName = l.value;
      else if (l.name === LabelName.ServiceName) serviceName = l.value;
    }
    if (serviceName !== "") base.push({ name: LabelName.ServiceNameCopy, value: serviceName });
    let periodType = "";
    let periodUnit = "";
    if (p.periodType[0] !== 0 || p.periodType[1] !== 0) {
      periodType = p.strings[p.periodType[0]!]!;
      periodUnit = p.strings[p.periodType[1]!]!;
      base.push({ name: LabelName.PeriodType, value: periodType }, { name: LabelName.PeriodUnit, value: periodUnit });
    }
    const out: Labels[] = [];
    for (let t = 0; t < p.valuesPerSample; t++) {
      const sampleType = p.strings[p.sampleTypes[2 * t]!]!;
      const sampleUnit = p.strings[p.sampleTypes[2 * t + 1]!]!;
      out.push(
        sortLabels([
          ...base,
          { name: LabelName.Type, value: sampleType },
          { name: LabelName.Unit, value: sampleUnit },
          { name: LabelName.ProfileType, value: profileTypeId(metricName, sampleType, sampleUnit, periodType, periodUnit) },
        ]),
      );
    }
    return out;
  }

  private checkSeriesLimit(adding: number): void {
    const limit = this.options.maxSeries();
    if (limit > 0 && this.activeSeries + adding > limit) {
      throw new LimitExceededError(
        "series_limit",
        `Maximum active series limit exceeded (${this.activeSeries}/${limit}), reduce the number of active streams (reduce labels or reduce label values), or contact your administrator to see if the limit can be increased`,
      );
    }
  }

  private createSeries(labels: Labels): HeadSeries {
    const s = new HeadSeries(this.series.length, labels, profileTypeOf(labels), isDeltaSeries(labels) ? new DeltaState() : undefined);
    this.series.push(s);
    this.seriesByKey.set(labelsKey(labels), s);
    this.postings.add(s.ref, labels);
    this.activeSeries++;
    return s;
  }

  private touch(s: HeadSeries, nowMs: number): void {
    s.lastSeenMs = nowMs;
    if (!s.active) {
      s.active = true;
      this.activeSeries++;
    }
  }

  /**
   * Sample indices ordered by stacktrace id, computed once per profile and shared by its
   * sample types. Packing (id, index) into one float64 lets the native numeric sort do
   * the work without a comparator.
   */
  private sortByStack(stackIds: Uint32Array, n: number): Uint32Array {
    this.sortKeys = grow(this.sortKeys, n);
    const keys = this.sortKeys.subarray(0, n);
    const order = new Uint32Array(n);
    if (n < 0x200000) {
      for (let s = 0; s < n; s++) keys[s] = stackIds[s]! * 0x200000 + s;
      keys.sort();
      for (let i = 0; i < n; i++) order[i] = keys[i]! % 0x200000;
    } else {
      for (let s = 0; s < n; s++) order[s] = s;
      order.sort((a, b) => stackIds[a]! - stackIds[b]! || a - b);
    }
    return order;
  }

  /** Copies sample type `t`'s non-zero values into the pair buffers by stacktrace id, summing samples that share a stack. */
  private collectSamples(order: Uint32Array, stackIds: Uint32Array, values: Float64Array, k: number, t: number): number {
    const n = order.length;
    this.pairStacks = grow(this.pairStacks, n);
    this.pairValues = grow(this.pairValues, n);
    const stacks = this.pairStacks;
    const vals = this.pairValues;
    let out = -1;
    let last = -1;
    for (let i = 0; i < n; i++) {
      const s = order[i]!;
      const v = values[s * k + t]!;
      if (v === 0) continue;
      const id = stackIds[s]!;
      if (id === last) {
        vals[out] = vals[out]! + v;
      } else {
        stacks[++out] = id;
        vals[out] = v;
        last = id;
      }
    }
    return out + 1;
  }
}

const RESERVED_SERIES_LABELS = new Set<string>([
  LabelName.ServiceNameCopy,
  LabelName.ProfileType,
  LabelName.Type,
  LabelName.Unit,
  LabelName.PeriodType,
  LabelName.PeriodUnit,
]);

/** Removes pairs whose value is zero (sums can cancel out); returns the new length. */
function compactZeros(stacks: Uint32Array, values: Float64Array, n: number): number {
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (values[i] === 0) continue;
    stacks[j] = stacks[i]!;
    values[j++] = values[i]!;
  }
  return j;
}
