import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { etcdSkipReason, startEtcd } from "../../test/helpers/etcd.js";
import type { EtcdServer } from "../../test/helpers/etcd.js";
import { createEtcdKV } from "./etcd-kv.js";
import { ringPage } from "./http.js";
import type { KV } from "./kv.js";
import { Lifecycler } from "./lifecycler.js";
import { Read, startRing, Write } from "./ring.js";
import { kvContract, member } from "./test-kv-contract.js";

const skip = etcdSkipReason();
let etcd: EtcdServer | undefined;
const clients: KV[] = [];
let keys = 0;

function client(maxRetries = 100): KV {
  assert.ok(etcd, "etcd is not running");
  const kv = createEtcdKV({ endpoints: [etcd.endpoint], prefix: "collectors/", dialTimeoutMs: 2000, maxRetries });
  clients.push(kv);
  return kv;
}

async function until(what: string, pred: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await pred()) return;
    } catch {
      // etcd may be down on purpose; keep polling
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

if (skip === undefined) {
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await etcd?.close();
  });
}

kvContract("etcd", () => ({ client: () => client(), key: () => `contract-${keys++}` }), skip);

const opts = skip !== undefined ? { skip } : {};

test("etcd: racing CAS from two clients conflict, retry, and lose nothing", opts, async () => {
  const [a, b] = [client(), client()];
  let attempts = 0;
  const writes = 30;
  await Promise.all(
    Array.from({ length: writes }, (_, i) =>
      (i % 2 === 0 ? a : b).cas("race", (old) => {
        attempts++;
        const desc = old ?? { ingesters: {} };
        desc.ingesters[`m${i}`] = member(`m${i}:1`, [i]);
        return desc;
      }),
    ),
  );
  assert.equal(Object.keys((await a.get("race"))?.ingesters ?? {}).length, writes);
  assert.ok(attempts > writes, `expected conflicts to cause retries, got ${attempts} attempts for ${writes} writes`);
});

test("etcd: values written by hand in the documented JSON are read", opts, async () => {
  const kv = client();
  await kv.cas("by-hand", () => ({ ingesters: { a: member("a:1", [3, 1, 2]) } }));
  assert.deepEqual((await kv.get("by-hand"))?.ingesters["a"]?.tokens, [1, 2, 3]);
});

test("etcd: three lifecyclers form one ring; a silent member turns unhealthy and is forgotten via the page", opts, async () => {
  const common = { ringKey: "ring", ringName: "ingester", numTokens: 32, heartbeatPeriodMs: 200, heartbeatTimeoutMs: 2000, joinAfterMs: 0, minReadyDurationMs: 0, unregisterOnShutdown: true };
  const lcKVs = [client(), client(), client()];
  const lcs = ["ingester-1", "ingester-2", "ingester-3"].map((id, i) => new Lifecycler({ ...common, kv: lcKVs[i]!, id, addr: `10.0.0.${i + 1}:4100` }));
  await Promise.all(lcs.map((l) => l.start()));
  const readerKV = client();
  const reader = await startRing(readerKV, "ring", { replicationFactor: 3, heartbeatTimeoutMs: 2000 });
  await until("three ACTIVE members", () => reader.ring.healthyInstancesCount(Write) === 3);
  const set = reader.ring.get(12345, Write);
  assert.equal(set.instances.length, 3);
  assert.equal(set.maxErrors, 1);
  assert.equal(new Set(Object.values(reader.ring.desc().ingesters).flatMap((i) => i.tokens)).size, 96);

  // ingester-3 loses its KV connection: it stops heartbeating, and after the timeout it is unhealthy.
  await lcKVs[2]!.close();
  await until("ingester-3 unhealthy", () => reader.ring.healthyInstancesCount(Write) === 2, 10_000);
  assert.equal(reader.ring.instancesCount(), 3);
  assert.equal(reader.ring.get(12345, Write).instances.length, 2);
  assert.equal(reader.ring.getAllHealthy(Read).maxErrors, 0);

  const page = ringPage(reader.ring, readerKV, "ring", "Ingester ring");
  const res = await page({
    method: "POST",
    url: new URL("http://localhost/ring"),
    params: {},
    header: () => undefined,
    body: async () => new TextEncoder().encode("forget=ingester-3"),
    tenant: () => "anonymous",
  });
  assert.equal(res.status, 302);
  await until("ingester-3 gone", () => reader.ring.instancesCount() === 2);

  await Promise.all(lcs.slice(0, 2).map((l) => l.stop()));
  await lcs[2]!.stop().catch(() => undefined);
  await until("the ring empty", () => reader.ring.instancesCount() === 0);
  await reader.stop();
});

test("etcd restarted under a heartbeating lifecycler: the reader keeps its state, then sees fresh heartbeats", opts, async () => {
  assert.ok(etcd);
  const lc = new Lifecycler({
    kv: client(),
    ringKey: "restart",
    ringName: "ingester",
    id: "ingester-1",
    addr: "10.0.0.1:4100",
    numTokens: 16,
    heartbeatPeriodMs: 200,
    heartbeatTimeoutMs: 60_000,
    joinAfterMs: 0,
    minReadyDurationMs: 0,
    unregisterOnShutdown: true,
  });
  await lc.start();
  const reader = await startRing(client(), "restart", { replicationFactor: 1, heartbeatTimeoutMs: 60_000 });
  await until("ACTIVE", () => reader.ring.healthyInstancesCount(Write) === 1);
  const before = reader.ring.desc().ingesters["ingester-1"]!;

  const downAt = Date.now();
  await etcd.stop();
  await sleep(1500);
  // Nothing arrives while etcd is down, and the reader still routes with what it knew.
  assert.equal(reader.ring.instancesCount(), 1);
  assert.equal(reader.ring.get(1, Write).instances[0]?.id, "ingester-1");
  assert.equal(lc.state(), "ACTIVE");

  await etcd.start();
  const upAt = Date.now();
  await until(
    "a heartbeat written after the restart",
    () => (reader.ring.desc().ingesters["ingester-1"]?.timestamp ?? 0) * 1000 >= Math.floor(upAt / 1000) * 1000,
    30_000,
  );
  const after = reader.ring.desc().ingesters["ingester-1"]!;
  assert.ok(after.timestamp > before.timestamp);
  assert.deepEqual(after.tokens, before.tokens);
  assert.ok(upAt - downAt >= 1500);
  await lc.stop();
  await until("unregistered", () => reader.ring.instancesCount() === 0);
  await reader.stop();
});
