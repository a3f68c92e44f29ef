/** Loads a SelectSeries answer and aligns it for the chart. */
import { useMemo } from "react";
import { useApi } from "../api/context.ts";
import { alignSeries, groupName } from "../lib/series.ts";
import type { AlignedSeries } from "../lib/series.ts";
import { stepSeconds } from "../lib/time-range.ts";
import type { TimeRangeMs } from "../lib/time-range.ts";
import { useAsync } from "./use-async.ts";
import type { AsyncState } from "./use-async.ts";
import { rangeKey } from "./use-range.ts";

/** The series of a selection, one per value of `groupBy` when given. */
export interface SeriesQuery {
  profileTypeID: string;
  selector: string;
  range: TimeRangeMs | null;
  groupBy?: string;
}

/** Aligned series with their names; `total` is the sum of every point. */
export interface SeriesData extends AlignedSeries {
  names: string[];
  total: number;
}

/** Runs the query whenever any part of it changes. */
export function useSeries(q: SeriesQuery, refresh = 0): AsyncState<SeriesData> {
  const api = useApi();
  const { profileTypeID, selector, range, groupBy } = q;
  const stepS = range ? stepSeconds(range) : 0;
  const key = profileTypeID && range ? JSON.stringify([profileTypeID, selector, rangeKey(range), stepS, groupBy ?? "", refresh]) : null;
  const st = useAsync(key, (signal) =>
    api.selectSeries({ profileTypeID, labelSelector: selector, range: range!, stepS, ...(groupBy ? { groupBy } : {}) }, signal),
  );
  const data = useMemo(() => {
    if (!st.data || !range) return undefined;
    const aligned = alignSeries(st.data, range, stepS);
    const names = st.data.map((s, i) => (groupBy ? groupName(s, groupBy) : st.data!.length > 1 ? `series ${i + 1}` : "total"));
    const total = aligned.ys.reduce((a, y) => a + y.reduce((b, v) => b + v, 0), 0);
    return { ...aligned, names, total };
  }, [st.data]);
  return { loading: st.loading, error: st.error, data };
}
