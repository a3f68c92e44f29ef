/**
 * Turns time-sorted profile totals into points: a point at t = start, start+step,
 * …, ≤ end sums (or averages) the profiles with timestamp in (t − step, t]; steps
 * without profiles produce no point (Phlare's rangeSeries).
 */
import { compareLabels } from "../model/labels.js";
import type { ProfileTotals } from "../model/query.js";
import type { SeriesOptions, SeriesResult } from "./api.js";

/** Builds the series of `totals` for [startMs, endMs]. */
export function rangeSeries(totals: ProfileTotals, startMs: number, endMs: number, opts: SeriesOptions): SeriesResult[] {
  const { stepMs } = opts;
  const series: (SeriesResult & { counts: number[] })[] = totals.groups.map((labels) => ({ labels, timestampsMs: [], values: [], counts: [] }));
  const n = totals.timeMs.length;
  let i = 0;
  // Profiles at or before the first step's lower bound are not part of the range.
  while (i < n && totals.timeMs[i]! <= startMs - stepMs) i++;
  for (let t = startMs; t <= endMs && i < n; t += stepMs) {
    while (i < n && totals.timeMs[i]! <= t) {
      const s = series[totals.group[i]!]!;
      const last = s.timestampsMs.length - 1;
      if (last >= 0 && s.timestampsMs[last] === t) {
        s.values[last] = s.values[last]! + totals.value[i]!;
        s.counts[last] = s.counts[last]! + 1;
      } else {
        s.timestampsMs.push(t);
        s.values.push(totals.value[i]!);
        s.counts.push(1);
      }
      i++;
    }
  }
  let out = series.filter((s) => s.timestampsMs.length > 0);
  if (opts.aggregation === "average") {
    for (const s of out) for (let k = 0; k < s.values.length; k++) s.values[k] = s.values[k]! / s.counts[k]!;
  }
  if (opts.limit > 0 && out.length > opts.limit) {
    const sum = (s: SeriesResult): number => s.values.reduce((a, b) => a + b, 0);
    out = out.sort((a, b) => sum(b) - sum(a)).slice(0, opts.limit);
  }
  return out
    .map(({ labels, timestampsMs, values }) => ({ labels, timestampsMs, values }))
    .sort((a, b) => compareLabels(a.labels, b.labels));
}
