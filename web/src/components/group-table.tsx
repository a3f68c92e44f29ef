/** The tag explorer's table: one row per label value with its total, mean, spread and share. */
import type { ReactNode } from "react";
import { formatPercent, formatValue } from "../lib/format.ts";
import type { GroupStats } from "../lib/series.ts";
import { SERIES_COLORS } from "../theme.ts";

/** Props of GroupTable. */
export interface GroupTableProps {
  groupBy: string;
  rows: GroupStats[];
  /** Chart colour index per value, so rows match the chart's lines. */
  colorIndex: Map<string, number>;
  sampleUnit: string;
  selected: string | null;
  onSelect(value: string): void;
}

/** The table; clicking a value selects it. */
export function GroupTable(p: GroupTableProps): ReactNode {
  return (
    <table className="table" data-testid="explore-table">
      <thead>
        <tr>
          <th>{p.groupBy}</th>
          <th>Total</th>
          <th>Share</th>
          <th>Avg per step</th>
          <th>Std dev</th>
        </tr>
      </thead>
      <tbody>
        {p.rows.map((r) => (
          <tr key={r.value} data-testid="explore-row" data-value={r.value} className={r.value === p.selected ? "selected" : ""}>
            <td data-col="value">
              <span className="swatch" style={{ background: SERIES_COLORS[(p.colorIndex.get(r.value) ?? 0) % SERIES_COLORS.length] }} />
              <button type="button" className="link-button" data-testid="explore-value" onClick={() => p.onSelect(r.value)}>
                {r.value}
              </button>
            </td>
            <td data-col="total" data-value={r.total}>
              {formatValue(r.total, p.sampleUnit)}
            </td>
            <td data-col="share" data-value={r.share}>
              {formatPercent(r.share)}
            </td>
            <td data-col="avg">{formatValue(r.avg, p.sampleUnit)}</td>
            <td data-col="stddev">{formatValue(r.stddev, p.sampleUnit)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
