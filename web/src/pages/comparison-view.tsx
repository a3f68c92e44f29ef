/** Comparison view: two selections side by side, each with its own window and flame graph. */
import type { ReactNode } from "react";
import { ComparisonBar } from "../components/comparison-bar.tsx";
import { SidePanel } from "../components/side-panel.tsx";
import { useComparisonState } from "../hooks/use-comparison.ts";

/** The page. */
export function ComparisonView(): ReactNode {
  const state = useComparisonState();
  return (
    <div className="page" data-testid="page-comparison">
      <ComparisonBar state={state} />
      <div className="sides">
        <SidePanel side="left" title="Baseline" state={state} showFlameGraph />
        <SidePanel side="right" title="Comparison" state={state} showFlameGraph />
      </div>
    </div>
  );
}
