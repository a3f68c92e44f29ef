/**
 * The etcd KV (microservices mode), on the `etcd3` client. Keys live under a prefix
 * (`collectors/` like Phlare), values are the ring descriptor's JSON (desc.ts).
 *
 * - CAS is an etcd transaction: put only if the key's mod revision is still the one read (0 when
 *   the key did not exist), retried up to `maxRetries` times as dskit's etcd client does.
 * - A watch reads the key, then watches from the next revision, so no change between the two is
 *   missed. When etcd goes away the client reconnects the watch stream by itself and resumes from
 *   the last revision it saw; until then no values are delivered, so a watcher keeps its last state.
 */
import { Etcd3 } from "etcd3";
import type { IKeyValue, IOptions, Namespace } from "etcd3";
import type { Logger } from "../server/logger.js";
import { decodeRingDesc, encodeRingDesc } from "./desc.js";
import type { RingDesc } from "./desc.js";
import { abortReason, sleepUnlessAborted } from "./kv.js";
import type { CasUpdate, KV } from "./kv.js";

/** How to reach etcd. */
export interface EtcdKVOptions {
  /** host:port (or http://host:port) of each etcd member. */
  endpoints: readonly string[];
  /** Prepended to every key, e.g. "collectors/". */
  prefix: string;
  /** Bound on each request (etcd3 has no connect timeout of its own, so this is a per-call deadline). */
  dialTimeoutMs: number;
  /** CAS attempts before giving up. */
  maxRetries: number;
  /** Password authentication when non-empty. */
  username?: string;
  password?: string;
  logger?: Logger;
}

type WatchBackoff = NonNullable<NonNullable<IOptions["faultHandling"]>["watchBackoff"]>;

// Reconnect a lost watch stream after 0.2s, doubling to 2s: etcd3's default grows to 30s, which
// would leave a ring blind for that long after an etcd restart.
const WATCH_BACKOFF_FIRST_MS = 100;
const WATCH_BACKOFF_MAX_MS = 2000;
// Between re-reads when a watch could not be set up (etcd down, key value undecodable).
const WATCH_RETRY_MS = 1000;

function watchBackoff(durationMs: number): WatchBackoff {
  return { duration: durationMs, next: () => watchBackoff(Math.min(durationMs * 2, WATCH_BACKOFF_MAX_MS)) };
}

/** Waits for `p`, or rejects as soon as `signal` aborts (the etcd3 calls cannot be cancelled). */
function raceAbort<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return p;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

/** Connects to etcd (lazily, on the first call); `close()` releases the connection. */
export function createEtcdKV(opts: EtcdKVOptions): KV {
  const options: IOptions = {
    hosts: [...opts.endpoints],
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + opts.dialTimeoutMs }),
    faultHandling: { watchBackoff: watchBackoff(WATCH_BACKOFF_FIRST_MS) },
  };
  if (opts.username !== undefined && opts.username !== "") {
    options.auth = { username: opts.username, password: opts.password ?? "" };
  }
  const client = new Etcd3(options);
  const ns: Namespace = client.namespace(opts.prefix);
  const closing = new AbortController();
  const log = opts.logger;

  const decode = (kv: IKeyValue | undefined, key: string): RingDesc | undefined => {
    if (kv === undefined) return undefined;
    try {
      return decodeRingDesc(kv.value.toString("utf8"));
    } catch (err) {
      throw new Error(`etcd key ${opts.prefix}${key}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  };

  const get = async (key: string, signal?: AbortSignal): Promise<{ kv: IKeyValue | undefined; revision: string }> => {
    const res = await raceAbort(ns.get(key).exec(), signal);
    return { kv: res.kvs[0], revision: res.header.revision };
  };

  async function cas(key: string, update: CasUpdate, signal?: AbortSignal): Promise<void> {
    let lastErr: unknown;
    for (let attempt = 0; attempt < opts.maxRetries; attempt++) {
      if (signal?.aborted) throw abortReason(signal);
      let kv: IKeyValue | undefined;
      let old: RingDesc | undefined;
      try {
        kv = (await get(key, signal)).kv;
        old = decode(kv, key);
      } catch (err) {
        if (signal?.aborted) throw err;
        lastErr = err;
        continue;
      }
      // An exception from the update aborts the CAS: it is the caller's decision, not a race.
      const next = update(old);
      if (next === undefined) return;
      const text = encodeRingDesc(next);
      if (kv !== undefined && kv.value.toString("utf8") === text) return;
      try {
        const res = await raceAbort(
          ns
            .if(key, "Mod", "==", kv?.mod_revision ?? "0")
            .then(ns.put(key).value(text))
            .commit(),
          signal,
        );
        if (res.succeeded) return;
        log?.debug("etcd CAS lost a race, retrying", { key, attempt });
      } catch (err) {
        if (signal?.aborted) throw err;
        lastErr = err;
      }
    }
    if (lastErr !== undefined) {
      const reason = lastErr instanceof Error ? lastErr.message : String(lastErr);
      throw new Error(`CAS of etcd key ${opts.prefix}${key} failed: ${reason}`, { cause: lastErr });
    }
    throw new Error(`CAS of etcd key ${opts.prefix}${key} failed: ${opts.maxRetries} attempts lost a race with other writers`);
  }

  async function watchKey(key: string, signal: AbortSignal, onValue: (value: RingDesc | undefined) => void): Promise<void> {
    const stop = AbortSignal.any([signal, closing.signal]);
    while (!stop.aborted) {
      try {
        const { kv, revision } = await get(key, stop);
        onValue(decode(kv, key));
        await watchFrom(key, BigInt(revision) + 1n, stop, onValue);
      } catch (err) {
        if (stop.aborted) break;
        log?.warn("etcd watch failed, retrying", { key: `${opts.prefix}${key}`, err });
        await sleepUnlessAborted(WATCH_RETRY_MS, stop).catch(() => undefined);
      }
    }
  }

  /** Delivers changes from `revision` on; resolves when `stop` aborts, rejects when etcd cancels the watch. */
  function watchFrom(key: string, revision: bigint, stop: AbortSignal, onValue: (value: RingDesc | undefined) => void): Promise<void> {
    const watcher = ns.watch().key(key).startRevision(revision.toString()).watcher();
    return new Promise<void>((resolve, reject) => {
      const finish = (err?: unknown): void => {
        stop.removeEventListener("abort", onStop);
        watcher.removeAllListeners();
        // Cancelling waits for etcd's answer, which never comes while etcd is down; do not wait.
        watcher.cancel().catch(() => undefined);
        if (err === undefined) resolve();
        else reject(err);
      };
      const onStop = (): void => finish();
      stop.addEventListener("abort", onStop, { once: true });
      if (stop.aborted) {
        finish();
        return;
      }
      watcher.on("put", (changed: IKeyValue) => {
        try {
          onValue(decode(changed, key));
        } catch (err) {
          log?.error("ignoring undecodable ring value from etcd", { key: `${opts.prefix}${key}`, err });
        }
      });
      watcher.on("delete", () => onValue(undefined));
      // The client retries every few seconds while etcd is down; say so once, and once when it is back.
      let disconnected = false;
      watcher.on("disconnected", (err: unknown) => {
        if (!disconnected) log?.warn("etcd watch disconnected, reconnecting", { key: `${opts.prefix}${key}`, err });
        disconnected = true;
      });
      watcher.on("connected", () => {
        if (disconnected) log?.info("etcd watch reconnected", { key: `${opts.prefix}${key}` });
        disconnected = false;
      });
      // Etcd cancelled the watch (e.g. the revision was compacted away): read the key again.
      watcher.on("error", (err: unknown) => finish(err));
    });
  }

  return {
    async get(key, signal) {
      return decode((await get(key, signal)).kv, key);
    },
    cas,
    watchKey,
    async delete(key, signal) {
      await raceAbort(ns.delete().key(key).exec(), signal);
    },
    async close() {
      closing.abort();
      client.close();
    },
  };
}
