/**
 * The ranked table of a diff: per function, the change of its self and total share
 * (absolute in percentage points, relative in percent). Sorted by total growth first, so
 * the first row answers "what got slower?"; every column header sorts.
 */
import { useMemo, useState } from "react";
import type { ReactNode } from "react";
import { DEFAULT_DIFF_SORT, sortDiffRows } from "../lib/diff-ranking.ts";
import type { DiffRow, DiffSort, DiffSortKey } from "../lib/diff-ranking.ts";
import { formatPercent, formatPoints, formatRelative, formatValue } from "../lib/format.ts";

const COLUMNS: Array<{ key: DiffSortKey; label: string; title: string }> = [
  { key: "name", label: "Function", title: "Function name" },
  { key: "totalDelta", label: "Total Δ", title: "Change of the function's total share, in percentage points" },
  { key: "totalRel", label: "Total Δ %", title: "Relative change of the total share" },
  { key: "selfDelta", label: "Self Δ", title: "Change of the function's self share, in percentage points" },
  { key: "selfRel", label: "Self Δ %", title: "Relative change of the self share" },
  { key: "leftTotalPct", label: "Baseline total", title: "Total share in the baseline" },
  { key: "rightTotalPct", label: "Comparison total", title: "Total share in the comparison" },
];

const PAGE_ROWS = 200;

function tone(v: number): string {
  return v > 0 ? "worse" : v < 0 ? "better" : "";
}

/** Props of DiffTable. */
export interface DiffTableProps {
  rows: DiffRow[];
  sampleUnit: string;
}

/** The table. */
export function DiffTable({ rows, sampleUnit }: DiffTableProps): ReactNode {
  const [sort, setSort] = useState<DiffSort>(DEFAULT_DIFF_SORT);
  const [all, setAll] = useState(false);
  const sorted = useMemo(() => sortDiffRows(rows, sort), [rows, sort]);
  const shown = all ? sorted : sorted.slice(0, PAGE_ROWS);
  return (
    <section className="panel diff-table-panel">
      <h2 className="panel-title">Functions that changed most</h2>
      <p className="hint">Each side is normalised to its own total; Δ is the change of a function's share (comparison − baseline).</p>
      <table className="table" data-testid="diff-table">
        <thead>
          <tr>
            {COLUMNS.map((c) => {
              const active = sort.key === c.key;
              return (
                <th key={c.key} aria-sort={active ? (sort.desc ? "descending" : "ascending") : "none"} title={c.title}>
                  <button
                    type="button"
                    className="th-button"
                    data-testid={`diff-sort-${c.key}`}
                    onClick={() => setSort(active ? { key: c.key, desc: !sort.desc } : { key: c.key, desc: c.key !== "name" })}
                  >
                    {c.label}
                    {active ? (sort.desc ? " ▼" : " ▲") : ""}
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.name} data-testid="diff-row" data-name={r.name}>
              <td data-col="name" className="mono">
                {r.name}
              </td>
              <td data-col="totalDelta" className={tone(r.totalDelta)} title={`${formatValue(r.leftTotal, sampleUnit)} → ${formatValue(r.rightTotal, sampleUnit)}`}>
                {formatPoints(r.totalDelta)}
              </td>
              <td data-col="totalRel" className={tone(r.totalRel)}>
                {formatRelative(r.totalRel)}
              </td>
              <td data-col="selfDelta" className={tone(r.selfDelta)} title={`${formatValue(r.leftSelf, sampleUnit)} → ${formatValue(r.rightSelf, sampleUnit)}`}>
                {formatPoints(r.selfDelta)}
              </td>
              <td data-col="selfRel" className={tone(r.selfRel)}>
                {formatRelative(r.selfRel)}
              </td>
              <td data-col="leftTotalPct">{formatPercent(r.leftTotalPct)}</td>
              <td data-col="rightTotalPct">{formatPercent(r.rightTotalPct)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {sorted.length > PAGE_ROWS && !all && (
        <button type="button" className="btn" data-testid="diff-table-all" onClick={() => setAll(true)}>
          Show all {sorted.length} functions
        </button>
      )}
    </section>
  );
}
