/**
 * Keeps one instance registered in a ring, as dskit's Lifecycler (ring/lifecycler.go):
 *
 *   start: PENDING, no tokens (or the tokens file's, straight to ACTIVE when there are enough)
 *     └─ after join-after: take num-tokens random free tokens, ACTIVE
 *   every heartbeat period: timestamp = now (and re-register if the entry vanished, e.g. a wiped KV)
 *   stop: LEAVING → onLeaving hook (the ingester flushes; heartbeats go on) → unregister
 *
 * Every KV write is a CAS computed from the value read, so concurrent members never lose each
 * other's updates. A failed heartbeat is logged and retried at the next period: a KV outage must
 * not take an instance down. Writes run one at a time, in call order.
 */
import type { Logger } from "../server/logger.js";
import { emptyRingDesc } from "./desc.js";
import type { InstanceDesc, InstanceState, RingDesc } from "./desc.js";
import type { KV } from "./kv.js";
import { generateTokens, loadTokensFile, storeTokensFile } from "./tokens.js";

/** How an instance takes part in a ring. */
export interface LifecyclerOptions {
  kv: KV;
  /** The KV key of the ring: "ring" (ingesters), "distributor", "store-gateway". */
  ringKey: string;
  /** For logs, e.g. "ingester". */
  ringName: string;
  /** Instance id, unique in the ring (`-ingester.lifecycler.ID`, the hostname by default). */
  id: string;
  /** host:port that other components call. */
  addr: string;
  zone?: string;
  numTokens: number;
  /** 0 disables heartbeats. */
  heartbeatPeriodMs: number;
  /** The ring's heartbeat timeout: counts healthy members, judges readiness, drives auto-forget; 0 disables. */
  heartbeatTimeoutMs: number;
  joinAfterMs: number;
  /** How long readiness must hold before checkReady passes (it then stays passed). */
  minReadyDurationMs: number;
  /** Where tokens are kept across restarts; "" or undefined keeps none. */
  tokensFilePath?: string;
  unregisterOnShutdown: boolean;
  /** Readiness waits for every member to be ACTIVE and healthy (dskit's default), not only this one. */
  readinessCheckRingHealth?: boolean;
  /** Remove members unhealthy for 10 × the heartbeat timeout at each heartbeat (the distributor ring does). */
  autoForgetUnhealthy?: boolean;
  /** Runs once the instance is LEAVING and before it unregisters; heartbeats continue meanwhile. */
  onLeaving?: () => Promise<void>;
  logger?: Logger;
  /** Clock, for tests; milliseconds since the epoch. */
  nowMs?: () => number;
}

/** Members unhealthy this many heartbeat timeouts are forgotten when auto-forget is on (dskit's factor). */
export const AUTO_FORGET_TIMEOUTS = 10;

const LOG_NOP: Logger = { debug() {}, info() {}, warn() {}, error() {}, with: () => LOG_NOP };

/** One instance's membership of a ring. */
export class Lifecycler {
  private readonly opts: LifecyclerOptions;
  private readonly log: Logger;
  private readonly now: () => number;
  private currentState: InstanceState = "PENDING";
  private currentTokens: number[] = [];
  private registeredAtSec = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private joinTimer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private readySinceMs: number | undefined;
  private ready = false;
  private counters = { instances: 0, healthy: 0, zones: 0 };

  constructor(opts: LifecyclerOptions) {
    this.opts = opts;
    this.log = (opts.logger ?? LOG_NOP).with({ ring: opts.ringName });
    this.now = opts.nowMs ?? Date.now;
  }

  /** The state this instance holds (and writes at each heartbeat). */
  state(): InstanceState {
    return this.currentState;
  }

  /** This instance's tokens, ascending. */
  tokens(): readonly number[] {
    return this.currentTokens;
  }

  /** Members in the ring as of the last successful write. */
  instancesCount(): number {
    return this.counters.instances;
  }

  /** ACTIVE members with a fresh heartbeat as of the last successful write (the distributor divides rate limits by it). */
  healthyInstancesCount(): number {
    return this.counters.healthy;
  }

  /** Registers the instance (rejects when the KV cannot be written at start, as dskit does) and starts heartbeats. */
  async start(): Promise<void> {
    if (this.running || this.stopped) throw new Error(`lifecycler of ${this.opts.ringName} already started`);
    const fromFile = await this.loadTokens();
    await this.serial(() => this.initRing(fromFile));
    this.running = true;
    if (this.currentState === "PENDING") {
      this.joinTimer = setTimeout(() => void this.serial(() => this.autoJoin()).catch((err: unknown) => this.log.error("failed to join the ring", { err })), this.opts.joinAfterMs);
      this.joinTimer.unref();
    }
    this.scheduleHeartbeat();
  }

  /**
   * Goes LEAVING, runs the onLeaving hook while still heartbeating, then unregisters (when
   * configured). Rejects only when the unregistering write fails; the instance then stays LEAVING
   * in the ring until someone forgets it.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.joinTimer);
    if (!this.running) return;
    if (this.currentState === "ACTIVE") {
      // Set first: if this write fails, the heartbeats during the hook still carry LEAVING.
      this.currentState = "LEAVING";
      await this.serial(() => this.heartbeat()).catch((err: unknown) => this.log.error("failed to set state to LEAVING", { err }));
    } else {
      this.log.warn("not changing state to LEAVING on shutdown", { state: this.currentState });
    }
    try {
      await this.opts.onLeaving?.();
    } catch (err) {
      this.log.error("shutdown hook failed", { err });
    }
    this.running = false;
    clearTimeout(this.heartbeatTimer);
    await this.queue.catch(() => undefined);
    if (this.opts.unregisterOnShutdown) {
      await this.serial(() => this.unregister());
      this.log.info("instance removed from the KV store");
    }
  }

  /**
   * Resolves when the instance may report ready: it owns tokens, the ring (or only this instance,
   * without readinessCheckRingHealth) is ACTIVE and healthy, and that has held for min-ready-duration.
   * Rejects with the reason otherwise. Once passed it stays passed, as in dskit.
   */
  async checkReady(): Promise<void> {
    if (this.ready) return;
    try {
      if (this.currentTokens.length === 0) throw new Error("this instance owns no tokens");
      const desc = await this.opts.kv.get(this.opts.ringKey);
      if (desc === undefined) throw new Error("no ring returned from the KV store");
      const nowMs = this.now();
      const members = this.opts.readinessCheckRingHealth === false ? [this.opts.id] : Object.keys(desc.ingesters);
      for (const id of members) {
        const inst = desc.ingesters[id];
        if (inst === undefined) throw new Error(`instance ${id} not found in the ring`);
        if (!this.heartbeatHealthy(inst, nowMs)) throw new Error(`instance ${inst.addr} past heartbeat timeout`);
        if (inst.state !== "ACTIVE") throw new Error(`instance ${inst.addr} in state ${inst.state}`);
      }
    } catch (err) {
      this.readySinceMs = undefined;
      throw err;
    }
    this.readySinceMs ??= this.now();
    if (this.now() - this.readySinceMs < this.opts.minReadyDurationMs) {
      throw new Error(`waiting for ${this.opts.minReadyDurationMs}ms after being ready`);
    }
    this.ready = true;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private heartbeatHealthy(inst: InstanceDesc, nowMs: number): boolean {
    return this.opts.heartbeatTimeoutMs === 0 || nowMs - inst.timestamp * 1000 <= this.opts.heartbeatTimeoutMs;
  }

  private nowSec(): number {
    return Math.floor(this.now() / 1000);
  }

  private async loadTokens(): Promise<number[]> {
    const path = this.opts.tokensFilePath;
    if (path === undefined || path === "") return [];
    try {
      return (await loadTokensFile(path)) ?? [];
    } catch (err) {
      this.log.error("error loading tokens from file", { path, err });
      return [];
    }
  }

  private async saveTokens(): Promise<void> {
    const path = this.opts.tokensFilePath;
    if (path === undefined || path === "") return;
    try {
      await storeTokensFile(path, this.currentTokens);
    } catch (err) {
      this.log.error("error storing tokens to disk", { path, err });
    }
  }

  private entry(state: InstanceState, tokens: number[], registeredAtSec: number): InstanceDesc {
    const zone = this.opts.zone ?? "";
    return { addr: this.opts.addr, timestamp: this.nowSec(), state, tokens, registered_timestamp: registeredAtSec, ...(zone !== "" ? { zone } : {}) };
  }

  /** First write: adopt the ring's entry for this id if there is one, else add one (dskit's initRing). */
  private async initRing(fromFile: number[]): Promise<void> {
    let state: InstanceState = "PENDING";
    let tokens: number[] = [];
    let registeredAt = 0;
    let desc: RingDesc | undefined;
    await this.opts.kv.cas(this.opts.ringKey, (old) => {
      desc = old ?? emptyRingDesc();
      const inst = desc.ingesters[this.opts.id];
      if (inst === undefined) {
        registeredAt = this.nowSec();
        tokens = fromFile;
        state = fromFile.length > 0 && fromFile.length >= this.opts.numTokens ? "ACTIVE" : "PENDING";
        desc.ingesters[this.opts.id] = this.entry(state, tokens, registeredAt);
        return desc;
      }
      registeredAt = inst.registered_timestamp;
      if (inst.state === "JOINING") {
        // A crash during an earlier start: begin again from PENDING.
        this.log.warn("instance found in ring as JOINING, setting to PENDING");
        state = "PENDING";
        tokens = [];
        inst.state = "PENDING";
        return desc;
      }
      tokens = inst.tokens;
      state = inst.state;
      if (inst.state === "LEAVING") {
        // A shutdown that did not unregister (or unregister-on-shutdown=false): come back ACTIVE with num-tokens tokens.
        state = "ACTIVE";
        if (tokens.length !== this.opts.numTokens) {
          if (fromFile.length > this.opts.numTokens) tokens = fromFile;
          else if (tokens.length < this.opts.numTokens) tokens = [...tokens, ...generateTokens(this.opts.numTokens - tokens.length, allTokens(desc))].sort((a, b) => a - b);
          else tokens = tokens.slice(0, this.opts.numTokens);
        }
      }
      const next = this.entry(state, tokens, registeredAt);
      this.log.info("existing entry found in ring", { state, tokens: tokens.length });
      if (sameEntry(inst, next)) return undefined;
      desc.ingesters[this.opts.id] = next;
      return desc;
    });
    this.currentTokens = tokens;
    this.registeredAtSec = registeredAt;
    if (tokens.length > 0) await this.saveTokens();
    this.currentState = state;
    if (desc !== undefined) this.updateCounters(desc);
  }

  /** Join-after expired while PENDING: take free tokens and go ACTIVE (dskit's autoJoin). */
  private async autoJoin(): Promise<void> {
    if (!this.running || this.stopped || this.currentState !== "PENDING") return;
    this.log.info("auto-joining cluster after timeout");
    let tokens: number[] = [];
    let desc: RingDesc | undefined;
    await this.opts.kv.cas(this.opts.ringKey, (old) => {
      desc = old ?? emptyRingDesc();
      const mine = desc.ingesters[this.opts.id]?.tokens ?? [];
      if (mine.length > 0) this.log.warn("tokens already exist for this instance - wasn't expecting any!", { num_tokens: mine.length });
      const fresh = generateTokens(Math.max(0, this.opts.numTokens - mine.length), allTokens(desc));
      tokens = [...mine, ...fresh].sort((a, b) => a - b);
      desc.ingesters[this.opts.id] = this.entry("ACTIVE", tokens, this.registeredAtSec);
      return desc;
    });
    // Tokens reach the file before the state says ACTIVE, so an ACTIVE instance can always restart with them.
    this.currentTokens = tokens;
    await this.saveTokens();
    this.currentState = "ACTIVE";
    if (desc !== undefined) this.updateCounters(desc);
  }

  private scheduleHeartbeat(): void {
    if (this.opts.heartbeatPeriodMs <= 0 || !this.running) return;
    this.heartbeatTimer = setTimeout(() => {
      void this.serial(() => this.heartbeat())
        .catch((err: unknown) => this.log.error("failed to write to the KV store, sleeping", { err }))
        .finally(() => this.scheduleHeartbeat());
    }, this.opts.heartbeatPeriodMs);
    this.heartbeatTimer.unref();
  }

  /** Writes this instance's entry with a fresh timestamp and its current state (dskit's updateConsul). */
  private async heartbeat(): Promise<void> {
    const state = this.currentState;
    let desc: RingDesc | undefined;
    let registeredAt = this.registeredAtSec;
    await this.opts.kv.cas(this.opts.ringKey, (old) => {
      desc = old ?? emptyRingDesc();
      registeredAt = this.registeredAtSec;
      const existing = desc.ingesters[this.opts.id];
      if (existing === undefined) {
        // The entry is gone (KV wiped, or forgotten): register again, as of now, with the tokens we hold.
        this.log.info("instance is missing in the ring, registering it again");
        registeredAt = this.nowSec();
      }
      // Like dskit, a heartbeat keeps the tokens the ring holds for us.
      desc.ingesters[this.opts.id] = this.entry(state, existing?.tokens ?? this.currentTokens, registeredAt);
      if (this.opts.autoForgetUnhealthy === true && this.opts.heartbeatTimeoutMs > 0) this.forgetUnhealthy(desc);
      return desc;
    });
    this.registeredAtSec = registeredAt;
    if (desc !== undefined) this.updateCounters(desc);
  }

  private forgetUnhealthy(desc: RingDesc): void {
    const limitMs = AUTO_FORGET_TIMEOUTS * this.opts.heartbeatTimeoutMs;
    const nowMs = this.now();
    for (const [id, inst] of Object.entries(desc.ingesters)) {
      if (id !== this.opts.id && nowMs - inst.timestamp * 1000 > limitMs) {
        this.log.warn("auto-forgetting instance from the ring because it is unhealthy for a long time", { instance: id, last_heartbeat: inst.timestamp });
        delete desc.ingesters[id];
      }
    }
  }

  private async unregister(): Promise<void> {
    await this.opts.kv.cas(this.opts.ringKey, (old) => {
      if (old === undefined) throw new Error("found empty ring when trying to unregister");
      delete old.ingesters[this.opts.id];
      return old;
    });
  }

  private updateCounters(desc: RingDesc): void {
    const nowMs = this.now();
    const zones = new Set<string>();
    let healthy = 0;
    const members = Object.values(desc.ingesters);
    for (const inst of members) {
      zones.add(inst.zone ?? "");
      if (inst.state === "ACTIVE" && this.heartbeatHealthy(inst, nowMs)) healthy++;
    }
    this.counters = { instances: members.length, healthy, zones: zones.size };
  }
}

function allTokens(desc: RingDesc): number[] {
  return Object.values(desc.ingesters).flatMap((i) => i.tokens);
}

function sameEntry(a: InstanceDesc, b: InstanceDesc): boolean {
  return (
    a.addr === b.addr &&
    a.state === b.state &&
    (a.zone ?? "") === (b.zone ?? "") &&
    a.registered_timestamp === b.registered_timestamp &&
    a.tokens.length === b.tokens.length &&
    a.tokens.every((t, i) => t === b.tokens[i])
  );
}
