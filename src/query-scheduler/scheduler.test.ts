import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Registry } from "prom-client";
import { LimitExceededError } from "../model/errors.js";
import { nopLogger } from "../server/logger.js";
import { Channel } from "./channel.js";
import { QueryScheduler } from "./scheduler.js";
import type { CallResult, QuerierMessage, QueryTask } from "./scheduler.js";

const call = (name: string): { method: string; payload: Uint8Array } => ({ method: name, payload: new TextEncoder().encode(name) });
const ok = (text: string): CallResult => ({ kind: "ok", response: new TextEncoder().encode(text) });

interface TestStream {
  inbox: Channel<QuerierMessage>;
  abort: AbortController;
  /** The next task, or undefined once the stream ended. */
  next(): Promise<QueryTask | undefined>;
}

function openStream(s: QueryScheduler, querierId: string): TestStream {
  const inbox = new Channel<QuerierMessage>();
  const abort = new AbortController();
  const gen = s.serveQuerier(querierId, inbox, abort.signal);
  return {
    inbox,
    abort,
    next: async () => {
      const r = await gen.next();
      return r.done ? undefined : r.value;
    },
  };
}

function scheduler(maxOutstandingPerTenant = 100, registry?: Registry): QueryScheduler {
  return new QueryScheduler({ maxOutstandingPerTenant, logger: nopLogger(), ...(registry ? { registry } : {}) });
}

describe("QueryScheduler", () => {
  it("hands a call to a querier stream and its answer to the enqueuer", async () => {
    const s = scheduler();
    const q = openStream(s, "q1");
    const answer = s.enqueue("t1", call("LabelNames"));
    const task = await q.next();
    assert.equal(task?.tenant, "t1");
    assert.equal(task?.call.method, "LabelNames");
    q.inbox.push({ kind: "answer", queryId: task!.queryId, result: ok("names") });
    const after = q.next();
    assert.deepEqual(await answer, ok("names"));
    q.abort.abort();
    assert.equal(await after, undefined);
    assert.equal(s.connectedQueriers(), 0);
  });

  it("answers unavailable when the stream breaks while the querier runs the call", async () => {
    const s = scheduler();
    const q = openStream(s, "q1");
    const answer = s.enqueue("t1", call("SelectMergeStacktraces"));
    await q.next();
    q.inbox.end();
    assert.equal(await q.next(), undefined);
    const r = await answer;
    assert.equal(r.kind, "error");
    assert.equal(r.kind === "error" && r.code, "unavailable");
  });

  it("requeues a call the querier received after saying closing", async () => {
    const s = scheduler();
    const closing = openStream(s, "q1");
    const answer = s.enqueue("t1", call("Series"));
    const lost = await closing.next();
    assert.ok(lost);
    closing.inbox.push({ kind: "closing" });
    assert.equal(await closing.next(), undefined);
    const other = openStream(s, "q2");
    const task = await other.next();
    assert.equal(task?.call.method, "Series");
    assert.notEqual(task?.queryId, lost.queryId);
    other.inbox.push({ kind: "answer", queryId: task!.queryId, result: ok("series") });
    void other.next();
    assert.deepEqual(await answer, ok("series"));
    other.abort.abort();
  });

  it("does not give a call to a stream that went away while idle", async () => {
    const s = scheduler();
    const gone = openStream(s, "gone");
    const ended = gone.next();
    gone.abort.abort();
    assert.equal(await ended, undefined);
    const answer = s.enqueue("t1", call("LabelNames"));
    assert.equal(s.queueLengths().get("t1"), 1);
    const q = openStream(s, "q2");
    const task = await q.next();
    q.inbox.push({ kind: "answer", queryId: task!.queryId, result: ok("x") });
    void q.next();
    assert.deepEqual(await answer, ok("x"));
    q.abort.abort();
  });

  it("fails a call answered with the wrong query id", async () => {
    const s = scheduler();
    const q = openStream(s, "q1");
    const answer = s.enqueue("t1", call("LabelNames"));
    const task = await q.next();
    q.inbox.push({ kind: "answer", queryId: task!.queryId + 1n, result: ok("x") });
    assert.equal(await q.next(), undefined);
    const r = await answer;
    assert.equal(r.kind === "error" && r.code, "internal");
  });

  it("rejects a tenant over max outstanding requests with LimitExceededError; stop refuses the queued one", async () => {
    const s = scheduler(1);
    const first = s.enqueue("t1", call("a"));
    await assert.rejects(s.enqueue("t1", call("b")), LimitExceededError);
    s.stop();
    assert.equal((await first).kind, "refused");
  });

  it("stop refuses queued and later calls, ends idle streams and lets a running call finish", async () => {
    const s = scheduler();
    const busy = openStream(s, "q1");
    const running = s.enqueue("t1", call("a"));
    const task = await busy.next();
    const idle = openStream(s, "q2");
    const ended = idle.next();
    s.stop();
    assert.equal(await ended, undefined);
    assert.equal((await s.enqueue("t1", call("c"))).kind, "refused");
    busy.inbox.push({ kind: "answer", queryId: task!.queryId, result: ok("a") });
    assert.equal(await busy.next(), undefined);
    assert.deepEqual(await running, ok("a"));
  });

  it("exports queue length per tenant and connected queriers", async () => {
    const registry = new Registry();
    const s = scheduler(100, registry);
    const a = openStream(s, "q1");
    const b = openStream(s, "q1");
    const c = openStream(s, "q2");
    const idle = [a.next(), b.next(), c.next()];
    assert.equal(s.connectedQueriers(), 2);
    assert.equal(s.openStreams(), 3);
    for (const x of [a, b, c]) x.abort.abort();
    await Promise.all(idle);
    const pending = [s.enqueue("t1", call("a")), s.enqueue("t1", call("b")), s.enqueue("t2", call("c"))];
    const text = await registry.metrics();
    assert.match(text, /pyroscope_query_scheduler_queue_length\{tenant="t1"\} 2/);
    assert.match(text, /pyroscope_query_scheduler_queue_length\{tenant="t2"\} 1/);
    assert.match(text, /pyroscope_query_scheduler_connected_querier_clients 0/);
    s.stop();
    await Promise.all(pending);
  });
});
