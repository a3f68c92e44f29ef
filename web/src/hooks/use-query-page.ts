/**
 * The state every one-selection page (single view, tag explorer) reads from the URL: the query,
 * the time range and its resolution, a refresh counter, and the QueryBar's props wired to them.
 */
import { useState } from "react";
import type { QueryBarProps } from "../components/query-bar.tsx";
import { formatQuery, parseQuery, readRange } from "../lib/url-state.ts";
import { useUrlState } from "./use-location.ts";
import { useResolvedRange } from "./use-range.ts";

/** The URL state of a one-selection page, and the toolbar bound to it. */
export function useQueryPage() {
  const url = useUrlState();
  const { params, update } = url;
  const [refresh, setRefresh] = useState(0);
  const query = parseQuery(params.get("query") ?? "");
  const { from, until } = readRange(params);
  const rr = useResolvedRange(from, until, refresh);
  const barProps: Omit<QueryBarProps, "children"> = {
    profileTypeID: query.profileTypeID,
    selector: query.selector,
    from,
    until,
    range: rr.range,
    refresh,
    onProfileType: (id, initial) => update({ query: formatQuery({ ...query, profileTypeID: id }) }, { replace: initial }),
    onSelector: (selector) => update({ query: formatQuery({ ...query, selector }) }),
    onRange: (f, u) => update({ from: f, until: u }),
    onRefresh: () => setRefresh(refresh + 1),
  };
  return { ...url, refresh, query, from, until, rr, barProps };
}
