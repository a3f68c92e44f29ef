/** The distributor module: push.v1 over an in-process ingester. */
import { need } from "../module-context.js";
import type { ModuleContext } from "../module-context.js";
import { DecodePool, defaultDecodePoolOptions } from "./decode-pool.js";
import { Distributor, MAX_DECOMPRESSED_PROFILE_BYTES } from "./distributor.js";
import { registerIngestRoutes } from "./ingest-http.js";
import { createDistributorMetrics } from "./metrics.js";
import { registerPusherService } from "./service.js";

/** Creates the distributor and registers push.v1.PusherService. */
export async function initDistributor(ctx: ModuleContext): Promise<void> {
  const server = need(ctx, "server", "distributor");
  if (!ctx.ingester) {
    throw new Error("the distributor needs an ingester in the same process: run it with -target=distributor,ingester (or -target=all)");
  }
  const decoder = new DecodePool(defaultDecodePoolOptions(MAX_DECOMPRESSED_PROFILE_BYTES));
  ctx.stops.push({ name: "distributor", stop: () => decoder.close() });
  const distributor = new Distributor({
    decoder,
    ingester: ctx.ingester,
    limits: need(ctx, "limits", "distributor"),
    healthyDistributors: () => 1,
    metrics: createDistributorMetrics(server.metrics.registry),
  });
  ctx.distributor = distributor;
  server.rpc((r) => registerPusherService(r, distributor));
  registerIngestRoutes(server, distributor, need(ctx, "limits", "distributor"), ctx.logger.with({ component: "ingest" }));
}
