/** The timeline of a selection: loading, error and empty states around a TimelineChart. */
import type { ReactNode } from "react";
import { useSeries } from "../hooks/use-series.ts";
import { formatValue } from "../lib/format.ts";
import type { TimeRangeMs } from "../lib/time-range.ts";
import { Empty, ErrorMessage, Loading } from "./status.tsx";
import { TimelineChart } from "./timeline-chart.tsx";

/** Props of SeriesPanel. */
export interface SeriesPanelProps {
  testId: string;
  profileTypeID: string;
  selector: string;
  range: TimeRangeMs;
  sampleUnit: string;
  selection?: TimeRangeMs | null;
  onSelect(range: TimeRangeMs): void;
  refresh: number;
}

/** Loads and draws one selection's timeline; a drag reports the picked range. */
export function SeriesPanel(p: SeriesPanelProps): ReactNode {
  const st = useSeries({ profileTypeID: p.profileTypeID, selector: p.selector, range: p.range }, p.refresh);
  let body: ReactNode;
  if (st.loading) body = <Loading testId={`${p.testId}-loading`} label="Loading timeline…" />;
  else if (st.error) body = <ErrorMessage testId={`${p.testId}-error`} error={st.error} />;
  else if (!st.data || st.data.total === 0) body = <Empty testId={`${p.testId}-empty`} />;
  else {
    body = (
      <TimelineChart
        testId={`${p.testId}-chart`}
        xs={st.data.xs}
        ys={st.data.ys}
        names={st.data.names}
        range={p.range}
        selection={p.selection ?? null}
        onSelect={p.onSelect}
        formatValue={(v) => formatValue(v, p.sampleUnit)}
      />
    );
  }
  return (
    <section className="panel timeline-panel" data-testid={p.testId}>
      {body}
    </section>
  );
}
