/** The ingester module: one in-process ingester serving ingester.v1. */
import { need } from "../module-context.js";
import type { ModuleContext } from "../module-context.js";
import { createIngesterMetrics } from "./metrics.js";
import { Ingester } from "./ingester.js";
import { registerIngesterService } from "./service.js";

/** Creates the ingester and registers its RPCs. */
export async function initIngester(ctx: ModuleContext): Promise<void> {
  const server = need(ctx, "server", "ingester");
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
    ringSize: () => ({ ingesters: 1, replicationFactor: Math.min(rf, 1) }),
    logger: ctx.logger.with({ component: "ingester" }),
    metrics: createIngesterMetrics(server.metrics.registry),
  });
  await ingester.start();
  ctx.ingester = ingester;
  ctx.stops.push({ name: "ingester", stop: () => ingester.stop() });
  server.rpc((r) => registerIngesterService(r, ingester));
}
