/**
 * Per-tenant limits (YAML `limits:`, and per tenant under `overrides:` in the runtime config).
 * Keys, flags and defaults are Phlare's (pkg/validation/limits.go); the flame-graph node limits
 * are Pyroscope's, with Phlare's querier default of 2048 nodes.
 */
import { days } from "./duration.js";
import { defaultsOf, getPath } from "./field.js";
import type { Field } from "./field.js";
import { compactorRetentionLimitField } from "../compactor/config.js";

/**
 * The limits of one tenant. Property names are the YAML keys so one object serves YAML and code;
 * sizes in MB are as named, durations (max_query_*, split_queries_by_interval) are milliseconds.
 */
export interface Limits {
  ingestion_rate_mb: number;
  ingestion_burst_size_mb: number;
  /** Largest /ingest request body, before decompression (MB; 0 = no limit). */
  ingestion_body_limit_mb: number;
  max_label_name_length: number;
  max_label_value_length: number;
  max_label_names_per_series: number;
  ingestion_tenant_shard_size: number;
  max_local_series_per_tenant: number;
  max_global_series_per_tenant: number;
  max_query_lookback: number;
  max_query_length: number;
  max_query_parallelism: number;
  split_queries_by_interval: number;
  store_gateway_tenant_shard_size: number;
  max_flamegraph_nodes_default: number;
  max_flamegraph_nodes_max: number;
  /** Blocks older than this are deleted by the compactor (ms; 0 keeps them forever). */
  compactor_blocks_retention_period: number;
}

const nonNegative = (v: number): string | undefined => (v >= 0 ? undefined : `must not be negative, got ${v}`);

/** Rows for `limits.*`, in Phlare's order. */
export const limitsFields: readonly Field[] = [
  {
    flag: "distributor.ingestion-rate-limit-mb",
    yaml: "limits.ingestion_rate_mb",
    kind: "float",
    default: 4,
    validate: nonNegative,
    help: "Per-tenant ingestion rate limit in sample size per second. Units in MB.",
  },
  {
    flag: "distributor.ingestion-burst-size-mb",
    yaml: "limits.ingestion_burst_size_mb",
    kind: "float",
    default: 2,
    validate: nonNegative,
    help:
      "Per-tenant allowed ingestion burst size (in sample size). Units in MB. The burst size refers to the " +
      "per-distributor local rate limiter, and should be set at least to the maximum profile size expected " +
      "in a single push request.",
  },
  {
    flag: "distributor.ingestion-body-limit-mb",
    yaml: "limits.ingestion_body_limit_mb",
    kind: "float",
    default: 256,
    validate: nonNegative,
    help: "Per-tenant ingestion body size limit in MB, before decompressing. 0 to disable.",
  },
  {
    flag: "validation.max-length-label-name",
    yaml: "limits.max_label_name_length",
    kind: "int",
    default: 1024,
    help: "Maximum length accepted for label names.",
  },
  {
    flag: "validation.max-length-label-value",
    yaml: "limits.max_label_value_length",
    kind: "int",
    default: 2048,
    help: "Maximum length accepted for label value. This setting also applies to the metric name.",
  },
  {
    flag: "validation.max-label-names-per-series",
    yaml: "limits.max_label_names_per_series",
    kind: "int",
    default: 30,
    help: "Maximum number of label names per series.",
  },
  {
    flag: "distributor.ingestion-tenant-shard-size",
    yaml: "limits.ingestion_tenant_shard_size",
    kind: "int",
    default: 0,
    validate: nonNegative,
    help:
      "The tenant's shard size used by shuffle-sharding. Must be set both on ingesters and distributors. " +
      "0 disables shuffle sharding.",
  },
  {
    flag: "ingester.max-local-series-per-tenant",
    yaml: "limits.max_local_series_per_tenant",
    kind: "int",
    default: 0,
    validate: nonNegative,
    help: "Maximum number of active series of profiles per tenant, per ingester. 0 to disable.",
  },
  {
    flag: "ingester.max-global-series-per-tenant",
    yaml: "limits.max_global_series_per_tenant",
    kind: "int",
    default: 5000,
    validate: nonNegative,
    help:
      "Maximum number of active series of profiles per tenant, across the cluster. 0 to disable. When the " +
      "global limit is enabled, each ingester is configured with a dynamic local limit based on the " +
      "replication factor and the current number of healthy ingesters, and is kept updated whenever the " +
      "number of ingesters change.",
  },
  {
    flag: "querier.max-query-lookback",
    yaml: "limits.max_query_lookback",
    kind: "model-duration",
    default: days(7),
    help:
      "Limit how far back in profiling data can be queried, up until lookback duration ago. This limit is " +
      "enforced in the query frontend. If the requested time range is outside the allowed range, the request " +
      "will not fail, but will be modified to only query data within the allowed time range. 0 to disable, " +
      "default to 7d.",
  },
  {
    flag: "querier.max-query-length",
    yaml: "limits.max_query_length",
    kind: "model-duration",
    default: days(1),
    help: "The limit to length of queries. 0 to disable.",
  },
  {
    flag: "querier.max-query-parallelism",
    yaml: "limits.max_query_parallelism",
    kind: "int",
    default: 0,
    validate: nonNegative,
    help: "Maximum number of queries that will be scheduled in parallel by the frontend.",
  },
  {
    flag: "querier.split-queries-by-interval",
    yaml: "limits.split_queries_by_interval",
    kind: "model-duration",
    default: 0,
    help: "Split queries by a time interval and execute in parallel. The value 0 disables splitting by time",
  },
  {
    flag: "store-gateway.tenant-shard-size",
    yaml: "limits.store_gateway_tenant_shard_size",
    kind: "int",
    default: 0,
    validate: nonNegative,
    help:
      "The tenant's shard size, used when store-gateway sharding is enabled. Value of 0 disables shuffle " +
      "sharding for the tenant, that is all tenant blocks are sharded across all store-gateway replicas.",
  },
  {
    flag: "querier.max-flamegraph-nodes-default",
    yaml: "limits.max_flamegraph_nodes_default",
    kind: "int",
    default: 2048,
    validate: nonNegative,
    help: "Maximum number of flame graph nodes by default. 0 to disable.",
  },
  {
    flag: "querier.max-flamegraph-nodes-max",
    yaml: "limits.max_flamegraph_nodes_max",
    kind: "int",
    default: 1_048_576,
    validate: nonNegative,
    help: "Maximum number of flame graph nodes allowed. 0 to disable.",
  },
  compactorRetentionLimitField,
];

/** Prefix of every limits row's YAML path. */
export const LIMITS_PREFIX = "limits.";

/** A limits key (the YAML key under `limits:`). */
export type LimitsKey = keyof Limits;

/** The YAML key of a limits row, without the `limits.` prefix. */
export function limitsKey(field: Field): LimitsKey {
  return field.yaml.slice(LIMITS_PREFIX.length) as LimitsKey;
}

/** Fresh limits holding every default. */
export function defaultLimits(): Limits {
  return getPath(defaultsOf(limitsFields), "limits") as Limits;
}
