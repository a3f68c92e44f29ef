import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LimitExceededError } from "../model/errors.js";
import { FairQueue, TOO_MANY_OUTSTANDING } from "./queue.js";
import type { Dispatched } from "./queue.js";

type Q = FairQueue<string, string>;

function queue(maxOutstandingPerTenant = 100): Q {
  return new FairQueue<string, string>({ maxOutstandingPerTenant, nowMs: () => 1000 });
}

/** Takes `n` queued requests and answers each with its own name. */
async function drain(q: Q, n: number): Promise<string[]> {
  const order: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = await q.next();
    assert.ok(d, `request ${i} was dispatched`);
    order.push(d.request);
    d.finish(d.request);
  }
  return order;
}

/** Marks a promise as handled (its rejection is asserted elsewhere or irrelevant). */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

describe("FairQueue fairness", () => {
  const cases: { name: string; enqueue: [string, string][]; want: string[] }[] = [
    { name: "one tenant is FIFO", enqueue: [["a", "a1"], ["a", "a2"], ["a", "a3"]], want: ["a1", "a2", "a3"] },
    {
      name: "tenants alternate",
      enqueue: [["a", "a1"], ["a", "a2"], ["a", "a3"], ["b", "b1"], ["b", "b2"]],
      want: ["a1", "b1", "a2", "b2", "a3"],
    },
    {
      name: "three tenants in round-robin",
      enqueue: [["a", "a1"], ["a", "a2"], ["b", "b1"], ["c", "c1"], ["c", "c2"]],
      want: ["a1", "b1", "c1", "a2", "c2"],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const q = queue();
      const answers = c.enqueue.map(([t, r]) => q.enqueue(t, r));
      assert.deepEqual(await drain(q, c.enqueue.length), c.want);
      assert.deepEqual(await Promise.all(answers), c.enqueue.map(([, r]) => r));
    });
  }

  it("a flooding tenant delays a late single request by at most one turn", async () => {
    const q = queue(10_000);
    for (let i = 0; i < 1000; i++) void q.enqueue("flood", `f${i}`);
    assert.deepEqual(await drain(q, 3), ["f0", "f1", "f2"]);
    const single = q.enqueue("quiet", "q1");
    const order = await drain(q, 3);
    assert.ok(order.indexOf("q1") >= 0 && order.indexOf("q1") <= 1, `q1 served within one turn, got ${order.join(",")}`);
    assert.equal(await single, "q1");
    assert.equal(q.length("flood"), 1000 - 3 - 2);
  });

  it("hands a request to a querier that was already waiting", async () => {
    const q = queue();
    const waiting = q.next();
    assert.equal(q.waitingQueriers, 1);
    const answer = q.enqueue("a", "a1");
    const d = await waiting;
    assert.equal(d?.request, "a1");
    assert.equal(d?.enqueuedAtMs, 1000);
    d!.finish("done");
    assert.equal(await answer, "done");
    assert.equal(q.waitingQueriers, 0);
  });
});

describe("FairQueue limit", () => {
  it("rejects the request over max outstanding with LimitExceededError, per tenant", async () => {
    const q = queue(2);
    void q.enqueue("a", "a1");
    void q.enqueue("a", "a2");
    await assert.rejects(q.enqueue("a", "a3"), (err: unknown) => {
      assert.ok(err instanceof LimitExceededError);
      assert.equal(err.reason, "too_many_requests");
      assert.equal(err.message, TOO_MANY_OUTSTANDING);
      return true;
    });
    const b = q.enqueue("b", "b1");
    assert.deepEqual(await drain(q, 3), ["a1", "b1", "a2"]);
    assert.equal(await b, "b1");
  });

  it("counts queued requests only: a dispatched one frees its slot", async () => {
    const q = queue(1);
    const first = q.enqueue("a", "a1");
    const d = await q.next();
    const second = q.enqueue("a", "a2");
    d!.finish("x");
    assert.equal(await first, "x");
    assert.deepEqual(await drain(q, 1), ["a2"]);
    assert.equal(await second, "a2");
  });
});

describe("FairQueue cancellation", () => {
  it("removes a cancelled request from the queue and rejects it with AbortError", async () => {
    const q = queue();
    const ac = new AbortController();
    const cancelled = quiet(q.enqueue("a", "a1", ac.signal));
    const kept = q.enqueue("a", "a2");
    ac.abort();
    await assert.rejects(cancelled, { name: "AbortError" });
    assert.equal(q.length("a"), 1);
    assert.deepEqual(await drain(q, 1), ["a2"]);
    assert.equal(await kept, "a2");
  });

  it("drops a cancelled tenant from the round-robin", async () => {
    const q = queue();
    const ac = new AbortController();
    void q.enqueue("a", "a1");
    void q.enqueue("a", "a2");
    const b = quiet(q.enqueue("b", "b1", ac.signal));
    void q.enqueue("c", "c1");
    ac.abort();
    await assert.rejects(b);
    assert.deepEqual([...q.lengths().keys()], ["a", "c"]);
    assert.deepEqual(await drain(q, 3), ["a1", "c1", "a2"]);
  });

  it("rejects a request whose signal already aborted", async () => {
    const q = queue();
    await assert.rejects(q.enqueue("a", "a1", AbortSignal.abort()), { name: "AbortError" });
    assert.equal(q.length("a"), 0);
  });

  it("drops the answer of a request cancelled while a querier runs it", async () => {
    const q = queue();
    const ac = new AbortController();
    const answer = quiet(q.enqueue("a", "a1", ac.signal));
    const d = (await q.next())!;
    assert.equal(d.pending, true);
    ac.abort();
    await assert.rejects(answer, { name: "AbortError" });
    assert.equal(d.pending, false);
    d.finish("late");
    d.requeue();
    assert.equal(q.length("a"), 0);
  });
});

describe("FairQueue querier disconnect", () => {
  it("a querier that stops waiting does not take a request", async () => {
    const q = queue();
    const gone = new AbortController();
    const lost = q.next(gone.signal);
    gone.abort();
    assert.equal(await lost, undefined);
    assert.equal(q.waitingQueriers, 0);
    const answer = q.enqueue("a", "a1");
    assert.equal(q.length("a"), 1);
    assert.deepEqual(await drain(q, 1), ["a1"]);
    assert.equal(await answer, "a1");
  });

  it("a requeued request goes to the next querier first", async () => {
    const q = queue();
    const first = q.enqueue("a", "a1");
    void q.enqueue("a", "a2");
    void q.enqueue("b", "b1");
    const d = (await q.next())!;
    assert.equal(d.request, "a1");
    d.requeue();
    assert.equal(d.pending, false);
    const again = (await q.next())!;
    assert.equal(again.request, "a1");
    again.finish("ok");
    assert.equal(await first, "ok");
  });

  it("the holder of a broken stream answers its request with an error result", async () => {
    const q = queue();
    const answer = q.enqueue("a", "a1");
    const d: Dispatched<string, string> = (await q.next())!;
    d.finish("unavailable");
    d.finish("ignored");
    assert.equal(await answer, "unavailable");
  });
});

describe("FairQueue close", () => {
  it("answers queued, dispatched-then-requeued and later requests, and ends waits", async () => {
    const q = queue();
    const dispatched = q.enqueue("a", "a1");
    const d = (await q.next())!;
    const waiter = q.next();
    q.close("stopping");
    assert.equal(await waiter, undefined);
    assert.equal(await q.enqueue("c", "c1"), "stopping");
    assert.equal(await q.next(), undefined);
    d.requeue();
    assert.equal(await dispatched, "stopping");

    const q2 = queue();
    const queued = q2.enqueue("b", "b1");
    q2.close("stopping");
    assert.equal(await queued, "stopping");
    assert.equal(q2.lengths().size, 0);
  });
});
