/** Diff view: pick two selections (or two windows) and see what changed between them. */
import type { ReactNode } from "react";
import { ComparisonBar } from "../components/comparison-bar.tsx";
import { DiffFlameGraph } from "../components/diff-flame-graph.tsx";
import { SidePanel } from "../components/side-panel.tsx";
import { useComparisonState } from "../hooks/use-comparison.ts";
import { useResolvedRange } from "../hooks/use-range.ts";
import { formatQuery, parseQuery } from "../lib/url-state.ts";

/** The page. */
export function DiffView(): ReactNode {
  const state = useComparisonState();
  const left = useResolvedRange(state.left.from, state.left.until, state.refresh);
  const right = useResolvedRange(state.right.from, state.right.until, state.refresh);
  const type = state.profileTypeID;
  const query = (q: string) => formatQuery({ profileTypeID: type, selector: parseQuery(q).selector });
  return (
    <div className="page" data-testid="page-diff">
      <ComparisonBar state={state} />
      <div className="sides">
        <SidePanel side="left" title="Baseline" state={state} showFlameGraph={false} />
        <SidePanel side="right" title="Comparison" state={state} showFlameGraph={false} />
      </div>
      {type && left.range && right.range && (
        <DiffFlameGraph
          profileTypeID={type}
          left={{ query: query(state.left.query), range: left.range }}
          right={{ query: query(state.right.query), range: right.range }}
          refresh={state.refresh}
        />
      )}
    </div>
  );
}
