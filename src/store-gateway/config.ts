/**
 * Config of the store-gateway (YAML `store_gateway:`): Phlare's bucket-store
 * sync settings under their Phlare flags, plus our bound on loaded block data.
 */
import { minutes } from "../config/duration.js";
import type { Field } from "../config/field.js";

/** YAML `store_gateway:`; durations are milliseconds, sizes bytes. */
export interface StoreGatewayConfig {
  bucket_store: {
    sync_interval: number;
    ignore_blocks_within: number;
  };
  max_loaded_bytes: number;
}

/** Rows for `store_gateway.*`. */
export const storeGatewayFields: readonly Field[] = [
  {
    flag: "blocks-storage.bucket-store.sync-interval",
    yaml: "store_gateway.bucket_store.sync_interval",
    kind: "duration",
    default: minutes(15),
    validate: (v) => (v > 0 ? undefined : `sync interval must be greater than 0, got ${v}ms`),
    help:
      "How frequently to scan the bucket, or to refresh the bucket index (if enabled), in order to look for changes " +
      "(new blocks shipped by ingesters and blocks deleted by retention or compaction).",
  },
  {
    flag: "blocks-storage.bucket-store.ignore-blocks-within",
    yaml: "store_gateway.bucket_store.ignore_blocks_within",
    kind: "duration",
    default: 0,
    help:
      "Blocks whose maximum time is within this duration of now are not opened by the store-gateway. 0 disables the filter. " +
      "The default is 0, not Phlare's 2h: queriers send store-gateways only the part of a query older than " +
      "-querier.query-store-after, and a block whose maximum time is recent can still hold profiles older than that, " +
      "so a non-zero value must stay below -querier.query-store-after minus the longest block duration.",
  },
  {
    flag: "store-gateway.max-loaded-bytes",
    yaml: "store_gateway.max_loaded_bytes",
    kind: "int",
    default: 1 << 30,
    validate: (v) => (v >= 0 ? undefined : `max loaded bytes must be at least 0, got ${v}`),
    help:
      "Upper bound on the decoded profiles, samples and symbols of blocks kept in memory (bytes); the least recently " +
      "used blocks are unloaded past it. A single block larger than the bound is still loaded for the query that needs it.",
  },
];
