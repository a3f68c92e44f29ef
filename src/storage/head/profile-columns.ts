/**
 * The head's profile rows, column by column. A row is one (profile, sample type):
 * its series, time, total and a range in the shared sample columns (stacktrace id,
 * value), sorted by stacktrace id.
 */
import { grow } from "../encoding/grow.js";

/** Append-only profile and sample columns. */
export class ProfileColumns {
  /** Number of rows. */
  count = 0;
  series = new Uint32Array(256);
  timeNanos = new BigInt64Array(256);
  timeMs = new Float64Array(256);
  total = new Float64Array(256);
  /** Row r's samples are [sampleOffsets[r], sampleOffsets[r+1]). */
  sampleOffsets = new Uint32Array(257);
  readonly ids: string[] = [];
  /** Number of samples over all rows. */
  sampleCount = 0;
  stacks = new Uint32Array(4096);
  values = new Float64Array(4096);

  /** Appends a row whose samples are stacks/values[0 .. n). Returns the row index. */
  append(series: number, timeNanos: bigint, id: string, stacks: Uint32Array, values: Float64Array, n: number): number {
    const r = this.count++;
    this.series = grow(this.series, r + 1);
    this.timeNanos = grow(this.timeNanos, r + 1);
    this.timeMs = grow(this.timeMs, r + 1);
    this.total = grow(this.total, r + 1);
    this.sampleOffsets = grow(this.sampleOffsets, r + 2);
    this.series[r] = series;
    this.timeNanos[r] = timeNanos;
    this.timeMs[r] = Number(timeNanos / 1_000_000n);
    this.ids.push(id);
    const off = this.sampleCount;
    this.stacks = grow(this.stacks, off + n);
    this.values = grow(this.values, off + n);
    this.stacks.set(stacks.subarray(0, n), off);
    this.values.set(values.subarray(0, n), off);
    let total = 0;
    for (let i = 0; i < n; i++) total += values[i]!;
    this.total[r] = total;
    this.sampleCount = off + n;
    this.sampleOffsets[r + 1] = this.sampleCount;
    return r;
  }

  /** Bytes held by the columns, for the head-size estimate. */
  sizeBytes(): number {
    return this.sampleCount * 12 + this.count * 40;
  }
}
