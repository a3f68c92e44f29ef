/**
 * The distributor module: push.v1 and /ingest, writing to the in-process ingester (a ring of one
 * in memory) or, when the ring lives in etcd, to the ring's replicas of each series.
 */
import { need } from "../module-context.js";
import type { ModuleContext } from "../module-context.js";
import { joinRing } from "../ring/module.js";
import { Write } from "../ring/ring.js";
import { TransportPool } from "../server/client-pool.js";
import { DecodePool, defaultDecodePoolOptions } from "./decode-pool.js";
import { Distributor, MAX_DECOMPRESSED_PROFILE_BYTES } from "./distributor.js";
import { registerIngestRoutes } from "./ingest-http.js";
import { createDistributorMetrics } from "./metrics.js";
import { RemoteIngesterPusher, ReplicatedPusher } from "./replication.js";
import type { Pusher } from "./replication.js";
import { registerPusherService } from "./service.js";

/** Creates the distributor and registers push.v1.PusherService. */
export async function initDistributor(ctx: ModuleContext): Promise<void> {
  const server = need(ctx, "server", "distributor");
  const rings = need(ctx, "rings", "distributor");
  let ingester: Pusher;
  if (rings.local) {
    if (!ctx.ingester) {
      throw new Error(
        "the distributor has no ingester to write to: run one in this process (-target=all) or share the ring through etcd (-ring.store=etcd -etcd.endpoints=…)",
      );
    }
    ingester = ctx.ingester;
  } else {
    const pool = new TransportPool();
    const timeout = ctx.config.distributor.pushtimeout;
    ingester = new ReplicatedPusher(rings.ingesters, (addr) => new RemoteIngesterPusher(pool, addr, timeout));
  }
  // The distributor ring only counts distributors, which share the tenant's ingestion rate.
  const membership = await joinRing(ctx, ctx.config.distributor.ring, "/distributor/ring", {
    key: "distributor",
    name: "distributor",
    title: "Distributor Ring",
    numTokens: 1,
    autoForgetUnhealthy: true,
  });
  const decoder = new DecodePool(defaultDecodePoolOptions(MAX_DECOMPRESSED_PROFILE_BYTES));
  ctx.stops.push({ name: "distributor", stop: () => decoder.close() });
  const distributor = new Distributor({
    decoder,
    ingester,
    limits: need(ctx, "limits", "distributor"),
    healthyDistributors: () => Math.max(1, membership.ring.healthyInstancesCount(Write)),
    metrics: createDistributorMetrics(server.metrics.registry),
  });
  ctx.distributor = distributor;
  server.rpc((r) => registerPusherService(r, distributor));
  registerIngestRoutes(server, distributor, need(ctx, "limits", "distributor"), ctx.logger.with({ component: "ingest" }));
}
