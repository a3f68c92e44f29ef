/**
 * The querier module. With the rings in memory it reads the in-process ingester and
 * store-gateway; with the rings in etcd it reads every healthy ingester and store-gateway of
 * the rings over RPC, deduplicating replicas (src/querier/replicated-reader.ts).
 */
import { need } from "../module-context.js";
import type { ModuleContext } from "../module-context.js";
import type { RingServices } from "../ring/module.js";
import { Read } from "../ring/ring.js";
import type { Ring } from "../ring/ring.js";
import { TransportPool } from "../server/client-pool.js";
import { registerPyroscopeRoutes } from "./pyroscope/routes.js";
import { Querier } from "./querier.js";
import type { ReaderFactory } from "./querier.js";
import { RemoteSource } from "./remote-source.js";
import { ReplicatedReader } from "./replicated-reader.js";
import type { SourceGroup } from "./replicated-reader.js";
import { registerQuerierService } from "./service.js";
import { startWorkerFor } from "../query-scheduler/module.js";

/** Creates the querier; serves querier.v1 and the /pyroscope query routes itself only when no query-frontend runs. */
export async function initQuerier(ctx: ModuleContext): Promise<void> {
  const server = need(ctx, "server", "querier");
  const rings = need(ctx, "rings", "querier");
  let querier: Querier;
  if (rings.local) {
    const ingester = ctx.ingester;
    if (!ingester) {
      throw new Error(
        "the querier has no ingester to read: run one in this process (-target=all) or share the ring through etcd (-ring.store=etcd -etcd.endpoints=…)",
      );
    }
    querier = new Querier({
      ingesters: () => [ingester],
      storeGateways: () => (ctx.storeGateway ? [ctx.storeGateway] : []),
    });
  } else {
    querier = new Querier(await remoteReader(ctx, rings));
  }
  ctx.querier = querier;
  // Pulls queries from the query-schedulers, when they are configured.
  startWorkerFor(ctx, querier);
  if (!ctx.running.has("query-frontend")) {
    const limits = need(ctx, "limits", "querier");
    server.rpc((r) => registerQuerierService(r, querier, limits));
    registerPyroscopeRoutes(server, { api: querier, limits });
  }
}

/** Readers over the rings' healthy ingesters and store-gateways. */
async function remoteReader(ctx: ModuleContext, rings: RingServices): Promise<ReaderFactory> {
  const pool = new TransportPool();
  const sg = ctx.config.store_gateway.sharding_ring;
  const gateways = await rings.watch(sg.kvstore, "store-gateway", {
    replicationFactor: sg.replication_factor,
    heartbeatTimeoutMs: sg.heartbeat_timeout,
    strategy: "ignore-unhealthy",
  });
  const sources = new Map<string, RemoteSource>();
  const source = (addr: string, kind: "ingester" | "store-gateway"): RemoteSource => {
    const key = `${kind} ${addr}`;
    let s = sources.get(key);
    if (!s) sources.set(key, (s = new RemoteSource(addr, pool.get(addr), kind)));
    return s;
  };
  return async (tenant) => {
    const ing = rings.ingesters.getAllHealthy(Read);
    const groups: SourceGroup[] = [{ name: "ingesters", sources: ing.instances.map((i) => source(i.addr, "ingester")), maxErrors: ing.maxErrors }];
    const healthy = healthyMembers(gateways);
    if (healthy.length > 0) {
      // Each block lives on up to RF store-gateways: all but one of its owners may fail.
      const maxErrors = Math.max(0, Math.min(healthy.length, gateways.replicationFactor()) - 1);
      groups.push({ name: "store-gateways", sources: healthy.map((a) => source(a, "store-gateway")), maxErrors });
    }
    return new ReplicatedReader(tenant, groups);
  };
}

/** Addresses of the ring's members healthy for reads, sorted by id. */
function healthyMembers(ring: Ring): string[] {
  const desc = ring.desc();
  return Object.keys(desc.ingesters)
    .sort()
    .map((id) => desc.ingesters[id]!)
    .filter((m) => ring.isHealthy(m, Read))
    .map((m) => m.addr);
}
