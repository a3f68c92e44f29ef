/**
 * The ring module: one KV per store config (the in-memory one shared by every ring of the
 * process), the ingester ring as distributors and queriers read it, its status page, and the
 * helper other modules use to take part in a ring of their own (distributor, store-gateway,
 * compactor). In `-target=all` with the in-memory store the ingester ring is a ring of one.
 */
import { networkInterfaces } from "node:os";
import { need } from "../module-context.js";
import type { ModuleContext } from "../module-context.js";
import type { Logger } from "../server/logger.js";
import type { InstanceRingConfig, KVStoreConfig } from "./config.js";
import { ringPage } from "./http.js";
import { createInMemoryKV } from "./inmemory-kv.js";
import type { KV } from "./kv.js";
import { createKV } from "./kv-factory.js";
import { Lifecycler } from "./lifecycler.js";
import { startRing } from "./ring.js";
import type { ReplicationStrategy, Ring, RingOptions } from "./ring.js";

/** The KV key of the ingester ring (dskit's `ring`). */
export const INGESTER_RING_KEY = "ring";

/** What the ring module gives the other modules. */
export interface RingServices {
  /** The KV a ring config names; one client per distinct config, closed on shutdown. */
  kv(cfg: KVStoreConfig): KV;
  /** A ring following `key` in `cfg`'s store; stopped on shutdown. */
  watch(cfg: KVStoreConfig, key: string, options: RingOptions): Promise<Ring>;
  /** The ingester ring (key `ring`). */
  readonly ingesters: Ring;
  /** Whether every ring of the process lives in its memory (no other process can join). */
  readonly local: boolean;
}

/** The address other processes reach this one at: `addr` or the first non-loopback IPv4, and `port` or the HTTP port. */
export function advertisedAddr(addr: string, port: number, httpPort: number): string {
  let host = addr;
  if (host === "") {
    host = "127.0.0.1";
    outer: for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) {
        if (a.family === "IPv4" && !a.internal) {
          host = a.address;
          break outer;
        }
      }
    }
  }
  return `${host}:${port === 0 ? httpPort : port}`;
}

/** Creates the KVs and the ingester ring, and serves `/ring`. */
export async function initRing(ctx: ModuleContext): Promise<void> {
  const server = need(ctx, "server", "ring");
  const logger = ctx.logger.with({ component: "ring" });
  const inmemory = createInMemoryKV();
  const kvs = new Map<string, KV>();
  const watchers: { stop(): Promise<void> }[] = [];
  const kvOf = (cfg: KVStoreConfig): KV => {
    const key = JSON.stringify(cfg);
    let kv = kvs.get(key);
    if (!kv) {
      kv = createKV(cfg, inmemory, logger);
      kvs.set(key, kv);
    }
    return kv;
  };
  ctx.stops.push({
    name: "ring",
    stop: async () => {
      for (const w of watchers) await w.stop();
      for (const kv of kvs.values()) if (kv !== inmemory) await kv.close();
      await inmemory.close();
    },
  });
  const watch = async (cfg: KVStoreConfig, key: string, options: RingOptions): Promise<Ring> => {
    const w = await startRing(kvOf(cfg), key, options, logger);
    watchers.push(w);
    return w.ring;
  };
  const lc = ctx.config.ingester.lifecycler;
  const kvCfg = lc.ring.kvstore;
  const ingesters = await watch(kvCfg, INGESTER_RING_KEY, {
    replicationFactor: lc.ring.replication_factor,
    heartbeatTimeoutMs: lc.ring.heartbeat_timeout,
  });
  const c = ctx.config;
  const local = [kvCfg, c.distributor.ring.kvstore, c.store_gateway.sharding_ring.kvstore, c.compactor.sharding_ring.kvstore].every(
    (k) => k.store === "inmemory",
  );
  ctx.rings = { kv: kvOf, watch, ingesters, local };
  server.route(["GET", "POST"], "/ring", ringPage(ingesters, kvOf(kvCfg), INGESTER_RING_KEY, "Ingester Ring Status"));
}

/** How a component takes part in its ring. */
export interface JoinOptions {
  key: string;
  /** The component, for logs and errors. */
  name: string;
  /** Heading of the status page. */
  title: string;
  /** How replication sets are filtered (the store-gateway ring ignores unhealthy members). */
  strategy?: ReplicationStrategy;
  numTokens: number;
  /** Remove members unhealthy for 10 heartbeat timeouts (the distributor ring does). */
  autoForgetUnhealthy?: boolean;
  onLeaving?: () => Promise<void>;
}

/** A component's membership of its ring; the lifecycler exists once the server listens. */
export interface Membership {
  readonly ring: Ring;
  /** This instance's ring id. */
  readonly id: string;
  lifecycler?: Lifecycler;
}

/**
 * Follows a component ring and serves its status page at `page` now; registers this process in it
 * (ACTIVE at once) once the server listens, so that nobody calls it before it can answer; leaves
 * the ring before the server stops.
 */
export async function joinRing(ctx: ModuleContext, cfg: InstanceRingConfig, page: string, opts: JoinOptions): Promise<Membership> {
  const rings = need(ctx, "rings", opts.name);
  const server = need(ctx, "server", opts.name);
  const logger: Logger = ctx.logger.with({ component: opts.name });
  const ring = await rings.watch(cfg.kvstore, opts.key, {
    replicationFactor: cfg.replication_factor,
    heartbeatTimeoutMs: cfg.heartbeat_timeout,
    ...(opts.strategy ? { strategy: opts.strategy } : {}),
  });
  const kv = rings.kv(cfg.kvstore);
  const m: Membership = { ring, id: cfg.instance_id };
  ctx.afterStart.push({
    name: `${opts.name} ring`,
    start: async (port) => {
      const lifecycler = new Lifecycler({
        kv,
        ringKey: opts.key,
        ringName: opts.name,
        id: cfg.instance_id,
        addr: advertisedAddr(cfg.instance_addr, cfg.instance_port, port),
        numTokens: opts.numTokens,
        heartbeatPeriodMs: cfg.heartbeat_period,
        heartbeatTimeoutMs: cfg.heartbeat_timeout,
        joinAfterMs: 0,
        minReadyDurationMs: 0,
        unregisterOnShutdown: true,
        ...(opts.autoForgetUnhealthy ? { autoForgetUnhealthy: true } : {}),
        ...(opts.onLeaving ? { onLeaving: opts.onLeaving } : {}),
        logger,
      });
      await lifecycler.start();
      m.lifecycler = lifecycler;
      ctx.leaves.push({ name: `${opts.name} ring`, leave: () => lifecycler.stop() });
    },
  });
  server.route(["GET", "POST"], page, ringPage(ring, kv, opts.key, opts.title));
  return m;
}
