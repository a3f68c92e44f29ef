/**
 * The label APIs over a block's series and postings: all they need is the index,
 * so on-disk blocks answer them without loading profiles or symbols.
 */
import { labelsKey } from "../../model/labels.js";
import type { Labels } from "../../model/labels.js";
import type { ProfileType } from "../../model/profile-type.js";
import type { LabelQuery } from "../../model/query.js";
import type { MemBlock } from "../mem-block.js";
import { selectSeries } from "./select.js";

/** What the label APIs read of a block. */
export type SeriesView = Pick<MemBlock, "series" | "postings" | "labelsOf">;

/** Profile types of the matching series. */
export function profileTypes(b: SeriesView, q: LabelQuery): ProfileType[] {
  const byId = new Map<string, ProfileType>();
  for (const s of selectSeries(b, q)) byId.set(s.profileType.id, s.profileType);
  return [...byId.values()];
}

/** Label names of the matching series (unsorted). */
export function labelNames(b: SeriesView, q: LabelQuery): string[] {
  if (unfiltered(q)) {
    const postings = b.postings;
    return postings.labelNames().filter((n) => postings.labelValues(n).some((v) => anyStored(b, n, v)));
  }
  const names = new Set<string>();
  for (const s of selectSeries(b, q)) for (const l of s.labels) names.add(l.name);
  return [...names];
}

/** Values of label `name` over the matching series (unsorted). */
export function labelValues(b: SeriesView, name: string, q: LabelQuery): string[] {
  if (unfiltered(q)) return b.postings.labelValues(name).filter((v) => anyStored(b, name, v));
  const values = new Set<string>();
  for (const s of selectSeries(b, q)) {
    for (const l of s.labels) if (l.name === name) values.add(l.value);
  }
  return [...values];
}

/** Distinct label sets of the matching series, restricted to `labelNames` when not empty. */
export function seriesLabels(b: SeriesView, q: LabelQuery, labelNames: readonly string[]): Labels[] {
  const out: Labels[] = [];
  const seen = new Set<string>();
  const keep = labelNames.length > 0 ? new Set(labelNames) : undefined;
  for (const s of selectSeries(b, q)) {
    const ls = keep ? s.labels.filter((l) => keep.has(l.name)) : s.labels;
    const key = labelsKey(ls);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(ls);
  }
  return out;
}

function unfiltered(q: LabelQuery): boolean {
  return q.selectors.length === 0 && q.startMs === undefined && q.endMs === undefined;
}

// A series exists before its first stored row (a delta series' seed profile is not
// stored), but like Phlare's index the label APIs only know series that hold data.
function anyStored(b: SeriesView, name: string, value: string): boolean {
  return b.postings.get(name, value).some((ref) => b.series[ref]!.rowCount > 0);
}
