/**
 * The store-gateway boundary: what a querier asks of a store-gateway about the
 * blocks in object storage, in domain types. The in-process implementation is
 * `StoreGateway`; a connect client implementing the same interface serves the
 * microservices mode. The query methods mirror IngesterApi's.
 */
import type { FunctionTree } from "../model/flamegraph/function-tree.js";
import type { Labels } from "../model/labels.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import type { ProfileType } from "../model/profile-type.js";
import type { LabelQuery, ProfileTotals, SelectQuery } from "../model/query.js";

/** A store-gateway, local or remote. */
export interface StoreGatewayApi {
  profileTypes(tenant: string, q: LabelQuery): Promise<ProfileType[]>;
  labelNames(tenant: string, q: LabelQuery): Promise<string[]>;
  labelValues(tenant: string, name: string, q: LabelQuery): Promise<string[]>;
  series(tenant: string, q: LabelQuery, labelNames: readonly string[]): Promise<Labels[]>;
  /** The selected profiles merged into a function-name tree. */
  mergeTree(tenant: string, q: SelectQuery): Promise<FunctionTree>;
  /** The selected profiles merged into one pprof profile with the query's sample type. */
  mergePprof(tenant: string, q: SelectQuery): Promise<FlatProfile>;
  /** Per-profile totals of the selection grouped by labels `by`, sorted by time. */
  profileTotals(tenant: string, q: SelectQuery, by: readonly string[]): Promise<ProfileTotals>;
}
