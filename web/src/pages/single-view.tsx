/** Single view: one selection's timeline (drag to zoom) and flame graph, with export. */
import { useState } from "react";
import type { ReactNode } from "react";
import { FlameGraphQuery } from "../components/flame-graph-query.tsx";
import { QueryBar } from "../components/query-bar.tsx";
import { SeriesPanel } from "../components/series-panel.tsx";
import { ErrorMessage } from "../components/status.tsx";
import { useUrlState } from "../hooks/use-location.ts";
import { useResolvedRange } from "../hooks/use-range.ts";
import { sampleUnitOf } from "../lib/format.ts";
import { toUrlTime } from "../lib/time-range.ts";
import { formatQuery, parseQuery, readRange } from "../lib/url-state.ts";

/** The page. */
export function SingleView(): ReactNode {
  const { params, update } = useUrlState();
  const [refresh, setRefresh] = useState(0);
  const query = parseQuery(params.get("query") ?? "");
  const { from, until } = readRange(params);
  const rr = useResolvedRange(from, until, refresh);
  const unit = sampleUnitOf(query.profileTypeID);

  return (
    <div className="page" data-testid="page-single">
      <QueryBar
        profileTypeID={query.profileTypeID}
        selector={query.selector}
        from={from}
        until={until}
        range={rr.range}
        refresh={refresh}
        onProfileType={(id, initial) => update({ query: formatQuery({ ...query, profileTypeID: id }) }, { replace: initial })}
        onSelector={(selector) => update({ query: formatQuery({ ...query, selector }) })}
        onRange={(f, u) => update({ from: f, until: u })}
        onRefresh={() => setRefresh(refresh + 1)}
      />
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
