/**
 * The querier boundary in domain types. The query-frontend implements the same
 * interface (validating and splitting before it delegates), so the querier.v1
 * service is one adapter over whichever of the two is the public entry.
 */
import type { FunctionTree } from "../model/flamegraph/function-tree.js";
import type { Labels } from "../model/labels.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import type { SelectQuery, TenantLabelApi } from "../model/query.js";

/** Nodes a diff flame graph keeps when the request does not say (Phlare's constant). */
export const DIFF_MAX_NODES_DEFAULT = 8192;

/** How SelectSeries folds the profiles of one step into a point. */
export type Aggregation = "sum" | "average";

/** Options of a time-series query. */
export interface SeriesOptions {
  /** Step between points, milliseconds (> 0). */
  stepMs: number;
  groupBy: readonly string[];
  aggregation: Aggregation;
  /** Keep only the top N series by total; 0 = all. */
  limit: number;
}

/** One time series: the group's labels and its points (milliseconds, value). */
export interface SeriesResult {
  labels: Labels;
  timestampsMs: number[];
  values: number[];
}

/** A querier, local or remote, or the frontend in front of one. */
export interface QuerierApi extends TenantLabelApi {
  /** The merged function-name tree of the selection. */
  selectMergeTree(tenant: string, q: SelectQuery): Promise<FunctionTree>;
  /** The merged pprof of the selection (time = end, duration = end − start). */
  selectMergeProfile(tenant: string, q: SelectQuery): Promise<FlatProfile>;
  /** Time series of profile totals, one per group-by value combination, sorted by labels. */
  selectSeries(tenant: string, q: SelectQuery, opts: SeriesOptions): Promise<SeriesResult[]>;
}
