import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { RingDesc } from "./desc.js";
import { createInMemoryKV } from "./inmemory-kv.js";
import type { KV } from "./kv.js";
import { Lifecycler } from "./lifecycler.js";
import type { LifecyclerOptions } from "./lifecycler.js";
import { member } from "./test-kv-contract.js";

const KEY = "ring";

function options(kv: KV, id: string, extra: Partial<LifecyclerOptions> = {}): LifecyclerOptions {
  return {
    kv,
    ringKey: KEY,
    ringName: "ingester",
    id,
    addr: `${id}:4100`,
    numTokens: 16,
    heartbeatPeriodMs: 20,
    heartbeatTimeoutMs: 60_000,
    joinAfterMs: 0,
    minReadyDurationMs: 0,
    unregisterOnShutdown: true,
    ...extra,
  };
}

async function until(what: string, pred: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function entry(kv: KV, id: string) {
  return (await kv.get(KEY))?.ingesters[id];
}

/** A KV that fails every call while `down` is set, as an unreachable etcd would. */
function flakyKV(inner: KV): KV & { down: boolean } {
  const kv = {
    down: false,
    check(): void {
      if (kv.down) throw new Error("kv unavailable");
    },
    async get(key: string) {
      kv.check();
      return inner.get(key);
    },
    async cas(key: string, update: (old: RingDesc | undefined) => RingDesc | undefined) {
      kv.check();
      return inner.cas(key, update);
    },
    watchKey: inner.watchKey.bind(inner),
    async delete(key: string) {
      kv.check();
      return inner.delete(key);
    },
    close: inner.close.bind(inner),
  };
  return kv;
}

test("joins: PENDING without tokens, then ACTIVE with num-tokens unique tokens", async () => {
  const kv = createInMemoryKV();
  const l = new Lifecycler(options(kv, "a", { joinAfterMs: 100 }));
  await l.start();
  assert.equal(l.state(), "PENDING");
  assert.deepEqual((await entry(kv, "a"))?.tokens, []);
  assert.equal((await entry(kv, "a"))?.state, "PENDING");
  await until("ACTIVE", async () => (await entry(kv, "a"))?.state === "ACTIVE");
  const e = await entry(kv, "a");
  assert.equal(e?.addr, "a:4100");
  assert.equal(e?.tokens.length, 16);
  assert.deepEqual(e?.tokens, [...l.tokens()]);
  assert.equal(l.state(), "ACTIVE");
  await l.stop();
});

test("members joining one ring get disjoint tokens", async () => {
  const kv = createInMemoryKV();
  const ls = ["a", "b", "c"].map((id) => new Lifecycler(options(kv, id, { numTokens: 64 })));
  await Promise.all(ls.map((l) => l.start()));
  await until("all ACTIVE", async () => Object.values((await kv.get(KEY))?.ingesters ?? {}).filter((i) => i.state === "ACTIVE").length === 3);
  const all = Object.values((await kv.get(KEY))!.ingesters).flatMap((i) => i.tokens);
  assert.equal(new Set(all).size, 3 * 64);
  assert.equal(ls[0]!.instancesCount(), 3);
  await Promise.all(ls.map((l) => l.stop()));
  assert.deepEqual((await kv.get(KEY))?.ingesters, {});
});

test("heartbeats advance the timestamp", async () => {
  const kv = createInMemoryKV();
  let clock = 1_700_000_000_000;
  const l = new Lifecycler(options(kv, "a", { nowMs: () => clock }));
  await l.start();
  await until("ACTIVE", () => l.state() === "ACTIVE");
  assert.equal((await entry(kv, "a"))?.timestamp, 1_700_000_000);
  clock += 7_000;
  await until("heartbeat", async () => (await entry(kv, "a"))?.timestamp === 1_700_000_007);
  assert.equal((await entry(kv, "a"))?.registered_timestamp, 1_700_000_000);
  await l.stop();
});

test("tokens file: a restarted instance takes its tokens back and is ACTIVE at once", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ring-lifecycler-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tokensFilePath = join(dir, "tokens.json");
  const kv = createInMemoryKV();
  const first = new Lifecycler(options(kv, "a", { tokensFilePath }));
  await first.start();
  await until("ACTIVE", () => first.state() === "ACTIVE");
  const tokens = [...first.tokens()];
  assert.deepEqual(JSON.parse(readFileSync(tokensFilePath, "utf8")), { tokens });
  await first.stop();
  assert.equal(await entry(kv, "a"), undefined);

  const second = new Lifecycler(options(kv, "a", { tokensFilePath, joinAfterMs: 60_000 }));
  await second.start();
  assert.equal(second.state(), "ACTIVE");
  assert.deepEqual((await entry(kv, "a"))?.tokens, tokens);
  assert.equal((await entry(kv, "a"))?.state, "ACTIVE");
  await second.stop();
});

test("stop: LEAVING, then the flush hook (heartbeats go on), then unregister", async () => {
  const kv = createInMemoryKV();
  let clock = 1_700_000_000_000;
  const seen: string[] = [];
  const l = new Lifecycler(
    options(kv, "a", {
      nowMs: () => clock,
      onLeaving: async () => {
        const e = await entry(kv, "a");
        seen.push(`hook sees ${e?.state}`);
        clock += 3_000;
        await until("a heartbeat during the flush", async () => (await entry(kv, "a"))?.timestamp === 1_700_000_003);
        seen.push("flushed");
      },
    }),
  );
  await l.start();
  await until("ACTIVE", () => l.state() === "ACTIVE");
  await l.stop();
  seen.push(`after stop: ${JSON.stringify(await entry(kv, "a"))}`);
  assert.deepEqual(seen, ["hook sees LEAVING", "flushed", "after stop: undefined"]);
  assert.equal(l.state(), "LEAVING");
});

test("without unregister-on-shutdown the entry stays LEAVING and a restart makes it ACTIVE with the same tokens", async () => {
  const kv = createInMemoryKV();
  const first = new Lifecycler(options(kv, "a", { unregisterOnShutdown: false }));
  await first.start();
  await until("ACTIVE", () => first.state() === "ACTIVE");
  const tokens = [...first.tokens()];
  await first.stop();
  assert.equal((await entry(kv, "a"))?.state, "LEAVING");
  const second = new Lifecycler(options(kv, "a", { joinAfterMs: 60_000 }));
  await second.start();
  assert.equal(second.state(), "ACTIVE");
  assert.deepEqual((await entry(kv, "a"))?.tokens, tokens);
  await second.stop();
});

test("an entry left JOINING by a crash starts over from PENDING", async () => {
  const kv = createInMemoryKV();
  await kv.cas(KEY, () => ({ ingesters: { a: member("a:4100", [1, 2], { state: "JOINING" }) } }));
  const l = new Lifecycler(options(kv, "a", { joinAfterMs: 60_000 }));
  await l.start();
  assert.equal(l.state(), "PENDING");
  assert.equal((await entry(kv, "a"))?.state, "PENDING");
  await l.stop();
});

test("survives KV errors: heartbeats fail while the KV is down and resume after", async () => {
  const kv = flakyKV(createInMemoryKV());
  let clock = 1_700_000_000_000;
  const l = new Lifecycler(options(kv, "a", { nowMs: () => clock }));
  await l.start();
  await until("ACTIVE", () => l.state() === "ACTIVE");
  kv.down = true;
  clock += 5_000;
  await sleep(100);
  assert.equal(l.state(), "ACTIVE");
  kv.down = false;
  await until("a heartbeat after the outage", async () => (await entry(kv, "a"))?.timestamp === 1_700_000_005);
  await l.stop();
});

test("an entry that vanished from the KV is registered again with the same tokens", async () => {
  const kv = createInMemoryKV();
  const l = new Lifecycler(options(kv, "a"));
  await l.start();
  await until("ACTIVE", () => l.state() === "ACTIVE");
  const tokens = [...l.tokens()];
  await kv.delete(KEY);
  await until("re-registered", async () => (await entry(kv, "a")) !== undefined);
  assert.deepEqual((await entry(kv, "a"))?.tokens, tokens);
  assert.equal((await entry(kv, "a"))?.state, "ACTIVE");
  await l.stop();
});

test("auto-forget removes members unhealthy for 10 heartbeat timeouts, and only those", async () => {
  const kv = createInMemoryKV();
  const nowSec = Math.floor(Date.now() / 1000);
  await kv.cas(KEY, () => ({
    ingesters: {
      dead: member("dead:1", [1], { timestamp: nowSec - 11 }),
      late: member("late:1", [2], { timestamp: nowSec - 5 }),
    },
  }));
  const l = new Lifecycler(options(kv, "a", { heartbeatTimeoutMs: 1_000, autoForgetUnhealthy: true }));
  await l.start();
  await until("dead forgotten", async () => (await entry(kv, "dead")) === undefined);
  assert.ok(await entry(kv, "late"));
  await l.stop();
});

test("checkReady: needs tokens, a healthy ACTIVE ring and min-ready-duration, then stays ready", async () => {
  const kv = createInMemoryKV();
  let clock = Date.now();
  const l = new Lifecycler(options(kv, "a", { joinAfterMs: 50, minReadyDurationMs: 15_000, heartbeatTimeoutMs: 60_000, nowMs: () => clock }));
  await l.start();
  await assert.rejects(l.checkReady(), /owns no tokens/);
  await until("ACTIVE", () => l.state() === "ACTIVE");
  await kv.cas(KEY, (old) => {
    old!.ingesters["b"] = member("b:1", [1], { state: "JOINING" });
    return old;
  });
  await assert.rejects(l.checkReady(), /instance b:1 in state JOINING/);
  await kv.cas(KEY, (old) => {
    old!.ingesters["b"]!.state = "ACTIVE";
    return old;
  });
  await assert.rejects(l.checkReady(), /waiting for 15000ms/);
  clock += 15_000;
  await l.checkReady();
  await kv.cas(KEY, (old) => {
    old!.ingesters["b"]!.state = "LEAVING";
    return old;
  });
  await l.checkReady();
  await l.stop();
});

test("checkReady without ring health checks only this instance", async () => {
  const kv = createInMemoryKV();
  await kv.cas(KEY, () => ({ ingesters: { b: member("b:1", [1], { state: "JOINING" }) } }));
  const l = new Lifecycler(options(kv, "a", { readinessCheckRingHealth: false }));
  await l.start();
  await until("ACTIVE", () => l.state() === "ACTIVE");
  await l.checkReady();
  await l.stop();
});

test("start fails when the KV cannot be written", async () => {
  const kv = flakyKV(createInMemoryKV());
  kv.down = true;
  await assert.rejects(new Lifecycler(options(kv, "a")).start(), /kv unavailable/);
});

test("stop with the KV down still runs the hook, then reports the failed unregister", async () => {
  const kv = flakyKV(createInMemoryKV());
  let hookRan = false;
  const l = new Lifecycler(
    options(kv, "a", {
      onLeaving: async () => {
        hookRan = true;
      },
    }),
  );
  await l.start();
  await until("ACTIVE", () => l.state() === "ACTIVE");
  kv.down = true;
  await assert.rejects(l.stop(), /kv unavailable/);
  assert.ok(hookRan);
  assert.equal(l.state(), "LEAVING");
});
