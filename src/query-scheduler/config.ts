/**
 * Config of the query-scheduler (YAML `query_scheduler:`) and of where query-frontends
 * (`frontend.scheduler_address`) and querier workers (`frontend_worker.scheduler_address`)
 * find it. Flags, defaults and help are Phlare's.
 */
import type { Field } from "../config/field.js";
import { DISCOVERY_MODES } from "./discovery.js";
import type { DiscoveryMode } from "./discovery.js";

/** YAML `query_scheduler:`. */
export interface QuerySchedulerConfig {
  max_outstanding_requests_per_tenant: number;
  /** One of DISCOVERY_MODES (checked when the config loads). */
  service_discovery_mode: DiscoveryMode;
}

/** YAML `frontend:` (the query-frontend). */
export interface FrontendConfig {
  /** Comma-separated host:port of query-schedulers; "" = the querier runs in the frontend's process. */
  scheduler_address: string;
}

/** What YAML `frontend_worker:` gains for the scheduler (the rest is in src/querier/config.ts). */
export interface FrontendWorkerSchedulerConfig {
  /** Comma-separated host:port of query-schedulers; "" = no worker. */
  scheduler_address: string;
  /** The querier's name in the schedulers' logs and metrics; "" = the host name. */
  id: string;
}

const SCHEDULER_ADDRESS_HELP =
  "Address of the query-scheduler component, in host:port format. The host should resolve to all query-scheduler " +
  "instances. This option should be set only when query-scheduler component is in use and " +
  "-query-scheduler.service-discovery-mode is set to 'dns'.";

/** Rows for `query_scheduler.*`, `frontend.scheduler_address` and `frontend_worker.scheduler_address`. */
export const querySchedulerFields: readonly Field[] = [
  {
    flag: "query-scheduler.max-outstanding-requests-per-tenant",
    yaml: "query_scheduler.max_outstanding_requests_per_tenant",
    kind: "int",
    default: 100,
    help:
      "Maximum number of outstanding requests per tenant per query-scheduler. In-flight requests above this limit " +
      "will fail with HTTP response status code 429.",
  },
  {
    flag: "query-scheduler.service-discovery-mode",
    yaml: "query_scheduler.service_discovery_mode",
    kind: "string",
    default: "ring",
    validate: (v) =>
      (DISCOVERY_MODES as readonly string[]).includes(v) ? undefined : `unsupported query-scheduler service discovery mode: ${v}`,
    help:
      "Service discovery mode that query-frontends and queriers use to find query-scheduler instances. When " +
      "query-scheduler ring-based service discovery is enabled, this option needs be set on query-schedulers, " +
      `query-frontends and queriers. Supported values are: ${DISCOVERY_MODES.join(", ")}.`,
  },
  {
    flag: "query-frontend.scheduler-address",
    yaml: "frontend.scheduler_address",
    kind: "string",
    default: "",
    help: SCHEDULER_ADDRESS_HELP,
  },
  {
    flag: "querier.scheduler-address",
    yaml: "frontend_worker.scheduler_address",
    kind: "string",
    default: "",
    help: SCHEDULER_ADDRESS_HELP,
  },
  {
    flag: "querier.id",
    yaml: "frontend_worker.id",
    kind: "string",
    default: "",
    help: "Querier ID, sent to the query-scheduler to identify requests from the same querier. Defaults to hostname.",
  },
];
