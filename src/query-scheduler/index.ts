/** The query-scheduler's exports. */
export { querySchedulerFields } from "./config.js";
export type { FrontendConfig, FrontendWorkerSchedulerConfig, QuerySchedulerConfig } from "./config.js";
export { DISCOVERY_MODES, DNS_LOOKUP_PERIOD_MS, parseSchedulerAddresses, SchedulerDiscovery } from "./discovery.js";
export type { DiscoveryMode, Lookup, SchedulerDiscoveryOptions } from "./discovery.js";
export { SchedulerQuerierClient } from "./frontend-client.js";
export type { SchedulerQuerierClientOptions } from "./frontend-client.js";
export { initQueryScheduler, schedulerQuerierFor, startWorkerFor } from "./module.js";
export { concurrencyPerTarget, startQuerierWorker, WORKER_DEFAULTS } from "./querier-worker.js";
export type { QuerierWorker, QuerierWorkerOptions } from "./querier-worker.js";
export { FairQueue, TOO_MANY_OUTSTANDING } from "./queue.js";
export type { Dispatched, FairQueueOptions } from "./queue.js";
export { QueryScheduler } from "./scheduler.js";
export type { CallResult, QuerierCall, QuerierMessage, QuerySchedulerOptions, QueryTask } from "./scheduler.js";
export { registerSchedulerService } from "./service.js";
