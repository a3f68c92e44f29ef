/**
 * The query-scheduler's queue: one FIFO per tenant, served round-robin over the tenants
 * that have requests queued, so a tenant with a thousand queued requests delays another
 * tenant's single request by at most one turn. Queriers wait in FIFO order for the next
 * request; a request goes straight to a waiting querier (the queues are then empty).
 *
 * A request is queued until a querier takes it, then dispatched until answered. Only
 * queued requests count against max outstanding requests per tenant, as in Phlare: one
 * a querier runs no longer waits for a turn. Pure: no I/O, no timers.
 */
import { LimitExceededError } from "../model/errors.js";

/** Options of a FairQueue. */
export interface FairQueueOptions {
  /** Most requests one tenant may have queued; more fail with LimitExceededError (HTTP 429). ≤ 0 = no limit. */
  maxOutstandingPerTenant: number;
  /** Clock of enqueuedAtMs, milliseconds since epoch. */
  nowMs?: () => number;
}

/** A request handed to a querier. Exactly one of finish / requeue settles it; later calls do nothing. */
export interface Dispatched<Req, Res> {
  readonly tenant: string;
  readonly request: Req;
  /** When the request was enqueued, milliseconds since epoch. */
  readonly enqueuedAtMs: number;
  /** True while the enqueuer still waits: not cancelled and not answered. */
  readonly pending: boolean;
  /** Answers the enqueuer. */
  finish(result: Res): void;
  /** Puts the request back at the head of its tenant's queue: for a querier that never saw it. */
  requeue(): void;
}

type State = "queued" | "dispatched" | "done";

interface Entry<Req, Res> {
  tenant: string;
  request: Req;
  enqueuedAtMs: number;
  state: State;
  resolve: (r: Res) => void;
  reject: (err: unknown) => void;
  detach: () => void;
}

interface Waiter<Req, Res> {
  give: (d: Dispatched<Req, Res> | undefined) => void;
}

/** The message of the error an enqueue over the limit fails with (Phlare's ErrTooManyRequests). */
export const TOO_MANY_OUTSTANDING = "too many outstanding requests";

/** A per-tenant fair queue of requests of type Req answered with Res. */
export class FairQueue<Req, Res> {
  private readonly queues = new Map<string, Entry<Req, Res>[]>();
  /** Tenants with queued requests, in round-robin order; `cursor` is the next one served. */
  private readonly ring: string[] = [];
  private cursor = 0;
  private readonly waiters: Waiter<Req, Res>[] = [];
  private closedWith: { answer: Res } | undefined;

  constructor(private readonly options: FairQueueOptions) {}

  /**
   * Queues a request; resolves with its answer. Rejects with LimitExceededError when the tenant
   * already has max outstanding requests queued, and with an AbortError once `signal` aborts (the
   * request leaves the queue, or its answer is dropped when a querier runs it).
   */
  enqueue(tenant: string, request: Req, signal?: AbortSignal): Promise<Res> {
    if (this.closedWith) return Promise.resolve(this.closedWith.answer);
    if (signal?.aborted) return Promise.reject(abortError());
    const queue = this.queues.get(tenant);
    const max = this.options.maxOutstandingPerTenant;
    if (max > 0 && (queue?.length ?? 0) >= max) {
      return Promise.reject(new LimitExceededError("too_many_requests", TOO_MANY_OUTSTANDING));
    }
    return new Promise<Res>((resolve, reject) => {
      const entry: Entry<Req, Res> = {
        tenant,
        request,
        enqueuedAtMs: (this.options.nowMs ?? Date.now)(),
        state: "queued",
        resolve,
        reject,
        detach: () => undefined,
      };
      if (signal) {
        const onAbort = (): void => this.cancel(entry);
        signal.addEventListener("abort", onAbort, { once: true });
        entry.detach = () => signal.removeEventListener("abort", onAbort);
      }
      this.append(entry, false);
      this.pump();
    });
  }

  /**
   * The next request by round-robin over tenants, waiting for one when none is queued; undefined
   * when `signal` aborts first (the querier went away) or the queue closes.
   */
  next(signal?: AbortSignal): Promise<Dispatched<Req, Res> | undefined> {
    if (this.closedWith || signal?.aborted) return Promise.resolve(undefined);
    const entry = this.take();
    if (entry) return Promise.resolve(this.dispatch(entry));
    return new Promise((resolve) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(undefined);
      };
      const waiter: Waiter<Req, Res> = {
        give: (d) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(d);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Number of queued (not dispatched) requests of each tenant that has any. */
  lengths(): Map<string, number> {
    return new Map([...this.queues].map(([t, q]) => [t, q.length]));
  }

  /** Number of queued requests of `tenant`. */
  length(tenant: string): number {
    return this.queues.get(tenant)?.length ?? 0;
  }

  /** Number of queriers waiting for a request. */
  get waitingQueriers(): number {
    return this.waiters.length;
  }

  /**
   * Answers every queued request and every later enqueue with `answer`, and ends every wait
   * for a request. Dispatched requests are left to whoever holds them.
   */
  close(answer: Res): void {
    if (this.closedWith) return;
    this.closedWith = { answer };
    for (const queue of this.queues.values()) {
      for (const e of queue) this.settle(e, () => e.resolve(answer));
    }
    this.queues.clear();
    this.ring.length = 0;
    this.cursor = 0;
    for (const w of this.waiters.splice(0)) w.give(undefined);
  }

  private append(entry: Entry<Req, Res>, atHead: boolean): void {
    let queue = this.queues.get(entry.tenant);
    if (!queue) {
      queue = [];
      this.queues.set(entry.tenant, queue);
      // A new tenant waits for the others' turn; one back from a requeue is placed below.
      if (atHead) this.ring.splice(this.cursor, 0, entry.tenant);
      else this.ring.push(entry.tenant);
    }
    if (atHead) {
      queue.unshift(entry);
      // The tenant's turn was not used: it is served next.
      this.cursor = this.ring.indexOf(entry.tenant);
    } else {
      queue.push(entry);
    }
  }

  /** Hands queued requests to waiting queriers while there are both. */
  private pump(): void {
    while (this.waiters.length > 0) {
      const entry = this.take();
      if (!entry) return;
      this.waiters.shift()!.give(this.dispatch(entry));
    }
  }

  /** Removes and returns the head of the tenant at the cursor, advancing the cursor. */
  private take(): Entry<Req, Res> | undefined {
    if (this.ring.length === 0) return undefined;
    if (this.cursor >= this.ring.length) this.cursor = 0;
    const tenant = this.ring[this.cursor]!;
    const queue = this.queues.get(tenant)!;
    const entry = queue.shift()!;
    if (queue.length === 0) {
      this.queues.delete(tenant);
      this.ring.splice(this.cursor, 1);
    } else {
      this.cursor++;
    }
    if (this.cursor >= this.ring.length) this.cursor = 0;
    return entry;
  }

  private dispatch(entry: Entry<Req, Res>): Dispatched<Req, Res> {
    entry.state = "dispatched";
    return {
      tenant: entry.tenant,
      request: entry.request,
      enqueuedAtMs: entry.enqueuedAtMs,
      get pending() {
        return entry.state === "dispatched";
      },
      finish: (result) => {
        if (entry.state === "dispatched") this.settle(entry, () => entry.resolve(result));
      },
      requeue: () => {
        if (entry.state !== "dispatched") return;
        if (this.closedWith) {
          const answer = this.closedWith.answer;
          this.settle(entry, () => entry.resolve(answer));
          return;
        }
        entry.state = "queued";
        this.append(entry, true);
        this.pump();
      },
    };
  }

  private cancel(entry: Entry<Req, Res>): void {
    if (entry.state === "done") return;
    if (entry.state === "queued") this.remove(entry);
    this.settle(entry, () => entry.reject(abortError()));
  }

  private remove(entry: Entry<Req, Res>): void {
    const queue = this.queues.get(entry.tenant);
    if (!queue) return;
    const i = queue.indexOf(entry);
    if (i >= 0) queue.splice(i, 1);
    if (queue.length > 0) return;
    this.queues.delete(entry.tenant);
    const at = this.ring.indexOf(entry.tenant);
    this.ring.splice(at, 1);
    if (at < this.cursor) this.cursor--;
    if (this.cursor >= this.ring.length) this.cursor = 0;
  }

  private settle(entry: Entry<Req, Res>, answer: () => void): void {
    entry.state = "done";
    entry.detach();
    answer();
  }
}

/** The error a cancelled request rejects with (connect canceled, HTTP 499). */
function abortError(): Error {
  return new DOMException("the request was cancelled", "AbortError");
}
