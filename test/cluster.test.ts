/**
 * High availability in micro-services mode, with real processes, a real etcd and Swift's s3api
 * as the bucket, all on 127.0.0.1: with RF 3 a killed ingester costs no push and no profile,
 * replicas are never counted twice, and the cluster serves through an etcd restart.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { PusherService } from "../src/gen/push/v1/push_pb.js";
import { QuerierService } from "../src/gen/querier/v1/querier_pb.js";
import { CPU, cpuTotal, fgTotal } from "./helpers/api.js";
import { startCluster } from "./helpers/cluster.js";
import type { Cluster, ClusterShape } from "./helpers/cluster.js";
import { loadTotal, PushLoad, QueryLoad, Rotation } from "./helpers/cluster-load.js";

const SHAPE: ClusterShape = {
  distributors: 2,
  ingesters: 3,
  queriers: 1,
  queryFrontends: 0,
  querySchedulers: 0,
  storeGateways: 1,
  compactors: 1,
  replicationFactor: 3,
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `fn` holds, or fails with `what`. */
async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Members of the ingester ring as a distributor sees them: id → state. */
async function ingesterRing(url: string): Promise<Map<string, string>> {
  const res = await fetch(`${url}/ring`, { headers: { accept: "application/json" } });
  const body = (await res.json()) as { shards: { id: string; state: string; timestamp: string }[] };
  return new Map(body.shards.map((s) => [s.id, s.state]));
}

describe("cluster with RF 3: an ingester killed mid-stream", { timeout: 240_000 }, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster(SHAPE);
  });
  after(async () => {
    await cluster?.close();
  });

  test("no push fails, no acknowledged profile is missing, none is counted twice", async () => {
    const since = Date.now() - 1000;
    const distributors = new Rotation(cluster.of("distributor"));
    const querier = cluster.of("querier")[0]!;
    const load = new PushLoad(distributors, 6);
    const reader = new QueryLoad(new Rotation([querier]), since);
    await until("some pushes", async () => load.ackedCount >= 100);
    const victim = cluster.of("ingester")[1]!;
    await victim.stop("SIGKILL");
    const atKill = load.ackedCount;
    await until("pushes after the kill", async () => load.ackedCount >= atKill + 200);
    await load.stop();
    await reader.stop();
    assert.deepEqual(load.failures, [], "every push succeeds with two of three replicas");
    assert.deepEqual(reader.failures, [], "every query succeeds with two of three ingesters");
    assert.ok(reader.queries > 0);
    // Each profile is held by two or three ingesters; the total counts it once.
    assert.equal(await loadTotal(querier.url, since), load.acked);

    // The killed ingester comes back with its tokens and its WAL: still exactly once.
    await victim.start();
    await until("the ingester back in the ring", async () => (await ingesterRing(cluster.of("distributor")[0]!.url)).get(victim.name) === "ACTIVE");
    assert.equal(await loadTotal(querier.url, since), load.acked);
  });
});

describe("cluster with RF 3: etcd restarted under load", { timeout: 240_000 }, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster(SHAPE);
  });
  after(async () => {
    await cluster?.close();
  });

  test("pushes and queries go on from the last ring state, and the ring recovers", async () => {
    const since = Date.now() - 1000;
    const distributor = cluster.of("distributor")[0]!;
    const querier = cluster.of("querier")[0]!;
    const load = new PushLoad(new Rotation(cluster.of("distributor")), 4);
    const reader = new QueryLoad(new Rotation([querier]), since);
    await until("some pushes", async () => load.ackedCount >= 50);
    await cluster.etcd.stop();
    const down = load.ackedCount;
    await until("pushes while etcd is down", async () => load.ackedCount >= down + 200);
    const queriesDown = reader.queries;
    await until("queries while etcd is down", async () => reader.queries >= queriesDown + 3);
    await cluster.etcd.start();

    // Heartbeats reach etcd again: a member that restarts is seen by the others.
    const ingester = cluster.of("ingester")[0]!;
    await ingester.stop("SIGTERM");
    await until("the ingester gone from the ring", async () => !(await ingesterRing(distributor.url)).has(ingester.name));
    await ingester.start();
    await until("the ingester back in the ring", async () => (await ingesterRing(distributor.url)).get(ingester.name) === "ACTIVE");
    const after = load.ackedCount;
    await until("pushes after the restart", async () => load.ackedCount >= after + 100);
    await load.stop();
    await reader.stop();
    assert.deepEqual(load.failures, []);
    assert.deepEqual(reader.failures, []);
    assert.equal(await loadTotal(querier.url, since), load.acked);
  });
});

describe("cluster with RF 3: rolling restart of every component", { timeout: 420_000 }, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster({
      distributors: 2,
      ingesters: 3,
      queriers: 2,
      queryFrontends: 2,
      querySchedulers: 2,
      storeGateways: 2,
      compactors: 1,
      replicationFactor: 3,
    });
  });
  after(async () => {
    await cluster?.close();
  });

  test("one member at a time, while pushing and querying: no push and no query fails", async () => {
    const since = Date.now() - 1000;
    const distributors = new Rotation(cluster.of("distributor"));
    const frontends = new Rotation(cluster.of("query-frontend"));
    const load = new PushLoad(distributors, 4);
    const reader = new QueryLoad(frontends, since);
    await until("some pushes and queries", async () => load.ackedCount >= 50 && reader.queries >= 3);
    const ringUrl = cluster.of("distributor")[0]!.url;
    for (const m of cluster.members) {
      // What a Service does for a terminating pod: no new requests, the ones in flight finish.
      const rotation = m.target === "distributor" ? distributors : m.target === "query-frontend" ? frontends : undefined;
      await rotation?.drain(m);
      await m.stop("SIGTERM");
      await m.start();
      rotation?.restore(m);
      if (m.target === "ingester") {
        await until(`${m.name} ACTIVE again`, async () => {
          const ring = await ingesterRing(ringUrl);
          return ring.size === 3 && [...ring.values()].every((s) => s === "ACTIVE");
        });
      }
      // Let pushes and queries run against the new member before the next one goes.
      const [pushes, queries] = [load.ackedCount, reader.queries];
      await until(`load after restarting ${m.name}`, async () => load.ackedCount >= pushes + 20 && reader.queries >= queries + 2);
    }
    await load.stop();
    await reader.stop();
    assert.deepEqual(load.failures, []);
    assert.deepEqual(reader.failures, []);
    assert.equal(await loadTotal(cluster.of("query-frontend")[0]!.url, since), load.acked);
  });
});

describe("cluster with multitenancy: tenants stay apart across every hop", { timeout: 240_000 }, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster({ ...SHAPE, distributors: 1, queryFrontends: 1, querySchedulers: 1, compactors: 0, extraArgs: ["-auth.multitenancy-enabled=true"] });
  });
  after(async () => {
    await cluster?.close();
  });

  test("each tenant sees its own profiles through frontend, scheduler, querier and ingesters; no org id is 401", async () => {
    const tenantTransport = (url: string, tenant: string) =>
      createConnectTransport({
        baseUrl: url,
        httpVersion: "1.1",
        interceptors: [(next) => async (req) => {
          req.header.set("X-Scope-OrgID", tenant);
          return next(req);
        }],
      });
    const now = Date.now();
    for (const [tenant, ns] of [["team-a", 100], ["team-b", 7]] as const) {
      const push = createClient(PusherService, tenantTransport(cluster.of("distributor")[0]!.url, tenant));
      await push.push({ series: [cpuTotal({ __name__: "process_cpu", service_name: `svc-${tenant}` }, ns, now)] });
    }
    const frontend = cluster.of("query-frontend")[0]!.url;
    const range = { start: BigInt(now - 3_600_000), end: BigInt(now + 60_000) };
    for (const [tenant, total, names] of [["team-a", 100, ["svc-team-a"]], ["team-b", 7, ["svc-team-b"]], ["team-c", 0, []]] as const) {
      const q = createClient(QuerierService, tenantTransport(frontend, tenant));
      assert.equal(fgTotal(await q.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: "{}", ...range })), total, tenant);
      assert.deepEqual((await q.labelValues({ name: "service_name", matchers: [], ...range })).names, names, tenant);
    }
    const res = await fetch(`${frontend}/querier.v1.QuerierService/ProfileTypes`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(res.status, 401);
    assert.match(await res.text(), /no org id/);
  });
});
