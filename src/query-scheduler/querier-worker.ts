/**
 * The querier's side of the query-scheduler: streams to every scheduler that take one
 * querier.v1 call at a time, run it on the in-process QuerierApi (the same dispatch as
 * the querier.v1 service) and send the answer back.
 *
 * Concurrency: max_concurrent streams in all, spread over the schedulers as Phlare's
 * worker does (each gets max/n, the first max%n one more, and every scheduler at least
 * one), so the querier runs at most max_concurrent queries whenever there are no more
 * schedulers than that. A stream that breaks reconnects after a backoff (doubling from
 * backoffMinMs to backoffMaxMs), which is how a restarted scheduler gets its queriers back.
 *
 * stop() is graceful: idle streams say "closing" at once; busy ones finish their query,
 * answer, then say "closing". Streams still open after stopTimeoutMs are cut.
 */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { QuerierToSchedulerSchema } from "../gen/scheduler/v1/scheduler_pb.js";
import type { QuerierToScheduler, QueryResult, SchedulerToQuerier } from "../gen/scheduler/v1/scheduler_pb.js";
import type { QuerierApi } from "../querier/api.js";
import { createQuerierCalls, dispatchQuerierCall, requestedMaxNodes } from "../querier/service.js";
import type { QuerierCalls } from "../querier/service.js";
import { codeOf } from "../server/errors.js";
import type { Logger } from "../server/logger.js";
import { Channel } from "./channel.js";
import { SchedulerDiscovery } from "./discovery.js";
import type { DiscoveryMode, Lookup } from "./discovery.js";
import { connectScheduler } from "./remote.js";
import type { SchedulerConnection } from "./remote.js";
import { toPbResult } from "./service.js";

/** What a querier worker needs. */
export interface QuerierWorkerOptions {
  /** "host:port" of each query-scheduler. */
  addresses: readonly string[];
  /** Queries this querier runs at once, over all schedulers (`-querier.max-concurrent`). */
  maxConcurrent: number;
  querier: QuerierApi;
  logger: Logger;
  /** Names this querier to the schedulers. */
  id: string;
  /** `-query-scheduler.service-discovery-mode`; "ring" by default. */
  discoveryMode?: DiscoveryMode;
  /** How long stop() lets in-flight queries finish before cutting their streams, milliseconds. */
  stopTimeoutMs?: number;
  /** Reconnect backoff bounds, milliseconds. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** dns mode's resolver (tests). */
  lookup?: Lookup;
  /** Opens a connection to a target (tests). */
  connect?: (target: string) => SchedulerConnection;
}

/** A running querier worker. */
export interface QuerierWorker {
  /** Stops taking queries, lets in-flight ones finish (up to stopTimeoutMs), then closes. */
  stop(): Promise<void>;
}

/** Defaults of the optional timings, milliseconds. */
export const WORKER_DEFAULTS = { stopTimeoutMs: 30_000, backoffMinMs: 100, backoffMaxMs: 1_000 } as const;

/** Streams per target for `maxConcurrent` over `targets` schedulers, Phlare's split. */
export function concurrencyPerTarget(maxConcurrent: number, targets: number): number[] {
  const base = Math.floor(maxConcurrent / targets);
  const extra = maxConcurrent % targets;
  return Array.from({ length: targets }, (_, i) => Math.max(1, base + (i < extra ? 1 : 0)));
}

/** Starts pulling queries from the schedulers at `options.addresses`. */
export function startQuerierWorker(options: QuerierWorkerOptions): QuerierWorker {
  const logger = options.logger.with({ component: "querier-worker" });
  const calls = createQuerierCalls(options.querier, requestedMaxNodes);
  const discovery = new SchedulerDiscovery({
    addresses: options.addresses,
    mode: options.discoveryMode ?? "ring",
    logger,
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
  const ctx: LoopContext = {
    id: options.id,
    logger,
    calls,
    backoffMinMs: options.backoffMinMs ?? WORKER_DEFAULTS.backoffMinMs,
    backoffMaxMs: options.backoffMaxMs ?? WORKER_DEFAULTS.backoffMaxMs,
  };
  const targets = new Map<string, { connection: SchedulerConnection; loops: StreamLoop[] }>();
  // Every loop not finished yet and every connection not closed yet, retired ones included.
  const live = new Set<StreamLoop>();
  const connections = new Set<SchedulerConnection>();
  let stopping = false;

  const spawn = (connection: SchedulerConnection): StreamLoop => {
    const loop = new StreamLoop(connection, ctx);
    live.add(loop);
    void loop.done.then(() => live.delete(loop));
    return loop;
  };
  const reconcile = (want: readonly string[]): void => {
    if (stopping) return;
    for (const [target, t] of targets) {
      if (want.includes(target)) continue;
      targets.delete(target);
      for (const l of t.loops) l.stop();
      void Promise.all(t.loops.map((l) => l.done)).then(() => {
        t.connection.close();
        connections.delete(t.connection);
      });
    }
    const counts = concurrencyPerTarget(options.maxConcurrent, want.length);
    want.forEach((target, i) => {
      let t = targets.get(target);
      if (!t) {
        const connection = (options.connect ?? connectScheduler)(target);
        connections.add(connection);
        t = { connection, loops: [] };
        targets.set(target, t);
        logger.info("connecting to query-scheduler", { target, streams: counts[i] });
      }
      while (t.loops.length < counts[i]!) t.loops.push(spawn(t.connection));
      for (const l of t.loops.splice(counts[i]!)) l.stop();
    });
  };
  discovery.subscribe(reconcile);
  void discovery.start();

  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      discovery.stop();
      targets.clear();
      const loops = [...live];
      for (const l of loops) l.stop();
      const finished = Promise.all(loops.map((l) => l.done));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        finished.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), options.stopTimeoutMs ?? WORKER_DEFAULTS.stopTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        // A query still running after its stream is cut has nobody to answer: it is not awaited.
        logger.warn("in-flight queries did not finish in time; closing their streams");
        for (const l of loops) l.kill();
      }
      for (const c of connections) c.close();
      connections.clear();
    },
  };
}

/** What every stream loop of a worker shares. */
interface LoopContext {
  id: string;
  logger: Logger;
  calls: QuerierCalls;
  backoffMinMs: number;
  backoffMaxMs: number;
}

/** One QuerierLoop stream, reconnected until stopped. */
class StreamLoop {
  readonly done: Promise<void>;
  private stopping = false;
  private busy = false;
  private closingSent = false;
  private outbox: Channel<QuerierToScheduler> | undefined;
  private readonly aborter = new AbortController();
  private wake: (() => void) | undefined;

  constructor(
    private readonly conn: SchedulerConnection,
    private readonly ctx: LoopContext,
  ) {
    this.done = this.run();
  }

  /** Graceful: closes now when idle, after the running query otherwise. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.wake?.();
    if (!this.busy) this.sendClosing();
  }

  /** Cuts the stream, whatever it is doing. */
  kill(): void {
    this.stop();
    this.aborter.abort();
  }

  private async run(): Promise<void> {
    let backoffMs = this.ctx.backoffMinMs;
    while (!this.stopping) {
      const outbox = new Channel<QuerierToScheduler>();
      this.outbox = outbox;
      this.closingSent = false;
      outbox.push(create(QuerierToSchedulerSchema, { msg: { case: "hello", value: { querierId: this.ctx.id } } }));
      const openedAt = Date.now();
      try {
        for await (const m of this.conn.client.querierLoop(outbox, { signal: this.aborter.signal })) {
          backoffMs = this.ctx.backoffMinMs;
          // The scheduler requeues what it sent after our closing: running it would be wasted.
          if (this.closingSent) continue;
          this.busy = true;
          const result = await this.execute(m);
          this.busy = false;
          outbox.push(create(QuerierToSchedulerSchema, { msg: { case: "answer", value: { queryId: m.queryId, result } } }));
          if (this.stopping) this.sendClosing();
        }
      } catch (err) {
        if (!this.stopping) {
          this.ctx.logger.warn("query-scheduler stream broke; reconnecting", { target: this.conn.target, err: messageOf(err) });
        }
      } finally {
        this.busy = false;
        outbox.end();
      }
      if (this.stopping) return;
      if (Date.now() - openedAt > this.ctx.backoffMaxMs) backoffMs = this.ctx.backoffMinMs;
      await this.sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, this.ctx.backoffMaxMs);
    }
  }

  private sendClosing(): void {
    if (this.closingSent || !this.outbox) return;
    this.closingSent = true;
    this.outbox.push(create(QuerierToSchedulerSchema, { msg: { case: "closing", value: {} } }));
    this.outbox.end();
  }

  private async execute(m: SchedulerToQuerier): Promise<QueryResult> {
    try {
      const response = await dispatchQuerierCall(this.ctx.calls, m.tenant, m.request?.method ?? "", m.request?.payload ?? new Uint8Array(0));
      return toPbResult({ kind: "ok", response });
    } catch (err) {
      const code = codeOf(err);
      if (code === Code.Internal || code === Code.Unknown) {
        this.ctx.logger.error("query failed", { tenant: m.tenant, method: m.request?.method, err: err instanceof Error ? err.stack : String(err) });
      }
      return toPbResult({ kind: "error", code: codeToString(code), message: messageOf(err) });
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/** An error's message without the "[code]" prefix ConnectError adds. */
function messageOf(err: unknown): string {
  if (err instanceof ConnectError) return err.rawMessage;
  return err instanceof Error ? err.message : String(err);
}
