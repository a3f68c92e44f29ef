/**
 * Per-profile totals from several sources (ingesters, blocks) as one time-sorted list.
 */
import { labelsKey } from "../../model/labels.js";
import type { Labels } from "../../model/labels.js";
import type { ProfileTotals } from "../../model/query.js";

/** Merges totals into one time-sorted list with unified groups. */
export function mergeTotals(parts: ProfileTotals[]): ProfileTotals {
  if (parts.length === 1) return parts[0]!;
  const groups: Labels[] = [];
  const groupIdx = new Map<string, number>();
  const rows: { g: number; t: number; v: number }[] = [];
  for (const p of parts) {
    const remap = p.groups.map((ls) => {
      const key = labelsKey(ls);
      let g = groupIdx.get(key);
      if (g === undefined) {
        g = groups.length;
        groups.push(ls);
        groupIdx.set(key, g);
      }
      return g;
    });
    for (let i = 0; i < p.timeMs.length; i++) rows.push({ g: remap[p.group[i]!]!, t: p.timeMs[i]!, v: p.value[i]! });
  }
  return totalsOfRows(groups, rows);
}

/** Totals from unordered (group, time, value) rows: sorted by time. */
export function totalsOfRows(groups: Labels[], rows: { g: number; t: number; v: number }[]): ProfileTotals {
  rows.sort((a, b) => a.t - b.t);
  return {
    groups,
    group: Uint32Array.from(rows, (r) => r.g),
    timeMs: Float64Array.from(rows, (r) => r.t),
    value: Float64Array.from(rows, (r) => r.v),
  };
}
