/**
 * One side of the comparison and diff pages: its selector, its timeline over the whole
 * range with the side's own window highlighted (drag to pick another), and optionally its
 * flame graph over that window.
 */
import type { ReactNode } from "react";
import type { ComparisonState } from "../hooks/use-comparison.ts";
import { useResolvedRange } from "../hooks/use-range.ts";
import { sampleUnitOf } from "../lib/format.ts";
import { toUrlTime } from "../lib/time-range.ts";
import { formatQuery, parseQuery } from "../lib/url-state.ts";
import type { Side } from "../lib/url-state.ts";
import { FlameGraphQuery } from "./flame-graph-query.tsx";
import { LabelSelectorInput } from "./label-selector-input.tsx";
import { SeriesPanel } from "./series-panel.tsx";
import { ErrorMessage } from "./status.tsx";
import { TimeRangePicker } from "./time-range-picker.tsx";

/** Props of SidePanel. */
export interface SidePanelProps {
  side: Side;
  title: string;
  state: ComparisonState;
  showFlameGraph: boolean;
}

/** The panel. */
export function SidePanel({ side, title, state, showFlameGraph }: SidePanelProps): ReactNode {
  const sel = side === "left" ? state.left : state.right;
  const q = parseQuery(sel.query);
  const profileTypeID = q.profileTypeID || state.profileTypeID;
  const sideRange = useResolvedRange(sel.from, sel.until, state.refresh);
  const unit = sampleUnitOf(profileTypeID);
  const whole = state.range.range;
  // Highlight the side's window only when it is narrower than the whole range.
  const ownWindow = sel.from !== state.from || sel.until !== state.until;
  return (
    <div className={`side side-${side}`} data-testid={`side-${side}`}>
      <h2 className="side-title">{title}</h2>
      <div className="toolbar">
        <div className="field field-grow">
          <span className="field-label">Label selector</span>
          <LabelSelectorInput
            testId={`${side}-query-input`}
            profileTypeID={profileTypeID}
            range={whole}
            value={q.selector}
            onSubmit={(s) => state.setSelector(side, s)}
          />
        </div>
        <TimeRangePicker testId={`${side}-time-range`} from={sel.from} until={sel.until} onChange={(f, u) => state.setSideRange(side, f, u)} />
      </div>
      {sideRange.error !== null && <ErrorMessage testId={`${side}-range-error`} title="Time range" error={sideRange.error} />}
      {whole && profileTypeID && (
        <SeriesPanel
          testId={`${side}-timeline`}
          profileTypeID={profileTypeID}
          selector={q.selector}
          range={whole}
          sampleUnit={unit}
          refresh={state.refresh}
          selection={ownWindow ? sideRange.range : null}
          onSelect={(r) => state.setSideRange(side, toUrlTime(r.startMs, "floor"), toUrlTime(r.endMs, "ceil"))}
        />
      )}
      {showFlameGraph && sideRange.range && profileTypeID && (
        <FlameGraphQuery
          testId={`${side}-flamegraph`}
          query={formatQuery({ profileTypeID, selector: q.selector })}
          range={sideRange.range}
          refresh={state.refresh}
          vertical
        />
      )}
    </div>
  );
}
