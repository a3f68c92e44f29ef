/**
 * The ingester boundary: what distributors and queriers ask of an ingester, in
 * domain types. The in-process implementation is `Ingester`; a connect client
 * implementing the same interface serves the microservices mode.
 */
import type { FunctionTree } from "../model/flamegraph/function-tree.js";
import type { Labels } from "../model/labels.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import type { ProfileType } from "../model/profile-type.js";
import type { IngestProfile, LabelQuery, ProfileTotals, SelectQuery } from "../model/query.js";

/** An ingester, local or remote. */
export interface IngesterApi {
  /** Stores normalized profiles; resolves once they are accepted. */
  push(tenant: string, profiles: IngestProfile[]): Promise<void>;
  profileTypes(tenant: string, q: LabelQuery): Promise<ProfileType[]>;
  labelNames(tenant: string, q: LabelQuery): Promise<string[]>;
  labelValues(tenant: string, name: string, q: LabelQuery): Promise<string[]>;
  series(tenant: string, q: LabelQuery, labelNames: readonly string[]): Promise<Labels[]>;
  /** The selected profiles merged into a function-name tree. */
  mergeTree(tenant: string, q: SelectQuery): Promise<FunctionTree>;
  /** The selected profiles merged into one pprof profile with the query's sample type. */
  mergePprof(tenant: string, q: SelectQuery): Promise<FlatProfile>;
  /** Cuts every head into a block and ships it. */
  flush(): Promise<void>;
  /** Per-profile totals of the selection grouped by labels `by`, sorted by time. */
  profileTotals(tenant: string, q: SelectQuery, by: readonly string[]): Promise<ProfileTotals>;
}
