/** The ingester module: one in-process ingester serving ingester.v1. */
import { need } from "../module-context.js";
import type { ModuleContext } from "../module-context.js";
import { Lifecycler } from "../ring/lifecycler.js";
import { advertisedAddr, INGESTER_RING_KEY } from "../ring/module.js";
import { Write } from "../ring/ring.js";
import { createIngesterMetrics } from "./metrics.js";
import { Ingester } from "./ingester.js";
import { registerIngesterService } from "./service.js";

/** Creates the ingester and registers its RPCs. */
export async function initIngester(ctx: ModuleContext): Promise<void> {
  const server = need(ctx, "server", "ingester");
  const rings = need(ctx, "rings", "ingester");
  const rf = ctx.config.ingester.lifecycler.ring.replication_factor;
  const c = ctx.config;
  const ingester = new Ingester({
    storage: {
      dataPath: c.phlaredb.data_path,
      maxBlockDurationMs: c.phlaredb.max_block_duration,
      maxHeadBytes: c.phlaredb.max_block_bytes,
      // The ingester answers queries newer than query_store_after: keep uploaded blocks that long, plus one block.
      localRetentionMs: c.querier.query_store_after + c.phlaredb.max_block_duration,
      dropAfterUploadMs: 2 * c.store_gateway.bucket_store.sync_interval,
    },
    ...(ctx.bucket ? { bucket: ctx.bucket } : {}),
    ...(ctx.blockWorkers ? { workers: ctx.blockWorkers } : {}),
    limits: need(ctx, "limits", "ingester"),
    // The global series limit is shared by the healthy ingesters, each holding RF copies.
    ringSize: () => {
      const n = Math.max(1, rings.ingesters.healthyInstancesCount(Write));
      return { ingesters: n, replicationFactor: Math.min(rf, n) };
    },
    logger: ctx.logger.with({ component: "ingester" }),
    metrics: createIngesterMetrics(server.metrics.registry),
  });
  await ingester.start();
  ctx.ingester = ingester;
  ctx.stops.push({ name: "ingester", stop: () => ingester.stop() });
  server.rpc((r) => registerIngesterService(r, ingester, (tenant) => ingester.view(tenant, new Set())));

  // Joins the ring once the server listens; on shutdown it leaves (LEAVING: distributors stop
  // writing here), flushes the head to the bucket, and unregisters, while the server still serves.
  const lc = c.ingester.lifecycler;
  ctx.afterStart.push({
    name: "ingester ring",
    start: async (port) => {
      const lifecycler = new Lifecycler({
        kv: rings.kv(lc.ring.kvstore),
        ringKey: INGESTER_RING_KEY,
        ringName: "ingester",
        id: lc.id,
        addr: advertisedAddr(lc.address, lc.port, port),
        zone: lc.availability_zone,
        numTokens: lc.num_tokens,
        heartbeatPeriodMs: lc.heartbeat_period,
        heartbeatTimeoutMs: lc.ring.heartbeat_timeout,
        joinAfterMs: lc.join_after,
        minReadyDurationMs: lc.min_ready_duration,
        tokensFilePath: lc.tokens_file_path,
        unregisterOnShutdown: lc.unregister_on_shutdown,
        readinessCheckRingHealth: lc.readiness_check_ring_health,
        onLeaving: () => ingester.flush(),
        logger: ctx.logger.with({ component: "ingester" }),
      });
      await lifecycler.start();
      ctx.leaves.push({ name: "ingester ring", leave: () => lifecycler.stop() });
      // A ring of one in memory has nobody to wait for.
      if (!rings.local) ctx.readyChecks.push(() => lifecycler.checkReady());
    },
  });
}
