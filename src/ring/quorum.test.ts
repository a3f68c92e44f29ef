import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { doUntilQuorum } from "./quorum.js";
import type { ReplicationSet, RingInstance } from "./ring.js";

function set(n: number, maxErrors: number): ReplicationSet {
  const instances: RingInstance[] = Array.from({ length: n }, (_, i) => ({
    id: `i${i}`,
    addr: `i${i}:1`,
    timestamp: 0,
    state: "ACTIVE",
    tokens: [],
    registered_timestamp: 0,
  }));
  return { instances, maxErrors };
}

/** A call that answers after `delays[id]` ms, or fails when the delay is negative; records cancellations. */
function calls(delays: Record<string, number>) {
  const cancelled: string[] = [];
  const call = async (inst: RingInstance, signal: AbortSignal): Promise<string> => {
    const ms = delays[inst.id] ?? 0;
    try {
      await sleep(Math.abs(ms), undefined, { signal });
    } catch (err) {
      cancelled.push(inst.id);
      throw err;
    }
    if (ms < 0) throw new Error(`${inst.id} failed`);
    return inst.id;
  };
  return { call, cancelled };
}

test("succeeds once all but maxErrors answered, and cancels the rest", async () => {
  const { call, cancelled } = calls({ i0: 5, i1: 10, i2: 2000 });
  const results = await doUntilQuorum(set(3, 1), call);
  assert.deepEqual(results.map((r) => r.result), ["i0", "i1"]);
  await sleep(5);
  assert.deepEqual(cancelled, ["i2"]);
});

test("tolerates maxErrors failures", async () => {
  const { call } = calls({ i0: -1, i1: 5, i2: 10 });
  const results = await doUntilQuorum(set(3, 1), call);
  assert.deepEqual(results.map((r) => r.instance.id), ["i1", "i2"]);
});

test("fails with the error that broke the quorum and cancels the rest", async () => {
  const { call, cancelled } = calls({ i0: -1, i1: -5, i2: 2000 });
  await assert.rejects(doUntilQuorum(set(3, 1), call), /i1 failed/);
  await sleep(5);
  assert.deepEqual(cancelled, ["i2"]);
});

test("with no error budget the first failure fails it", async () => {
  const { call } = calls({ i0: 50, i1: -1 });
  await assert.rejects(doUntilQuorum(set(2, 0), call), /i1 failed/);
});

test("an empty set succeeds at once; a synchronous throw counts as a failure", async () => {
  assert.deepEqual(await doUntilQuorum(set(0, 0), () => Promise.resolve(1)), []);
  await assert.rejects(
    doUntilQuorum(set(1, 0), () => {
      throw new Error("sync");
    }),
    /sync/,
  );
});

test("the caller's signal cancels every call", async () => {
  const { call, cancelled } = calls({ i0: 2000, i1: 2000 });
  const ac = new AbortController();
  const p = doUntilQuorum(set(2, 0), call, ac.signal);
  ac.abort();
  await assert.rejects(p, { name: "AbortError" });
  await sleep(5);
  assert.deepEqual(cancelled.sort(), ["i0", "i1"]);
});
