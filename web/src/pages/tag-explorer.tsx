/**
 * Tag explorer: group a selection by one label, see a series and a row of totals per value,
 * and open a value's flame graph below (or in the single view).
 */
import { useEffect, useMemo } from "react";
import type { ReactNode } from "react";
import { useApi } from "../api/context.ts";
import { FlameGraphQuery } from "../components/flame-graph-query.tsx";
import { GroupTable } from "../components/group-table.tsx";
import { QueryBar } from "../components/query-bar.tsx";
import { Empty, ErrorMessage, Loading } from "../components/status.tsx";
import { TimelineChart } from "../components/timeline-chart.tsx";
import { useAsync } from "../hooks/use-async.ts";
import { navigate } from "../hooks/use-location.ts";
import { useQueryPage } from "../hooks/use-query-page.ts";
import { rangeKey } from "../hooks/use-range.ts";
import { useSeries } from "../hooks/use-series.ts";
import { formatValue, sampleUnitOf } from "../lib/format.ts";
import { withMatcher } from "../lib/selector.ts";
import { groupStats } from "../lib/series.ts";
import { toUrlTime } from "../lib/time-range.ts";
import { formatQuery } from "../lib/url-state.ts";

/** The label the explorer groups by when none is chosen. */
function defaultGroupBy(names: readonly string[]): string | undefined {
  return names.includes("service_name") ? "service_name" : names[0];
}

/** The page. */
export function TagExplorer(): ReactNode {
  const api = useApi();
  const { params, update, hrefOf, refresh, query, rr, barProps } = useQueryPage();
  const groupBy = params.get("groupBy") ?? "";
  const selected = params.get("groupByValue");
  const unit = sampleUnitOf(query.profileTypeID);

  const namesKey = query.profileTypeID && rr.range ? `${query.profileTypeID}|${rangeKey(rr.range)}|${refresh}` : null;
  const names = useAsync(namesKey, (signal) => api.labelNames(query.profileTypeID, rr.range!, signal));
  const labels = useMemo(() => (names.data ?? []).filter((n) => !n.startsWith("__")).sort(), [names.data]);
  useEffect(() => {
    const d = defaultGroupBy(labels);
    if (!groupBy && d) update({ groupBy: d }, { replace: true });
  }, [labels, groupBy]);

  const series = useSeries({ profileTypeID: query.profileTypeID, selector: query.selector, range: rr.range, ...(groupBy ? { groupBy } : {}) }, refresh);
  const rows = useMemo(() => (series.data ? groupStats(series.data.names, series.data.ys) : []), [series.data]);
  const colorIndex = useMemo(() => new Map((series.data?.names ?? []).map((n, i) => [n, i])), [series.data]);
  const drill = selected !== null && groupBy ? withMatcher(query.selector, groupBy, selected === "*" ? "" : selected) : null;

  let body: ReactNode;
  if (!groupBy) body = names.loading ? <Loading testId="explore-loading" /> : <Empty testId="explore-empty">No labels to group by in this range</Empty>;
  else if (series.loading) body = <Loading testId="explore-loading" label="Loading series…" />;
  else if (series.error) body = <ErrorMessage testId="explore-error" error={series.error} />;
  else if (!series.data || series.data.total === 0 || !rr.range) body = <Empty testId="explore-empty" />;
  else {
    body = (
      <>
        <section className="panel">
          <TimelineChart
            testId="explore-timeline"
            xs={series.data.xs}
            ys={series.data.ys}
            names={series.data.names}
            range={rr.range}
            onSelect={(r) => update({ from: toUrlTime(r.startMs, "floor"), until: toUrlTime(r.endMs, "ceil") })}
            formatValue={(v) => formatValue(v, unit)}
            height={220}
          />
        </section>
        <section className="panel">
          <GroupTable groupBy={groupBy} rows={rows} colorIndex={colorIndex} sampleUnit={unit} selected={selected} onSelect={(v) => update({ groupByValue: v })} />
        </section>
      </>
    );
  }

  return (
    <div className="page" data-testid="page-explore">
      <QueryBar {...barProps}>
        <label className="field">
          <span className="field-label">Group by</span>
          <select className="input" data-testid="explore-groupby" value={groupBy} onChange={(e) => update({ groupBy: e.target.value, groupByValue: null })}>
            {!labels.includes(groupBy) && <option value={groupBy}>{groupBy || (names.loading ? "Loading…" : "No labels")}</option>}
            {labels.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </QueryBar>
      {rr.error !== null && <ErrorMessage testId="range-error" title="Time range" error={rr.error} />}
      {names.error && <ErrorMessage testId="explore-labels-error" error={names.error} />}
      {body}
      {drill !== null && rr.range && (
        <section className="drilldown" data-testid="explore-drilldown">
          <div className="drilldown-head">
            <h2 className="panel-title">
              Flame graph of <code>{drill}</code>
            </h2>
            <a
              className="btn"
              data-testid="explore-open-single"
              href={hrefOf("single", { query: formatQuery({ ...query, selector: drill }), groupBy: null, groupByValue: null })}
              onClick={(e) => {
                e.preventDefault();
                navigate(e.currentTarget.href);
              }}
            >
              Open in single view
            </a>
          </div>
          <FlameGraphQuery testId="explore-flamegraph" query={formatQuery({ ...query, selector: drill })} range={rr.range} refresh={refresh} />
        </section>
      )}
    </div>
  );
}
