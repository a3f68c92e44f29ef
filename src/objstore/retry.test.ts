import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { backoffMs, createRetrier, defaultRetryOptions, isConnectionError, isTransientStatus } from "./retry.js";
import type { RetryOptions } from "./retry.js";

const policy: RetryOptions = { maxAttempts: 5, minBackoffMs: 100, maxBackoffMs: 1000 };

describe("backoffMs", () => {
  const table: Array<{ retry: number; random: number; want: number }> = [
    { retry: 1, random: 0, want: 50 },
    { retry: 1, random: 1, want: 100 },
    { retry: 2, random: 0, want: 100 },
    { retry: 3, random: 0.5, want: 300 },
    { retry: 4, random: 1, want: 800 },
    { retry: 5, random: 1, want: 1000 },
    { retry: 30, random: 0, want: 500 },
  ];
  for (const { retry, random, want } of table) {
    test(`retry ${retry}, random ${random} → ${want} ms`, () => {
      assert.equal(backoffMs(retry, policy, () => random), want);
    });
  }

  test("the default policy waits at most 10 s per retry and tries 10 times", () => {
    const d = defaultRetryOptions();
    assert.equal(d.maxAttempts, 10);
    assert.equal(backoffMs(50, d, () => 1), 10_000);
  });
});

describe("isTransientStatus", () => {
  const table: Array<[number, boolean]> = [
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [429, true],
    [408, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [412, false],
    [416, false],
  ];
  for (const [status, want] of table) test(`${status} → ${want}`, () => assert.equal(isTransientStatus(status), want));
});

describe("isConnectionError", () => {
  const withCode = (code: string): Error => Object.assign(new Error(code), { code });
  const table: Array<{ name: string; err: unknown; want: boolean }> = [
    { name: "ECONNREFUSED", err: withCode("ECONNREFUSED"), want: true },
    { name: "ECONNRESET", err: withCode("ECONNRESET"), want: true },
    { name: "fetch failed with a cause", err: new TypeError("fetch failed", { cause: withCode("ECONNREFUSED") }), want: true },
    { name: "undici socket error two causes deep", err: new Error("a", { cause: new Error("b", { cause: withCode("UND_ERR_SOCKET") }) }), want: true },
    { name: "TimeoutError by name", err: Object.assign(new Error("slow"), { name: "TimeoutError" }), want: true },
    { name: "ENOENT", err: withCode("ENOENT"), want: false },
    { name: "plain error", err: new Error("boom"), want: false },
    { name: "a string", err: "ECONNRESET", want: false },
    { name: "null", err: null, want: false },
  ];
  for (const { name, err, want } of table) test(`${name} → ${want}`, () => assert.equal(isConnectionError(err), want));
});

describe("createRetrier", () => {
  const transient = Object.assign(new Error("unavailable"), { transient: true });
  const permanent = new Error("forbidden");
  const isTransient = (err: unknown): boolean => (err as { transient?: boolean }).transient === true;

  function retrier(maxAttempts: number, sleeps: number[]) {
    return createRetrier({ ...policy, maxAttempts, isTransient, sleep: async (ms) => sleeps.push(ms) });
  }

  test("retries transient failures until one attempt succeeds", async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const got = await retrier(5, sleeps).run("op", async () => {
      if (++calls < 3) throw transient;
      return "ok";
    });
    assert.equal(got, "ok");
    assert.equal(calls, 3);
    assert.equal(sleeps.length, 2);
    assert.ok(sleeps[0] !== undefined && sleeps[0] >= 50 && sleeps[0] <= 100);
    assert.ok(sleeps[1] !== undefined && sleeps[1] >= 100 && sleeps[1] <= 200);
  });

  test("does not retry a permanent failure", async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await assert.rejects(
      retrier(5, sleeps).run("op", async () => {
        calls++;
        throw permanent;
      }),
      (err) => err === permanent,
    );
    assert.equal(calls, 1);
    assert.deepEqual(sleeps, []);
  });

  test("gives up after maxAttempts with the last error", async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await assert.rejects(
      retrier(3, sleeps).run("op", async () => {
        calls++;
        throw transient;
      }),
      (err) => err === transient,
    );
    assert.equal(calls, 3);
    assert.equal(sleeps.length, 2);
  });

  test("maxAttempts below 1 still makes one attempt", async () => {
    let calls = 0;
    await assert.rejects(
      retrier(0, []).run("op", async () => {
        calls++;
        throw transient;
      }),
    );
    assert.equal(calls, 1);
  });
});
