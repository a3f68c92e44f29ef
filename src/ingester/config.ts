/** Config of the ingester's local database (YAML `phlaredb:`). */
import { hours } from "../config/duration.js";
import type { Field } from "../config/field.js";

/** YAML `phlaredb:`; the block duration is milliseconds, the row group size bytes. */
export interface PhlareDbConfig {
  data_path: string;
  max_block_duration: number;
  max_block_bytes: number;
  row_group_target_size: number;
}

/** Rows for `phlaredb.*`. */
export const ingesterFields: readonly Field[] = [
  {
    flag: "phlaredb.data-path",
    yaml: "phlaredb.data_path",
    kind: "string",
    default: "./data",
    help: "Directory used for local storage.",
  },
  {
    flag: "phlaredb.max-block-duration",
    yaml: "phlaredb.max_block_duration",
    kind: "duration",
    // Phlare cut blocks every 3h; 1h (Pyroscope's default) bounds head memory and WAL replay time.
    default: hours(1),
    validate: (v) => (v > 0 ? undefined : "max block duration must be positive"),
    help: "Upper limit to the duration of a Phlare block.",
  },
  {
    flag: "phlaredb.max-block-bytes",
    yaml: "phlaredb.max_block_bytes",
    kind: "int",
    // Phlare's head cut at an estimated 12.5 GiB; the in-memory head here is cut far earlier so
    // that memory and WAL replay time stay bounded.
    default: 1024 * 1024 * 1024,
    validate: (v) => (v > 0 ? undefined : "max block bytes must be positive"),
    help: "Upper limit to the estimated in-memory size of the head before it is cut into a block.",
  },
  {
    flag: "phlaredb.row-group-target-size",
    yaml: "phlaredb.row_group_target_size",
    kind: "int",
    default: 1_342_177_280,
    hidden: true,
    validate: (v) => (v > 0 ? undefined : "row group target size must be positive"),
    help: "How big should a single row group be uncompressed",
  },
];
