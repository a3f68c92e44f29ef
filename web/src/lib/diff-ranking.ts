/**
 * Ranks the functions of a diff flame graph by how much they changed. Each side is
 * normalised to its own total first, so a right side that simply ran longer does not make
 * every function look slower: a change is a change of the function's share.
 */
import type { NestedSet } from "./flamebearer.ts";

/** One function's values on both sides and how they changed. */
export interface DiffRow {
  name: string;
  leftSelf: number;
  leftTotal: number;
  rightSelf: number;
  rightTotal: number;
  /** Shares of each side's total, in percent. */
  leftSelfPct: number;
  rightSelfPct: number;
  leftTotalPct: number;
  rightTotalPct: number;
  /** Absolute change of the share, in percentage points (right − left). */
  selfDelta: number;
  totalDelta: number;
  /** Relative change of the share in percent; Infinity for a function new on the right, −100 for one gone. */
  selfRel: number;
  totalRel: number;
}

/** Columns the table can sort by. */
export type DiffSortKey = "name" | "selfDelta" | "selfRel" | "totalDelta" | "totalRel" | "leftTotalPct" | "rightTotalPct";

/** A sort order: a key and a direction. */
export interface DiffSort {
  key: DiffSortKey;
  desc: boolean;
}

/** The order that puts "what got slower" first: total share growth, then self share growth. */
export const DEFAULT_DIFF_SORT: DiffSort = { key: "totalDelta", desc: true };

function pct(v: number, total: number): number {
  return total > 0 ? (v / total) * 100 : 0;
}

function rel(left: number, right: number): number {
  if (left === 0) return right === 0 ? 0 : Infinity;
  return ((right - left) / left) * 100;
}

/**
 * Sums self and total per function name over a diff nested set (the root excluded).
 * A function's total counts a node only when no ancestor has the same name, so a
 * recursive function is not counted once per frame.
 */
export function rankDiff(ns: NestedSet): DiffRow[] {
  const valueRight = ns.valueRight ?? [];
  const selfRight = ns.selfRight ?? [];
  let leftTicks = 0;
  let rightTicks = 0;
  const acc = new Map<string, { ls: number; lt: number; rs: number; rt: number }>();
  // path[d] is the name at depth d of the current row's ancestry.
  const path: string[] = [];
  const onPath = new Map<string, number>();
  for (let i = 0; i < ns.level.length; i++) {
    const depth = ns.level[i]!;
    while (path.length > depth) {
      const gone = path.pop()!;
      const n = onPath.get(gone)! - 1;
      if (n === 0) onPath.delete(gone);
      else onPath.set(gone, n);
    }
    const name = ns.label[i]!;
    if (depth === 0) {
      leftTicks += ns.value[i]!;
      rightTicks += valueRight[i] ?? 0;
    } else {
      let a = acc.get(name);
      if (!a) acc.set(name, (a = { ls: 0, lt: 0, rs: 0, rt: 0 }));
      a.ls += ns.self[i]!;
      a.rs += selfRight[i] ?? 0;
      if (!onPath.has(name)) {
        a.lt += ns.value[i]!;
        a.rt += valueRight[i] ?? 0;
      }
    }
    path.push(name);
    onPath.set(name, (onPath.get(name) ?? 0) + 1);
  }
  const rows: DiffRow[] = [];
  for (const [name, a] of acc) {
    const leftSelfPct = pct(a.ls, leftTicks);
    const rightSelfPct = pct(a.rs, rightTicks);
    const leftTotalPct = pct(a.lt, leftTicks);
    const rightTotalPct = pct(a.rt, rightTicks);
    rows.push({
      name,
      leftSelf: a.ls,
      leftTotal: a.lt,
      rightSelf: a.rs,
      rightTotal: a.rt,
      leftSelfPct,
      rightSelfPct,
      leftTotalPct,
      rightTotalPct,
      selfDelta: rightSelfPct - leftSelfPct,
      totalDelta: rightTotalPct - leftTotalPct,
      selfRel: rel(leftSelfPct, rightSelfPct),
      totalRel: rel(leftTotalPct, rightTotalPct),
    });
  }
  return sortDiffRows(rows, DEFAULT_DIFF_SORT);
}

/**
 * Sorts a copy of `rows`. Ties on the key fall back to self change, then total change
 * (both descending) and then the name, so the order is stable across reloads.
 */
export function sortDiffRows(rows: readonly DiffRow[], sort: DiffSort): DiffRow[] {
  const dir = sort.desc ? -1 : 1;
  return [...rows].sort((a, b) => {
    let c = 0;
    if (sort.key === "name") c = a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    else c = cmp(a[sort.key], b[sort.key]);
    if (c !== 0) return c * dir;
    return cmp(b.selfDelta, a.selfDelta) || cmp(b.totalDelta, a.totalDelta) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  });
}

// Infinity compares equal to itself; NaN never occurs (rel() guards the zero cases).
function cmp(a: number, b: number): number {
  return a === b ? 0 : a < b ? -1 : 1;
}
