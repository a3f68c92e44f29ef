/** The store-gateway module: queries over the blocks in object storage, and its status pages. */
import { need } from "../module-context.js";
import type { ModuleContext } from "../module-context.js";
import { registerStoreGatewayStatus } from "./status.js";
import { StoreGateway } from "./store-gateway.js";

/** Creates the store-gateway over the bucket, syncs it once, and registers its status pages. */
export async function initStoreGateway(ctx: ModuleContext): Promise<void> {
  const server = need(ctx, "server", "store-gateway");
  const bucket = ctx.bucket;
  if (!bucket) {
    throw new Error("the store-gateway reads blocks from object storage: configure a bucket (-storage.backend and its settings)");
  }
  const c = ctx.config.store_gateway;
  const gw = new StoreGateway({
    bucket,
    logger: ctx.logger.with({ component: "store-gateway" }),
    options: {
      syncIntervalMs: c.bucket_store.sync_interval,
      ignoreBlocksWithinMs: c.bucket_store.ignore_blocks_within,
      maxLoadedBytes: c.max_loaded_bytes,
    },
    ...(ctx.blockWorkers ? { workers: ctx.blockWorkers } : {}),
  });
  await gw.start();
  ctx.storeGateway = gw;
  ctx.stops.push({ name: "store-gateway", stop: () => gw.stop() });
  registerStoreGatewayStatus(server, gw, ctx.config.server.http_path_prefix);
}
