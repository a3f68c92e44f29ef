/**
 * Selection over a head: which series match a label query, and which profile rows
 * of which series fall in a time range.
 */
import type { LabelQuery, SelectQuery } from "../../model/query.js";
import { LabelName } from "../../model/labels.js";
import { profileTypeId } from "../../model/profile-type.js";
import type { Matcher } from "../../model/selector.js";
import type { MemBlock, SeriesData } from "../mem-block.js";


/** Series of `head` matching any selector of `q` (all when none) and holding data in its range. */
export function selectSeries(head: Pick<MemBlock, "series" | "postings" | "labelsOf">, q: LabelQuery): SeriesData[] {
  const out: SeriesData[] = [];
  if (q.selectors.length === 0) {
    for (const s of head.series) if (s.overlaps(q.startMs, q.endMs)) out.push(s);
    return out;
  }
  const seen = new Uint8Array(head.series.length);
  for (const matchers of q.selectors) {
    for (const ref of head.postings.select(matchers, head.series.length, (r) => head.labelsOf(r))) {
      if (seen[ref]) continue;
      seen[ref] = 1;
      const s = head.series[ref]!;
      if (s.overlaps(q.startMs, q.endMs)) out.push(s);
    }
  }
  out.sort((a, b) => a.ref - b.ref);
  return out;
}

/** Series of `q`'s profile type matching its matchers with data in [startMs, endMs] (needs only the index). */
export function selectSeriesOfType(head: Pick<MemBlock, "series" | "postings" | "labelsOf">, q: SelectQuery): SeriesData[] {
  // Built from the parts, as Phlare's SelectorFromProfileType does: a selection ID's optional
  // sixth ":delta" part is not part of any stored __profile_type__.
  const t = q.profileType;
  const id = profileTypeId(t.name, t.sampleType, t.sampleUnit, t.periodType, t.periodUnit);
  const typeMatcher: Matcher = {
    name: LabelName.ProfileType,
    type: "=",
    value: id,
    matches: (v: string) => v === id,
  };
  const out: SeriesData[] = [];
  for (const ref of head.postings.select([typeMatcher, ...q.matchers], head.series.length, (r) => head.labelsOf(r))) {
    const s = head.series[ref]!;
    if (s.overlaps(q.startMs, q.endMs)) out.push(s);
  }
  return out;
}

/** Profile rows of `q`'s profile type matching its matchers within [startMs, endMs], grouped by series. */
export function selectRows(head: MemBlock, q: SelectQuery): { series: SeriesData[]; rows: Uint32Array } {
  const series: SeriesData[] = [];
  let total = 0;
  const ranges: number[] = [];
  for (const s of selectSeriesOfType(head, q)) {
    const from = lowerBound(head, s, q.startMs);
    const to = upperBound(head, s, q.endMs);
    if (from >= to) continue;
    series.push(s);
    ranges.push(from, to);
    total += to - from;
  }
  const rows = new Uint32Array(total);
  let k = 0;
  const keep = q.keep;
  const ids = head.profiles.ids;
  for (let i = 0; i < series.length; i++) {
    const s = series[i]!;
    for (let j = ranges[2 * i]!; j < ranges[2 * i + 1]!; j++) {
      const row = s.rows[j]!;
      if (keep === undefined || keep.delete(ids[row]!)) rows[k++] = row;
    }
  }
  return { series, rows: k === total ? rows : rows.subarray(0, k) };
}

/** First index in s.rows whose time is ≥ startMs. */
function lowerBound(head: MemBlock, s: SeriesData, startMs: number): number {
  const t = head.profiles.timeMs;
  let lo = 0;
  let hi = s.rowCount;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[s.rows[mid]!]! < startMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in s.rows whose time is > endMs. */
function upperBound(head: MemBlock, s: SeriesData, endMs: number): number {
  const t = head.profiles.timeMs;
  let lo = 0;
  let hi = s.rowCount;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[s.rows[mid]!]! <= endMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
