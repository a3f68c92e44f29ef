/**
 * The query-scheduler module, plus the two helpers the query-frontend and querier
 * modules call to use it: the frontend's querier through the schedulers, and the
 * querier's worker that pulls from them.
 */
import { hostname } from "node:os";
import { need } from "../module-context.js";
import type { ModuleContext } from "../module-context.js";
import type { QuerierApi } from "../querier/api.js";
import { parseSchedulerAddresses, SchedulerDiscovery } from "./discovery.js";
import { SchedulerQuerierClient } from "./frontend-client.js";
import { startQuerierWorker } from "./querier-worker.js";
import type { QuerierWorker } from "./querier-worker.js";
import { QueryScheduler } from "./scheduler.js";
import { registerSchedulerService } from "./service.js";

/** Creates the scheduler and serves scheduler.v1.SchedulerService. */
export async function initQueryScheduler(ctx: ModuleContext): Promise<void> {
  const server = need(ctx, "server", "query-scheduler");
  const c = ctx.config.query_scheduler;
  const scheduler = new QueryScheduler({
    maxOutstandingPerTenant: c.max_outstanding_requests_per_tenant,
    logger: ctx.logger.with({ component: "query-scheduler" }),
    registry: server.metrics.registry,
  });
  server.rpc((r) => registerSchedulerService(r, scheduler));
  // Refuses queued requests while the server still answers, so frontends fail over at once.
  ctx.leaves.push({ name: "query-scheduler", leave: async () => scheduler.stop() });
}

/**
 * The querier a query-frontend calls when `frontend.scheduler_address` is set: queries go
 * through the schedulers to querier workers. Undefined when it is not set.
 */
export async function schedulerQuerierFor(ctx: ModuleContext): Promise<SchedulerQuerierClient | undefined> {
  const s = ctx.config;
  const addresses = parseSchedulerAddresses(s.frontend.scheduler_address);
  if (addresses.length === 0) return undefined;
  const discovery = new SchedulerDiscovery({
    addresses,
    mode: s.query_scheduler.service_discovery_mode,
    logger: ctx.logger.with({ component: "query-frontend" }),
  });
  await discovery.start();
  const client = new SchedulerQuerierClient({ discovery });
  ctx.stops.push({
    name: "query-scheduler-client",
    stop: async () => {
      discovery.stop();
      client.close();
    },
  });
  return client;
}

/**
 * Starts the worker that runs the schedulers' queries on `querier` when
 * `frontend_worker.scheduler_address` is set; undefined when it is not.
 */
export function startWorkerFor(ctx: ModuleContext, querier: QuerierApi): QuerierWorker | undefined {
  const s = ctx.config;
  const addresses = parseSchedulerAddresses(s.frontend_worker.scheduler_address);
  if (addresses.length === 0) return undefined;
  const worker = startQuerierWorker({
    addresses,
    maxConcurrent: s.frontend_worker.max_concurrent,
    querier,
    logger: ctx.logger,
    id: s.frontend_worker.id || hostname(),
    discoveryMode: s.query_scheduler.service_discovery_mode,
    stopTimeoutMs: ctx.config.server.graceful_shutdown_timeout,
  });
  ctx.stops.push({ name: "querier-worker", stop: () => worker.stop() });
  return worker;
}
