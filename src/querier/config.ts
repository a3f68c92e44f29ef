/**
 * Config of the querier (YAML `querier:`) and of its worker that pulls queries from the frontend
 * (YAML `frontend_worker:`, where Phlare keeps `-querier.max-concurrent`).
 */
import { hours } from "../config/duration.js";
import type { Field } from "../config/field.js";

/** YAML `querier:`; the duration is milliseconds. */
export interface QuerierConfig {
  query_store_after: number;
}

/** YAML `frontend_worker:`. */
export interface FrontendWorkerConfig {
  max_concurrent: number;
}

/** Rows for `querier.*` and `frontend_worker.max_concurrent`. */
export const querierFields: readonly Field[] = [
  {
    flag: "querier.query-store-after",
    yaml: "querier.query_store_after",
    kind: "duration",
    default: hours(4),
    help:
      "The time after which a metric should be queried from storage and not just ingesters. " +
      "0 means all queries are sent to store. If this option is enabled, the time range of the query " +
      "sent to the store-gateway will be manipulated to ensure the query end is not more recent than " +
      "'now - query-store-after'.",
  },
  {
    flag: "querier.max-concurrent",
    yaml: "frontend_worker.max_concurrent",
    kind: "int",
    default: 4,
    validate: (v) => (v >= 1 ? undefined : `max concurrent must be at least 1, got ${v}`),
    help: "The maximum number of concurrent queries allowed.",
  },
];
