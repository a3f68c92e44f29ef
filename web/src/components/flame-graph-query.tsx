/**
 * The flame graph of one selection, loaded from /pyroscope/render, with the export menu
 * (pprof, flamebearer JSON, collapsed text, speedscope JSON, PNG) when `exportable`.
 */
import { useMemo, useRef } from "react";
import type { ReactNode } from "react";
import { useApi } from "../api/context.ts";
import type { ApiClient, RenderResult } from "../api/client.ts";
import { useAsync } from "../hooks/use-async.ts";
import { rangeKey } from "../hooks/use-range.ts";
import { flamebearerToNestedSet } from "../lib/flamebearer.ts";
import type { NestedSet } from "../lib/flamebearer.ts";
import { sampleUnitOf } from "../lib/format.ts";
import { speedscopeUnit, toSpeedscope } from "../lib/speedscope.ts";
import type { TimeRangeMs } from "../lib/time-range.ts";
import { parseQuery } from "../lib/url-state.ts";
import { canvasPng, gzip } from "./download.ts";
import { ExportMenu } from "./export-menu.tsx";
import type { ExportItem } from "./export-menu.tsx";
import { FlameGraphPanel } from "./flame-graph-panel.tsx";
import { Empty, ErrorMessage, Loading } from "./status.tsx";

/** Props of FlameGraphQuery. */
export interface FlameGraphQueryProps {
  testId: string;
  /** `<profileTypeID>{selector}`. */
  query: string;
  range: TimeRangeMs;
  refresh: number;
  exportable?: boolean;
  vertical?: boolean;
}

function exportItems(api: ApiClient, query: string, range: TimeRangeMs, result: RenderResult, ns: NestedSet, container: () => HTMLElement | null): ExportItem[] {
  const q = parseQuery(query);
  const unit = sampleUnitOf(q.profileTypeID);
  return [
    {
      id: "pprof",
      label: "pprof (profile.pb.gz)",
      filename: "profile.pb.gz",
      build: async () => gzip(await api.mergeProfile({ profileTypeID: q.profileTypeID, labelSelector: q.selector, range })),
    },
    {
      id: "json",
      label: "Flamebearer JSON",
      filename: "flamebearer.json",
      build: async () => new Blob([result.raw], { type: "application/json" }),
    },
    {
      id: "collapsed",
      label: "Collapsed stacks (text)",
      filename: "profile.collapsed.txt",
      build: async () => new Blob([await api.renderCollapsed(query, range)], { type: "text/plain" }),
    },
    {
      id: "speedscope",
      label: "Speedscope JSON",
      filename: "profile.speedscope.json",
      build: async () => new Blob([JSON.stringify(toSpeedscope(ns, query, speedscopeUnit(unit)))], { type: "application/json" }),
    },
    { id: "png", label: "PNG image", filename: "flamegraph.png", build: () => canvasPng(container()) },
  ];
}

/** Loads and shows the flame graph of `query` over `range`. */
export function FlameGraphQuery(p: FlameGraphQueryProps): ReactNode {
  const api = useApi();
  const container = useRef<HTMLDivElement>(null);
  const key = p.query ? JSON.stringify([p.query, rangeKey(p.range), p.refresh]) : null;
  const st = useAsync(key, (signal) => api.render(p.query, p.range, signal));
  const ns = useMemo(() => (st.data ? flamebearerToNestedSet(st.data.profile.flamebearer, "single") : undefined), [st.data]);
  const unit = sampleUnitOf(parseQuery(p.query).profileTypeID);

  if (st.loading) return <Loading testId={`${p.testId}-loading`} label="Loading flame graph…" />;
  if (st.error) return <ErrorMessage testId={`${p.testId}-error`} error={st.error} />;
  if (!st.data || !ns || st.data.profile.flamebearer.numTicks === 0) return <Empty testId={`${p.testId}-empty`} />;
  const items = p.exportable ? exportItems(api, p.query, p.range, st.data, ns, () => container.current) : null;
  return (
    <FlameGraphPanel
      testId={p.testId}
      data={ns}
      sampleUnit={unit}
      containerRef={container}
      vertical={p.vertical ?? false}
      extraHeader={items ? <ExportMenu items={items} /> : undefined}
    />
  );
}
