/**
 * Config of the distributor (YAML `distributor:`), plus the replication factor, which Phlare keeps
 * in the ingester lifecycler's ring config although the distributor is the one that uses it.
 */
import { seconds } from "../config/duration.js";
import type { Field } from "../config/field.js";

/** YAML `distributor:`; the timeout is milliseconds. */
export interface DistributorConfig {
  pushtimeout: number;
}

/** YAML `ingester:`; only the replication factor of the lifecycler's ring is read. */
export interface IngesterRingConfig {
  lifecycler: { ring: { replication_factor: number } };
}

/** Rows for `distributor.*` and `ingester.lifecycler.ring.replication_factor`. */
export const distributorFields: readonly Field[] = [
  {
    flag: "distributor.push.timeout",
    yaml: "distributor.pushtimeout",
    kind: "duration",
    default: seconds(5),
    help: "Timeout when pushing data to ingester.",
  },
  {
    flag: "distributor.replication-factor",
    yaml: "ingester.lifecycler.ring.replication_factor",
    kind: "int",
    default: 1,
    validate: (v) => (v >= 1 ? undefined : `replication factor must be at least 1, got ${v}`),
    help: "The number of ingesters to write to and read from.",
  },
];
