/**
 * Query and ingest shapes shared by the components, in domain types (no protobuf).
 */
import type { FunctionTree } from "./flamegraph/function-tree.js";
import type { Labels } from "./labels.js";
import type { FlatProfile } from "./pprof/flat-profile.js";
import type { ProfileType } from "./profile-type.js";
import type { Matcher } from "./selector.js";

/** A normalized profile on its way from the distributor to an ingester. */
export interface IngestProfile {
  /** Profile UUID, shared by the series rows of every sample type. */
  id: string;
  /** Validated, sorted series labels; includes `__name__` and `service_name`. */
  labels: Labels;
  profile: FlatProfile;
  /**
   * The profile's bytes as pushed (gzipped or not), which the WAL stores; when absent
   * the WAL stores the encoded profile instead.
   */
  raw?: Uint8Array;
}

/** Label-API query: series matching any of `selectors` (all series when empty), overlapping the range when given. */
export interface LabelQuery {
  selectors: Matcher[][];
  /** Milliseconds since epoch; undefined means unbounded. */
  startMs?: number;
  endMs?: number;
}

/** Selects profiles of one type by label matchers and an inclusive time range. */
export interface SelectQuery {
  profileType: ProfileType;
  matchers: Matcher[];
  /** Milliseconds since epoch, inclusive. */
  startMs: number;
  endMs: number;
  /**
   * Replica deduplication: only profiles whose ID is in the set are read, each once. A row taken
   * removes its ID, so a profile held by several blocks of one source is counted once.
   */
  keep?: Set<string>;
}

/** One selected profile, as replica deduplication sees it. */
export interface SelectedProfile {
  /** Series labels. */
  labels: Labels;
  timeMs: number;
  id: string;
}

/**
 * Per-profile totals of a selection, for time series: profile i has timestamp
 * timeMs[i], total value[i] and belongs to group groups[group[i]]. Sorted by time.
 */
export interface ProfileTotals {
  groups: Labels[];
  group: Uint32Array;
  timeMs: Float64Array;
  value: Float64Array;
}

/** The label queries every query component answers per tenant (ingester, store-gateway, querier). */
export interface TenantLabelApi {
  profileTypes(tenant: string, q: LabelQuery): Promise<ProfileType[]>;
  labelNames(tenant: string, q: LabelQuery): Promise<string[]>;
  labelValues(tenant: string, name: string, q: LabelQuery): Promise<string[]>;
  series(tenant: string, q: LabelQuery, labelNames: readonly string[]): Promise<Labels[]>;
}

/** What a component holding profiles answers (ingester, store-gateway), local or remote. */
export interface TenantProfileApi extends TenantLabelApi {
  /** The selected profiles merged into a function-name tree. */
  mergeTree(tenant: string, q: SelectQuery): Promise<FunctionTree>;
  /** The selected profiles merged into one pprof profile with the query's sample type. */
  mergePprof(tenant: string, q: SelectQuery): Promise<FlatProfile>;
  /** Per-profile totals of the selection grouped by labels `by`, sorted by time. */
  profileTotals(tenant: string, q: SelectQuery, by: readonly string[]): Promise<ProfileTotals>;
}
