/**
 * What every queryable unit of storage answers: the head today, on-disk and
 * bucket blocks with the same interface. Query paths use only this.
 */
import type { FunctionTree } from "../model/flamegraph/function-tree.js";
import type { Labels } from "../model/labels.js";
import type { ProfileType } from "../model/profile-type.js";
import type { LabelQuery, ProfileTotals, SelectedProfile, SelectQuery } from "../model/query.js";
import type { PprofBuilder } from "./query/pprof-builder.js";

/** A queryable set of series and profiles. */
export interface BlockReader {
  /** Time range covered, milliseconds since epoch (Infinity/-Infinity when empty). */
  readonly minTimeMs: number;
  readonly maxTimeMs: number;
  profileTypes(q: LabelQuery): Promise<ProfileType[]>;
  labelNames(q: LabelQuery): Promise<string[]>;
  labelValues(name: string, q: LabelQuery): Promise<string[]>;
  /** Label sets of the matching series; only `labelNames` when not empty. */
  series(q: LabelQuery, labelNames: readonly string[]): Promise<Labels[]>;
  /** Adds the selected profiles' stacks into `tree`. */
  mergeTree(q: SelectQuery, tree: FunctionTree): Promise<void>;
  /** Adds the selected profiles' stacks into `builder`. */
  mergePprof(q: SelectQuery, builder: PprofBuilder): Promise<void>;
  /** The selected profiles one by one (what replica deduplication compares). */
  selectProfiles(q: SelectQuery): Promise<SelectedProfile[]>;
  /** Per-profile totals of the selection, grouped by the labels `by`. */
  profileTotals(q: SelectQuery, by: readonly string[]): Promise<ProfileTotals>;
}
