import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { defaultConfig } from "../config/config.js";
import type { Config } from "../config/config.js";
import type { ModuleContext } from "../module-context.js";
import { nopLogger } from "../server/logger.js";
import type { PhlareServer } from "../server/server.js";
import type { FrontendConfig, FrontendWorkerSchedulerConfig, QuerySchedulerConfig } from "./config.js";
import { initQueryScheduler, schedulerQuerierFor, startWorkerFor } from "./module.js";
import { createTestQuerier, newServer } from "./test-cluster.js";

type SchedulerConfig = Config & {
  query_scheduler: QuerySchedulerConfig;
  frontend: FrontendConfig;
  frontend_worker: Config["frontend_worker"] & FrontendWorkerSchedulerConfig;
};

function config(frontendAddress: string, workerAddress: string): SchedulerConfig {
  const c = defaultConfig();
  return {
    ...c,
    query_scheduler: { max_outstanding_requests_per_tenant: 100, service_discovery_mode: "ring" },
    frontend: { scheduler_address: frontendAddress },
    frontend_worker: { ...c.frontend_worker, max_concurrent: 2, scheduler_address: workerAddress },
  };
}

// Only the parts these helpers read; the cast leaves out what other modules fill in.
function context(c: SchedulerConfig, server?: PhlareServer): ModuleContext {
  const ctx = { config: c, logger: nopLogger(), running: new Set(), stops: [], leaves: [], afterStart: [], readyChecks: [], ready: false };
  return { ...ctx, ...(server ? { server } : {}) } as unknown as ModuleContext;
}

async function stopAll(ctx: ModuleContext): Promise<void> {
  for (const l of [...ctx.leaves].reverse()) await l.leave();
  for (const s of [...ctx.stops].reverse()) await s.stop();
}

describe("query-scheduler module", { timeout: 60_000 }, () => {
  let data: Awaited<ReturnType<typeof createTestQuerier>>;
  before(async () => {
    data = await createTestQuerier();
  });
  after(async () => {
    await data.close();
  });

  it("wires a scheduler, a querier's worker and a frontend's client from the config", async () => {
    const server = newServer();
    const schedulerCtx = context(config("", ""), server);
    await initQueryScheduler(schedulerCtx);
    const address = `127.0.0.1:${await server.start()}`;

    const querierCtx = context(config("", address));
    const frontendCtx = context(config(address, ""));
    try {
      assert.ok(startWorkerFor(querierCtx, data.querier), "a worker when frontend_worker.scheduler_address is set");
      const client = await schedulerQuerierFor(frontendCtx);
      assert.ok(client, "a client when frontend.scheduler_address is set");
      assert.ok((await client.labelNames("t1", { selectors: [] })).includes("service_name"));
      const metrics = async (): Promise<string> => server.metrics.registry.metrics();
      assert.match(await metrics(), /pyroscope_query_scheduler_connected_querier_clients 1/);
      assert.match(await metrics(), /pyroscope_query_scheduler_queue_duration_seconds_count 1/);
    } finally {
      await stopAll(frontendCtx);
      await stopAll(querierCtx);
      await server.stop();
      await stopAll(schedulerCtx);
    }
  });

  it("leaves the frontend and the querier alone without scheduler addresses", async () => {
    const ctx = context(config("", ""));
    assert.equal(await schedulerQuerierFor(ctx), undefined);
    assert.equal(startWorkerFor(ctx, data.querier), undefined);
    assert.equal(ctx.stops.length, 0);
  });
});
