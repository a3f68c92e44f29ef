import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import type { IngestProfile, SelectQuery } from "../model/query.js";
import { cpuIngest, cpuNanos, cpuQuery, eventually, startIngesterNodes } from "../querier/test-replicas.js";
import type { IngesterNode } from "../querier/test-replicas.js";
import type { InstanceDesc, RingDesc } from "../ring/desc.js";
import { Ring, Write } from "../ring/ring.js";
import { tokenHash } from "../ring/token-hash.js";
import { TransportPool } from "../server/client-pool.js";
import { RemoteIngesterPusher, ReplicatedPusher } from "./replication.js";

const T0_MS = 1_700_000_000_000;
const ALL: SelectQuery = cpuQuery(T0_MS - 3_600_000, T0_MS + 24 * 3_600_000);
const HEARTBEAT_TIMEOUT_MS = 60_000;

/** A ring member at `addr` whose last heartbeat was `ageS` seconds ago. */
function member(addr: string, tokens: number[], ageS = 0): InstanceDesc {
  const nowS = Math.floor(Date.now() / 1000);
  return { addr, timestamp: nowS - ageS, state: "ACTIVE", tokens, registered_timestamp: nowS - 3_600 };
}

/** A ring of RF `rf` over `members` (by id). */
function ringOf(members: Record<string, InstanceDesc>, rf = 3): Ring {
  const ring = new Ring({ replicationFactor: rf, heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS });
  const desc: RingDesc = { ingesters: members };
  ring.setDesc(desc);
  return ring;
}

/** Three tokens each, interleaved around the ring. */
function tokensOf(i: number): number[] {
  return [0, 1, 2].map((k) => k * 0x55555555 + i * 0x15555555);
}

/** A ring whose members are `nodes`, all ACTIVE with fresh heartbeats. */
function liveRing(nodes: readonly IngesterNode[], rf = 3): Ring {
  const members: Record<string, InstanceDesc> = {};
  nodes.forEach((n, i) => (members[`ingester-${i}`] = member(n.addr, tokensOf(i))));
  return ringOf(members, rf);
}

/** A pusher replicating through `ring` over connect RPC. */
function pusherOf(ring: Ring): ReplicatedPusher {
  const pool = new TransportPool();
  return new ReplicatedPusher(ring, (addr) => new RemoteIngesterPusher(pool, addr, 10_000));
}

/** Profiles of `services`, `perService` each, 10 s apart from `startMs`. */
function batch(startMs: number, services: readonly string[], perService: number): IngestProfile[] {
  const out: IngestProfile[] = [];
  for (let i = 0; i < perService; i++) {
    for (const [k, service] of services.entries()) {
      out.push(cpuIngest({ timeMs: startMs + i * 10_000, service, pod: `p${i % 2}`, ns: 1_000 * (k + 1) + i }));
    }
  }
  return out;
}

/** What an ingester holds, read through its query API: IDs, per-profile totals and the tree total. */
interface Holding {
  ids: string[];
  /** `${timeMs} ${value}`, sorted. */
  totals: string[];
  treeTotal: number;
}

async function holding(node: IngesterNode, tenant: string): Promise<Holding> {
  const reader = await node.ingester.view(tenant, new Set());
  const ids = reader ? (await reader.selectProfiles(ALL)).map((p) => p.id) : [];
  const t = await node.ingester.profileTotals(tenant, ALL, []);
  const totals = Array.from(t.timeMs, (ms, i) => `${ms} ${t.value[i]}`);
  const treeTotal = (await node.ingester.mergeTree(tenant, ALL)).totalValue();
  return { ids: [...new Set(ids)].sort(), totals: totals.sort(), treeTotal };
}

/** What an ingester holding exactly `ps` answers, computed from the profiles. */
function holdingOf(ps: readonly IngestProfile[]): Holding {
  return {
    ids: ps.map((p) => p.id).sort(),
    totals: ps.map((p) => `${Number(p.profile.timeNanos / 1_000_000n)} ${cpuNanos(p.profile)}`).sort(),
    treeTotal: ps.reduce((s, p) => s + cpuNanos(p.profile), 0),
  };
}

/** Waits until `node` holds exactly `ps` (a call may still run after the quorum answered). */
async function settled(node: IngesterNode, tenant: string, ps: readonly IngestProfile[]): Promise<void> {
  const want = holdingOf(ps);
  await eventually(async () => (await holding(node, tenant)).ids.length >= want.ids.length);
  assert.deepEqual(await holding(node, tenant), want, `${node.addr} holds every profile`);
}

/** Awaits `p`, which must reject with a ConnectError, and returns it. */
async function rejection(p: Promise<unknown>): Promise<ConnectError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ConnectError, `expected a ConnectError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the push to fail");
}

async function withNodes(n: number, fn: (nodes: IngesterNode[]) => Promise<void>): Promise<void> {
  const nodes = await startIngesterNodes(n);
  try {
    await fn(nodes);
  } finally {
    for (const node of nodes) await node.close();
  }
}

describe("ReplicatedPusher over three real ingesters, RF 3", { timeout: 60_000 }, () => {
  it("acknowledges a push and every ingester ends up with every profile under the same ID", () =>
    withNodes(3, async (nodes) => {
      const tenant = "all-live";
      const pusher = pusherOf(liveRing(nodes));
      const first = batch(T0_MS, ["svc-a", "svc-b", "svc-c", "svc-d"], 5);
      const second = batch(T0_MS + 60_000, ["svc-a", "svc-e"], 3);
      await pusher.push(tenant, first);
      await pusher.push(tenant, second);
      for (const node of nodes) await settled(node, tenant, [...first, ...second]);
    }));

  it("acknowledges with one ingester stopped (quorum 2) and fails with two stopped", () =>
    withNodes(3, async (nodes) => {
      const tenant = "outage";
      const [a, b, c] = nodes as [IngesterNode, IngesterNode, IngesterNode];
      const pusher = pusherOf(liveRing(nodes));
      const before = batch(T0_MS, ["svc-a", "svc-b"], 3);
      await pusher.push(tenant, before);
      for (const node of nodes) await settled(node, tenant, before);

      // Its connection was in use: the stop must turn into failed calls, not a hang.
      await a.server.stop();
      const during = batch(T0_MS + 60_000, ["svc-a", "svc-b", "svc-c"], 3);
      await pusher.push(tenant, during);
      // Both live ingesters acknowledged: nothing to wait for.
      for (const node of [b, c]) assert.deepEqual(await holding(node, tenant), holdingOf([...before, ...during]));
      assert.deepEqual(await holding(a, tenant), holdingOf(before), "the stopped one got nothing new");

      await b.server.stop();
      const err = await rejection(pusher.push(tenant, batch(T0_MS + 120_000, ["svc-a"], 1)));
      assert.equal(err.code, Code.Unavailable, err.message);
    }));

  it("rejects with Unavailable when every replica of a series is unhealthy in the ring", () =>
    withNodes(3, async (nodes) => {
      const tenant = "stale";
      const members: Record<string, InstanceDesc> = {};
      const staleS = (2 * HEARTBEAT_TIMEOUT_MS) / 1000;
      nodes.forEach((n, i) => (members[`ingester-${i}`] = member(n.addr, tokensOf(i), staleS)));
      const pusher = pusherOf(ringOf(members));
      const err = await rejection(pusher.push(tenant, batch(T0_MS, ["svc-a"], 1)));
      assert.equal(err.code, Code.Unavailable);
      assert.match(err.rawMessage, /at least 2 live replicas required, could only find 0/);
      for (const node of nodes) assert.deepEqual(await holding(node, tenant), holdingOf([]));
    }));

  it("accepts series owned by live members and rejects one whose replicas are all stale", () =>
    withNodes(3, async (nodes) => {
      const tenant = "mixed";
      // Live members own the keys in [0x80000002, 0xF0000002); stale ones (never reached) the rest.
      const members: Record<string, InstanceDesc> = {};
      nodes.forEach((n, i) => (members[`live-${i}`] = member(n.addr, [0xf0000000 + i])));
      for (let i = 0; i < 3; i++) members[`stale-${i}`] = member(`127.0.0.1:${i + 1}`, [0x80000000 + i], 3_600);
      const ring = ringOf(members);
      const pusher = pusherOf(ring);
      const keyOf = (p: IngestProfile): number => tokenHash(tenant, p.labels) >>> 0;
      const candidates = batch(T0_MS, Array.from({ length: 40 }, (_, i) => `svc-${i}`), 1);
      const live = candidates.filter((p) => keyOf(p) >= 0x80000002 && keyOf(p) < 0xf0000000);
      const stale = candidates.filter((p) => keyOf(p) >= 0xf0000002 || keyOf(p) < 0x80000000);
      assert.ok(live.length > 0 && stale.length > 0, `${live.length} live and ${stale.length} stale series`);
      for (const p of live) assert.deepEqual(ring.get(tokenHash(tenant, p.labels), Write).instances.length, 3);

      await pusher.push(tenant, live);
      for (const node of nodes) await settled(node, tenant, live);
      const err = await rejection(pusher.push(tenant, [stale[0]!]));
      assert.equal(err.code, Code.Unavailable);
      assert.match(err.rawMessage, /at least 2 live replicas required, could only find 0/);
    }));

  it("acknowledges when one replica rejects a profile and the other two accept it", () =>
    withNodes(3, async (nodes) => {
      const tenant = "one-rejects";
      const [a, b, c] = nodes as [IngesterNode, IngesterNode, IngesterNode];
      const pusher = pusherOf(liveRing(nodes));
      // The first ingester already has a later profile of the series: it refuses the older one.
      const later = cpuIngest({ timeMs: T0_MS + 60_000, service: "svc-a", pod: "p0", ns: 5 });
      await a.ingester.push(tenant, [later]);
      const older = cpuIngest({ timeMs: T0_MS, service: "svc-a", pod: "p0", ns: 7 });
      await pusher.push(tenant, [older]);
      for (const node of [b, c]) assert.deepEqual(await holding(node, tenant), holdingOf([older]));
      assert.deepEqual(await holding(a, tenant), holdingOf([later]));
    }));

  it("rejects with the ingesters' invalid_argument when every replica refuses an out-of-order profile", () =>
    withNodes(3, async (nodes) => {
      const tenant = "all-reject";
      const pusher = pusherOf(liveRing(nodes));
      const later = cpuIngest({ timeMs: T0_MS + 60_000, service: "svc-a", pod: "p0", ns: 5 });
      await pusher.push(tenant, [later]);
      // Every replica must have the later one before the older one comes.
      for (const node of nodes) await settled(node, tenant, [later]);
      const older = cpuIngest({ timeMs: T0_MS, service: "svc-a", pod: "p0", ns: 7 });
      const err = await rejection(pusher.push(tenant, [older]));
      assert.equal(err.code, Code.InvalidArgument, err.message);
      assert.match(err.rawMessage, /out of order/);
      for (const node of nodes) assert.deepEqual(await holding(node, tenant), holdingOf([later]));
    }));
});
