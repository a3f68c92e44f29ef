/** Picks the KV store a `kvstore:` config names (`-ring.store`). */
import type { Logger } from "../server/logger.js";
import type { KVStoreConfig } from "./config.js";
import { createEtcdKV } from "./etcd-kv.js";
import type { KV } from "./kv.js";

/**
 * The KV for `cfg`: `inmemory` gives back `inmemory`, the one store every ring of the process
 * shares (the caller owns it); `etcd` opens a new client, which the caller closes.
 */
export function createKV(cfg: KVStoreConfig, inmemory: KV, logger?: Logger): KV {
  switch (cfg.store) {
    case "inmemory":
      return inmemory;
    case "etcd":
      if (cfg.etcd.endpoints.length === 0) throw new Error("the etcd KV store needs at least one endpoint (-etcd.endpoints)");
      return createEtcdKV({
        endpoints: cfg.etcd.endpoints,
        prefix: cfg.prefix,
        dialTimeoutMs: cfg.etcd.dial_timeout,
        maxRetries: cfg.etcd.max_retries,
        username: cfg.etcd.username,
        password: cfg.etcd.password,
        ...(logger ? { logger } : {}),
      });
    default:
      throw new Error(`unsupported KV store ${JSON.stringify(cfg.store)}; supported: inmemory, etcd`);
  }
}
