/** The single view's and tag explorer's toolbar: profile type, label selector, time range, refresh. */
import type { ReactNode } from "react";
import type { TimeRangeMs } from "../lib/time-range.ts";
import { LabelSelectorInput } from "./label-selector-input.tsx";
import { ProfileTypeSelect } from "./profile-type-select.tsx";
import { TimeRangePicker } from "./time-range-picker.tsx";

/** Props of QueryBar. */
export interface QueryBarProps {
  profileTypeID: string;
  selector: string;
  from: string;
  until: string;
  range: TimeRangeMs | null;
  refresh: number;
  onProfileType(id: string, initial: boolean): void;
  onSelector(selector: string): void;
  onRange(from: string, until: string): void;
  onRefresh(): void;
  children?: ReactNode;
}

/** The toolbar; `children` go after the selector (e.g. the explorer's group-by select). */
export function QueryBar(p: QueryBarProps): ReactNode {
  return (
    <div className="toolbar" data-testid="query-bar">
      <ProfileTypeSelect value={p.profileTypeID} range={p.range} refresh={p.refresh} onChange={p.onProfileType} />
      <div className="field field-grow">
        <span className="field-label">Label selector</span>
        <LabelSelectorInput testId="query-input" profileTypeID={p.profileTypeID} range={p.range} value={p.selector} onSubmit={p.onSelector} />
      </div>
      {p.children}
      <div className="toolbar-end">
        <TimeRangePicker from={p.from} until={p.until} onChange={p.onRange} />
        <button type="button" className="btn" data-testid="refresh" title="Run the query again (relative ranges move to now)" onClick={p.onRefresh}>
          Refresh
        </button>
      </div>
    </div>
  );
}
