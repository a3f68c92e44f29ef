/**
 * The query-scheduler: query-frontends enqueue querier.v1 calls, querier workers hold
 * streams open and get one call at a time per stream from the per-tenant fair queue.
 *
 * What happens to a call a querier stream took:
 * - answered: the answer goes to the frontend;
 * - the querier said "closing" without answering (it runs nothing received after
 *   closing), or the stream went away before the call was handed over: requeued, as
 *   no querier ran it;
 * - the stream broke after hand-over: answered with `unavailable`. Not requeued: the
 *   querier may be dying of that very query, and the frontend can retry.
 */
import type { Registry } from "prom-client";
import type { Logger } from "../server/logger.js";
import { Channel } from "./channel.js";
import { createSchedulerMetrics } from "./metrics.js";
import type { SchedulerMetrics } from "./metrics.js";
import { FairQueue } from "./queue.js";

/** One querier.v1 call: method name and request bytes. */
export interface QuerierCall {
  method: string;
  payload: Uint8Array;
}

/**
 * The outcome of a call; `code` is a Connect code name ("invalid_argument", "unavailable").
 * "refused": the scheduler is shutting down and ran nothing, so another scheduler may.
 */
export type CallResult =
  | { kind: "ok"; response: Uint8Array }
  | { kind: "error"; code: string; message: string }
  | { kind: "refused"; message: string };

/** A call handed to a querier stream. */
export interface QueryTask {
  queryId: bigint;
  tenant: string;
  call: QuerierCall;
}

/** What a querier stream sends after its hello. */
export type QuerierMessage = { kind: "answer"; queryId: bigint; result: CallResult } | { kind: "closing" };

/** What the scheduler needs. */
export interface QuerySchedulerOptions {
  /** See FairQueueOptions.maxOutstandingPerTenant. */
  maxOutstandingPerTenant: number;
  logger: Logger;
  /** Where the metrics go; none = not exported (tests). */
  registry?: Registry;
}

/** The scheduler state: the queue and the connected querier streams. */
export class QueryScheduler {
  private readonly queue: FairQueue<QuerierCall, CallResult>;
  private readonly streams = new Map<string, number>();
  private readonly stopping = new AbortController();
  private readonly metrics: SchedulerMetrics | undefined;
  private lastQueryId = 0n;

  constructor(private readonly options: QuerySchedulerOptions) {
    this.queue = new FairQueue({ maxOutstandingPerTenant: options.maxOutstandingPerTenant });
    this.metrics = options.registry
      ? createSchedulerMetrics(options.registry, { queueLengths: () => this.queue.lengths(), connectedQueriers: () => this.connectedQueriers() })
      : undefined;
  }

  /**
   * Queues `call` for `tenant` and resolves with its result once a querier ran it. Rejects with
   * LimitExceededError over the tenant's limit, and AbortError when `signal` aborts.
   */
  enqueue(tenant: string, call: QuerierCall, signal?: AbortSignal): Promise<CallResult> {
    return this.queue.enqueue(tenant, call, signal);
  }

  /** Distinct querier ids with an open stream. */
  connectedQueriers(): number {
    return this.streams.size;
  }

  /** Open querier streams, all queriers together. */
  openStreams(): number {
    let n = 0;
    for (const c of this.streams.values()) n += c;
    return n;
  }

  /** Queued requests per tenant. */
  queueLengths(): ReadonlyMap<string, number> {
    return this.queue.lengths();
  }

  /**
   * Serves one querier stream: yields a task, waits for its answer on `messages`, then yields the
   * next. Ends when the querier closes or goes away (`signal`, or `messages` ending) or the
   * scheduler stops.
   */
  async *serveQuerier(querierId: string, messages: AsyncIterable<QuerierMessage>, signal: AbortSignal): AsyncGenerator<QueryTask, void, undefined> {
    // Aborted when this stream must take no more calls: the querier left or closes, or we stop.
    const gone = new AbortController();
    let closing = false;
    const answers = new Channel<{ queryId: bigint; result: CallResult }>();
    const stop = (): void => gone.abort();
    // A torn-down stream may leave `messages` hanging rather than ending: no answer can come now.
    const broken = (): void => {
      gone.abort();
      answers.end();
    };
    signal.addEventListener("abort", broken, { once: true });
    this.stopping.signal.addEventListener("abort", stop, { once: true });
    if (signal.aborted) broken();
    if (this.stopping.signal.aborted) stop();
    // Read concurrently, so that a querier leaving while idle is noticed at once.
    void (async () => {
      try {
        for await (const m of messages) {
          if (m.kind === "closing") {
            closing = true;
            break;
          }
          answers.push(m);
        }
      } catch {
        // A broken stream: closing stays false, and the in-flight call fails below.
      } finally {
        answers.end();
        gone.abort();
      }
    })();

    this.streams.set(querierId, (this.streams.get(querierId) ?? 0) + 1);
    this.options.logger.debug("querier stream connected", { querier: querierId });
    try {
      for (;;) {
        const d = await this.queue.next(gone.signal);
        if (!d) return;
        if (gone.signal.aborted) {
          d.requeue();
          return;
        }
        const queryId = ++this.lastQueryId;
        this.metrics?.queueDuration.observe(Math.max(0, Date.now() - d.enqueuedAtMs) / 1000);
        try {
          yield { queryId, tenant: d.tenant, call: d.request };
          const answer = await answers.take();
          if (answer === undefined) {
            if (closing) d.requeue();
            else d.finish(unavailable(`querier ${querierId} went away while running the query`));
            return;
          }
          if (answer.queryId !== queryId) {
            d.finish({ kind: "error", code: "internal", message: `querier ${querierId} answered query ${answer.queryId}, expected ${queryId}` });
            return;
          }
          d.finish(answer.result);
        } finally {
          // Returning at the yield: the stream was torn down after the hand-over. A querier that
          // said it was closing runs nothing more, so the request goes back to the queue.
          if (closing) d.requeue();
          else d.finish(unavailable(`querier ${querierId} went away while running the query`));
        }
      }
    } finally {
      const n = (this.streams.get(querierId) ?? 1) - 1;
      if (n > 0) this.streams.set(querierId, n);
      else this.streams.delete(querierId);
      signal.removeEventListener("abort", broken);
      this.stopping.signal.removeEventListener("abort", stop);
      this.options.logger.debug("querier stream disconnected", { querier: querierId });
    }
  }

  /** Refuses every queued and later request and ends every querier stream once idle. */
  stop(): void {
    this.queue.close({ kind: "refused", message: "the query-scheduler is shutting down" });
    this.stopping.abort();
  }
}

function unavailable(message: string): CallResult {
  return { kind: "error", code: "unavailable", message };
}
