/**
 * Time series of SelectSeries answers: parsing, alignment on one step grid for the chart,
 * and the per-value statistics of the tag explorer.
 */
import type { TimeRangeMs } from "./time-range.ts";

/** One point: Unix ms and the step's value. */
export interface SeriesPoint {
  timestampMs: number;
  value: number;
}

/** One series with its labels (only the groupBy labels when grouped). */
export interface Series {
  labels: Record<string, string>;
  points: SeriesPoint[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads a Connect JSON SelectSeriesResponse (int64 timestamps arrive as strings). */
export function parseSelectSeries(json: unknown): Series[] {
  if (!isRecord(json)) throw new Error("SelectSeries answer is not a JSON object");
  const list = Array.isArray(json.series) ? json.series : [];
  return list.filter(isRecord).map((s) => {
    const labels: Record<string, string> = {};
    for (const l of Array.isArray(s.labels) ? s.labels : []) {
      if (isRecord(l) && typeof l.name === "string") labels[l.name] = typeof l.value === "string" ? l.value : "";
    }
    const points: SeriesPoint[] = [];
    for (const p of Array.isArray(s.points) ? s.points : []) {
      if (!isRecord(p)) continue;
      const t = Number(p.timestamp ?? 0);
      const v = Number(p.value ?? 0);
      if (Number.isFinite(t) && Number.isFinite(v)) points.push({ timestampMs: t, value: v });
    }
    return { labels, points };
  });
}

/** Series on a common x axis (Unix seconds, as uPlot's time scale wants). */
export interface AlignedSeries {
  xs: number[];
  ys: number[][];
}

/**
 * Puts every series on one grid of `stepS` seconds covering `range`; a point adds to
 * the grid slot that ends at or after it, steps without points are 0.
 */
export function alignSeries(series: readonly Series[], range: TimeRangeMs, stepS: number): AlignedSeries {
  const stepMs = stepS * 1000;
  const first = Math.floor(range.startMs / stepMs) * stepMs;
  const n = Math.max(1, Math.ceil((range.endMs - first) / stepMs) + 1);
  const xs = Array.from({ length: n }, (_, i) => (first + i * stepMs) / 1000);
  const ys = series.map((s) => {
    const y = new Array<number>(n).fill(0);
    for (const p of s.points) {
      const i = Math.ceil((p.timestampMs - first) / stepMs);
      if (i >= 0 && i < n) y[i]! += p.value;
    }
    return y;
  });
  return { xs, ys };
}

/** The explorer's table row for one label value. */
export interface GroupStats {
  value: string;
  total: number;
  /** Mean and population standard deviation over the range's steps. */
  avg: number;
  stddev: number;
  /** Percent of the sum over all values. */
  share: number;
}

/** Statistics per series, sorted by total, largest first. `names` and `ys` are parallel. */
export function groupStats(names: readonly string[], ys: readonly number[][]): GroupStats[] {
  const totals = ys.map((y) => y.reduce((a, b) => a + b, 0));
  const sum = totals.reduce((a, b) => a + b, 0);
  const rows = names.map((value, i) => {
    const y = ys[i] ?? [];
    const total = totals[i] ?? 0;
    const avg = y.length > 0 ? total / y.length : 0;
    const variance = y.length > 0 ? y.reduce((a, v) => a + (v - avg) ** 2, 0) / y.length : 0;
    return { value, total, avg, stddev: Math.sqrt(variance), share: sum > 0 ? (total / sum) * 100 : 0 };
  });
  return rows.sort((a, b) => b.total - a.total || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

/** The name of a grouped series: its value of `groupBy`, or "*" when it has none (as Pyroscope's groups). */
export function groupName(s: Series, groupBy: string): string {
  return s.labels[groupBy] ?? "*";
}
