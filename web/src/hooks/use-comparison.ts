/**
 * The state the comparison and diff pages share: one profile type, the whole range the
 * charts show, and per side a selector and the range its flame graph covers.
 */
import { useState } from "react";
import { formatQuery, parseQuery, readRange, readSide, sideParams } from "../lib/url-state.ts";
import type { Selection, Side } from "../lib/url-state.ts";
import { useUrlState } from "./use-location.ts";
import { useResolvedRange } from "./use-range.ts";
import type { ResolvedRange } from "./use-range.ts";

/** Both sides and the page-wide controls. */
export interface ComparisonState {
  profileTypeID: string;
  from: string;
  until: string;
  range: ResolvedRange;
  left: Selection;
  right: Selection;
  refresh: number;
  bumpRefresh(): void;
  setProfileType(id: string, initial: boolean): void;
  /** A new page-wide range also resets both sides to it. */
  setRange(from: string, until: string): void;
  setSelector(side: Side, selector: string): void;
  setSideRange(side: Side, from: string, until: string): void;
}

/** Reads and writes the comparison state in the URL. */
export function useComparisonState(): ComparisonState {
  const { params, update } = useUrlState();
  const [refresh, setRefresh] = useState(0);
  const { from, until } = readRange(params);
  const range = useResolvedRange(from, until, refresh);
  const left = readSide(params, "left");
  const right = readSide(params, "right");
  const lq = parseQuery(left.query);
  const rq = parseQuery(right.query);
  const profileTypeID = lq.profileTypeID || rq.profileTypeID;
  return {
    profileTypeID,
    from,
    until,
    range,
    left,
    right,
    refresh,
    bumpRefresh: () => setRefresh(refresh + 1),
    setProfileType: (id, initial) =>
      update(
        {
          ...sideParams("left", { query: formatQuery({ ...lq, profileTypeID: id }) }),
          ...sideParams("right", { query: formatQuery({ ...rq, profileTypeID: id }) }),
        },
        { replace: initial },
      ),
    setRange: (f, u) => update({ from: f, until: u, leftFrom: null, leftUntil: null, rightFrom: null, rightUntil: null }),
    setSelector: (side, selector) => {
      const q = side === "left" ? lq : rq;
      update(sideParams(side, { query: formatQuery({ profileTypeID: q.profileTypeID || profileTypeID, selector }) }));
    },
    setSideRange: (side, f, u) => update(sideParams(side, { from: f, until: u })),
  };
}
