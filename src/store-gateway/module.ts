/**
 * The store-gateway module: queries over the blocks in object storage, its status pages, and
 * storegateway.v1 for remote queriers. With the rings in etcd it joins the store-gateway ring
 * and loads only the blocks the ring gives it.
 */
import { need } from "../module-context.js";
import type { ModuleContext } from "../module-context.js";
import { joinRing } from "../ring/module.js";
import type { Membership } from "../ring/module.js";
import { Read } from "../ring/ring.js";
import { fnv1 } from "../ring/token-hash.js";
import { registerStoreGatewayService } from "./service.js";
import { registerStoreGatewayStatus } from "./status.js";
import { StoreGateway } from "./store-gateway.js";

/** Creates the store-gateway over the bucket, syncs it once, and registers its status pages and RPCs. */
export async function initStoreGateway(ctx: ModuleContext): Promise<void> {
  const server = need(ctx, "server", "store-gateway");
  const rings = need(ctx, "rings", "store-gateway");
  const bucket = ctx.bucket;
  if (!bucket) {
    throw new Error("the store-gateway reads blocks from object storage: configure a bucket (-storage.backend and its settings)");
  }
  const c = ctx.config.store_gateway;
  const membership = await joinRing(ctx, c.sharding_ring, "/store-gateway/ring", {
    key: "store-gateway",
    name: "store-gateway",
    title: "Store Gateway Ring",
    numTokens: 128,
    strategy: "ignore-unhealthy",
  });
  const gw = new StoreGateway({
    bucket,
    logger: ctx.logger.with({ component: "store-gateway" }),
    options: {
      syncIntervalMs: c.bucket_store.sync_interval,
      ignoreBlocksWithinMs: c.bucket_store.ignore_blocks_within,
      maxLoadedBytes: c.max_loaded_bytes,
    },
    ...(ctx.blockWorkers ? { workers: ctx.blockWorkers } : {}),
    // A ring of one in memory owns everything.
    ...(rings.local ? {} : { owns: ownsBlock(membership) }),
  });
  await gw.start();
  ctx.storeGateway = gw;
  ctx.stops.push({ name: "store-gateway", stop: () => gw.stop() });
  registerStoreGatewayStatus(server, gw, ctx.config.server.http_path_prefix);
  server.rpc((r) => registerStoreGatewayService(r, gw));
}

/**
 * Whether the ring gives block `ulid` to this store-gateway (one of the RF owners of the block's
 * token). Until this instance is in the ring it answers for every block: a starting store-gateway
 * must not hide blocks that no other member has picked up.
 */
function ownsBlock(m: Membership): (ulid: string) => boolean {
  return (ulid) => {
    if (m.ring.desc().ingesters[m.id]?.state !== "ACTIVE") return true;
    try {
      return m.ring.get(fnv1(ulid), Read).instances.some((i) => i.id === m.id);
    } catch {
      return true;
    }
  };
}
