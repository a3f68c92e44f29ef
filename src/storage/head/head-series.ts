/**
 * The series of one head: label sets, their profile type, their rows, and the
 * per-series state ingest needs (last timestamp for the out-of-order check, delta
 * state, last activity for the active-series limit).
 */
import { getLabel, LabelName } from "../../model/labels.js";
import type { Labels } from "../../model/labels.js";
import type { ProfileType } from "../../model/profile-type.js";
import { grow } from "../encoding/grow.js";
import type { DeltaState } from "./delta.js";

/** One series of the head. */
export class HeadSeries {
  /** Row indices into the profile columns, in time order. */
  rows = new Uint32Array(8);
  rowCount = 0;
  minTimeMs = Infinity;
  maxTimeMs = -Infinity;
  lastTimeNanos = -(2n ** 63n);
  /** Wall-clock time of the last accepted profile, for active-series accounting. */
  lastSeenMs = 0;
  active = true;

  constructor(
    readonly ref: number,
    readonly labels: Labels,
    readonly profileType: ProfileType,
    readonly delta: DeltaState | undefined,
  ) {}

  /** Records row `row` at `timeMs`. */
  addRow(row: number, timeMs: number): void {
    this.rows = grow(this.rows, this.rowCount + 1);
    this.rows[this.rowCount++] = row;
    if (timeMs < this.minTimeMs) this.minTimeMs = timeMs;
    if (timeMs > this.maxTimeMs) this.maxTimeMs = timeMs;
  }

  /** Whether the series has data in [startMs, endMs]. */
  overlaps(startMs: number | undefined, endMs: number | undefined): boolean {
    if (this.rowCount === 0) return false;
    if (startMs !== undefined && this.maxTimeMs < startMs) return false;
    if (endMs !== undefined && this.minTimeMs > endMs) return false;
    return true;
  }
}

/** The profile type a series' labels describe. */
export function profileTypeOf(labels: Labels): ProfileType {
  return {
    id: getLabel(labels, LabelName.ProfileType) ?? "",
    name: getLabel(labels, LabelName.MetricName) ?? "",
    sampleType: getLabel(labels, LabelName.Type) ?? "",
    sampleUnit: getLabel(labels, LabelName.Unit) ?? "",
    periodType: getLabel(labels, LabelName.PeriodType) ?? "",
    periodUnit: getLabel(labels, LabelName.PeriodUnit) ?? "",
  };
}
