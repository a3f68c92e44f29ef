/**
 * Draws nested-set rows with Grafana's flame graph (top table, sandwich view and search
 * included) and a line with the totals, in the profile type's unit.
 */
import { createDataFrame, FieldType } from "@grafana/data";
import type { DataFrame, FieldDTO } from "@grafana/data";
import { FlameGraph } from "@grafana/flamegraph";
import { useMemo } from "react";
import type { ReactNode, Ref } from "react";
import type { NestedSet } from "../lib/flamebearer.ts";
import { flameGraphUnit, formatValue } from "../lib/format.ts";
import { getTheme } from "../theme.ts";

/** Props of FlameGraphPanel. */
export interface FlameGraphPanelProps {
  testId: string;
  data: NestedSet;
  sampleUnit: string;
  /** Left and right totals of a diff. */
  diffTotals?: { left: number; right: number };
  extraHeader?: ReactNode;
  /** Table under the graph instead of beside it, for half-width columns. */
  vertical?: boolean;
  containerRef?: Ref<HTMLDivElement>;
}

/** The DataFrame @grafana/flamegraph reads; both value columns carry the unit. */
export function toDataFrame(ns: NestedSet, sampleUnit: string): DataFrame {
  const unit = flameGraphUnit(sampleUnit);
  const fields: FieldDTO[] = [
    { name: "level", type: FieldType.number, values: ns.level },
    { name: "label", type: FieldType.string, values: ns.label },
    { name: "value", type: FieldType.number, values: ns.value, config: { unit } },
    { name: "self", type: FieldType.number, values: ns.self, config: { unit } },
  ];
  if (ns.valueRight && ns.selfRight) {
    fields.push({ name: "valueRight", type: FieldType.number, values: ns.valueRight, config: { unit } });
    fields.push({ name: "selfRight", type: FieldType.number, values: ns.selfRight, config: { unit } });
  }
  return createDataFrame({ name: "flamegraph", fields });
}

function Total({ testId, label, value, sampleUnit }: { testId: string; label: string; value: number; sampleUnit: string }): ReactNode {
  return (
    <span className="fg-total">
      {label}: <strong data-testid={testId} data-value={value}>{formatValue(value, sampleUnit)}</strong>
    </span>
  );
}

/** The flame graph with its summary line. */
export function FlameGraphPanel(p: FlameGraphPanelProps): ReactNode {
  const frame = useMemo(() => toDataFrame(p.data, p.sampleUnit), [p.data, p.sampleUnit]);
  const rootTotal = p.data.value[0] ?? 0;
  return (
    <section className="panel flamegraph-panel" data-testid={p.testId} ref={p.containerRef}>
      <div className="fg-summary" data-testid={`${p.testId}-summary`}>
        {p.diffTotals ? (
          <>
            <Total testId={`${p.testId}-left-total`} label="Baseline" value={p.diffTotals.left} sampleUnit={p.sampleUnit} />
            <Total testId={`${p.testId}-right-total`} label="Comparison" value={p.diffTotals.right} sampleUnit={p.sampleUnit} />
          </>
        ) : (
          <Total testId={`${p.testId}-total`} label="Total" value={rootTotal} sampleUnit={p.sampleUnit} />
        )}
      </div>
      <div className="fg-body">
        <FlameGraph data={frame} getTheme={getTheme} extraHeaderElements={p.extraHeader} vertical={p.vertical ?? false} />
      </div>
    </section>
  );
}
