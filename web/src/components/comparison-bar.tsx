/** The toolbar of the comparison and diff pages: the shared profile type and the whole range. */
import type { ReactNode } from "react";
import type { ComparisonState } from "../hooks/use-comparison.ts";
import { ProfileTypeSelect } from "./profile-type-select.tsx";
import { ErrorMessage } from "./status.tsx";
import { TimeRangePicker } from "./time-range-picker.tsx";

/** The toolbar. */
export function ComparisonBar({ state }: { state: ComparisonState }): ReactNode {
  return (
    <>
      <div className="toolbar" data-testid="comparison-bar">
        <ProfileTypeSelect value={state.profileTypeID} range={state.range.range} refresh={state.refresh} onChange={state.setProfileType} />
        <div className="toolbar-end">
          <TimeRangePicker from={state.from} until={state.until} onChange={state.setRange} />
          <button type="button" className="btn" data-testid="refresh" onClick={state.bumpRefresh}>
            Refresh
          </button>
        </div>
      </div>
      {state.range.error !== null && <ErrorMessage testId="range-error" title="Time range" error={state.range.error} />}
    </>
  );
}
