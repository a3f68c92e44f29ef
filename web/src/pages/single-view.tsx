/** Single view: one selection's timeline (drag to zoom) and flame graph, with export. */
import type { ReactNode } from "react";
import { FlameGraphQuery } from "../components/flame-graph-query.tsx";
import { QueryBar } from "../components/query-bar.tsx";
import { SeriesPanel } from "../components/series-panel.tsx";
import { ErrorMessage } from "../components/status.tsx";
import { useQueryPage } from "../hooks/use-query-page.ts";
import { sampleUnitOf } from "../lib/format.ts";
import { toUrlTime } from "../lib/time-range.ts";
import { formatQuery } from "../lib/url-state.ts";

/** The page. */
export function SingleView(): ReactNode {
  const { update, refresh, query, rr, barProps } = useQueryPage();
  const unit = sampleUnitOf(query.profileTypeID);

  return (
    <div className="page" data-testid="page-single">
      <QueryBar {...barProps} />
      {rr.error !== null && <ErrorMessage testId="range-error" title="Time range" error={rr.error} />}
      {rr.range && query.profileTypeID && (
        <>
          <SeriesPanel
            testId="timeline"
            profileTypeID={query.profileTypeID}
            selector={query.selector}
            range={rr.range}
            sampleUnit={unit}
            refresh={refresh}
            onSelect={(r) => update({ from: toUrlTime(r.startMs, "floor"), until: toUrlTime(r.endMs, "ceil") })}
          />
          <FlameGraphQuery testId="flamegraph" query={formatQuery(query)} range={rr.range} refresh={refresh} exportable />
        </>
      )}
    </div>
  );
}
