/** The diff flame graph of two selections (render-diff), its export menu and the ranked table. */
import { useMemo, useRef } from "react";
import type { ReactNode } from "react";
import { useApi } from "../api/context.ts";
import { useAsync } from "../hooks/use-async.ts";
import { rangeKey } from "../hooks/use-range.ts";
import { rankDiff } from "../lib/diff-ranking.ts";
import { flamebearerToNestedSet } from "../lib/flamebearer.ts";
import { sampleUnitOf } from "../lib/format.ts";
import type { TimeRangeMs } from "../lib/time-range.ts";
import { DiffTable } from "./diff-table.tsx";
import { canvasPng } from "./download.ts";
import { ExportMenu } from "./export-menu.tsx";
import { FlameGraphPanel } from "./flame-graph-panel.tsx";
import { Empty, ErrorMessage, Loading } from "./status.tsx";

/** Props of DiffFlameGraph. */
export interface DiffFlameGraphProps {
  profileTypeID: string;
  left: { query: string; range: TimeRangeMs };
  right: { query: string; range: TimeRangeMs };
  refresh: number;
}

/** Loads and shows the diff. */
export function DiffFlameGraph(p: DiffFlameGraphProps): ReactNode {
  const api = useApi();
  const container = useRef<HTMLDivElement>(null);
  const key = JSON.stringify([p.left.query, rangeKey(p.left.range), p.right.query, rangeKey(p.right.range), p.refresh]);
  const st = useAsync(key, (signal) => api.renderDiff(p.left, p.right, signal));
  const ns = useMemo(() => (st.data ? flamebearerToNestedSet(st.data.profile.flamebearer, "double") : undefined), [st.data]);
  const rows = useMemo(() => (ns ? rankDiff(ns) : []), [ns]);
  const unit = sampleUnitOf(p.profileTypeID);

  if (st.loading) return <Loading testId="diff-flamegraph-loading" label="Loading diff…" />;
  if (st.error) return <ErrorMessage testId="diff-flamegraph-error" error={st.error} />;
  if (!st.data || !ns || st.data.profile.flamebearer.numTicks === 0) return <Empty testId="diff-flamegraph-empty" />;
  const raw = st.data.raw;
  const left = st.data.profile.leftTicks ?? ns.value[0] ?? 0;
  const right = st.data.profile.rightTicks ?? ns.valueRight?.[0] ?? 0;
  const items = [
    { id: "json", label: "Flamebearer JSON", filename: "diff-flamebearer.json", build: async () => new Blob([raw], { type: "application/json" }) },
    { id: "png", label: "PNG image", filename: "diff-flamegraph.png", build: () => canvasPng(container.current) },
  ];
  return (
    <>
      <FlameGraphPanel
        testId="diff-flamegraph"
        data={ns}
        sampleUnit={unit}
        diffTotals={{ left, right }}
        containerRef={container}
        extraHeader={<ExportMenu items={items} />}
      />
      {(left === 0 || right === 0) && (
        <Empty testId="diff-one-side-empty">{left === 0 ? "The baseline has no data in its range." : "The comparison has no data in its range."}</Empty>
      )}
      <DiffTable rows={rows} sampleUnit={unit} />
    </>
  );
}
