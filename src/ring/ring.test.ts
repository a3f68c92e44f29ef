import assert from "node:assert/strict";
import { test } from "node:test";
import { ownedTokens } from "./desc.js";
import type { InstanceDesc, InstanceState, RingDesc } from "./desc.js";
import { createInMemoryKV } from "./inmemory-kv.js";
import { EMPTY_RING, Read, Reporting, Ring, searchToken, startRing, TOO_MANY_UNHEALTHY, Write, WriteNoExtend } from "./ring.js";
import type { Operation, ReplicationStrategy } from "./ring.js";
import { generateTokens } from "./tokens.js";

const NOW_MS = 1_700_000_000_000;
const FRESH = NOW_MS / 1000;
const STALE = FRESH - 120;

function inst(id: string, tokens: number[], state: InstanceState = "ACTIVE", timestamp = FRESH): InstanceDesc {
  return { addr: `${id}:1`, timestamp, state, tokens, registered_timestamp: FRESH - 3600 };
}

function ring(rf: number, members: Record<string, InstanceDesc>, strategy?: ReplicationStrategy, heartbeatTimeoutMs = 60_000): Ring {
  const r = new Ring({ replicationFactor: rf, heartbeatTimeoutMs, nowMs: () => NOW_MS, ...(strategy ? { strategy } : {}) });
  r.setDesc({ ingesters: members });
  return r;
}

function ids(r: Ring, key: number, op: Operation): { ids: string[]; maxErrors: number } {
  const set = r.get(key, op);
  return { ids: set.instances.map((i) => i.id), maxErrors: set.maxErrors };
}

// a owns (600,100] and (300,400], b (100,200] and (400,500], c (200,300] and (500,600].
const abc = (states: Partial<Record<string, [InstanceState, number?]>> = {}): Record<string, InstanceDesc> => {
  const m = (id: string, tokens: number[]): InstanceDesc => inst(id, tokens, states[id]?.[0] ?? "ACTIVE", states[id]?.[1] ?? FRESH);
  return { a: m("a", [100, 400]), b: m("b", [200, 500]), c: m("c", [300, 600]) };
};

test("searchToken: first token strictly greater than the key, wrapping", () => {
  const tokens = Uint32Array.from([100, 200, 300]);
  const cases: [number, number][] = [[0, 0], [99, 0], [100, 1], [150, 1], [299, 2], [300, 0], [0xffffffff, 0]];
  for (const [key, index] of cases) assert.equal(searchToken(tokens, key), index, `key ${key}`);
});

const getCases: { name: string; rf: number; members: Record<string, InstanceDesc>; key: number; op: Operation; ids: string[]; maxErrors: number }[] = [
  { name: "RF 3 from the start", rf: 3, members: abc(), key: 50, op: Write, ids: ["a", "b", "c"], maxErrors: 1 },
  { name: "RF 3 key on a token goes to the next", rf: 3, members: abc(), key: 100, op: Write, ids: ["b", "c", "a"], maxErrors: 1 },
  { name: "RF 3 wraps around", rf: 3, members: abc(), key: 650, op: Write, ids: ["a", "b", "c"], maxErrors: 1 },
  { name: "RF 1", rf: 1, members: abc(), key: 150, op: Write, ids: ["b"], maxErrors: 0 },
  { name: "RF 1 last range", rf: 1, members: abc(), key: 550, op: Read, ids: ["c"], maxErrors: 0 },
  { name: "RF 3, one stale heartbeat skipped", rf: 3, members: abc({ c: ["ACTIVE", STALE] }), key: 50, op: Write, ids: ["a", "b"], maxErrors: 0 },
  { name: "RF 3 with only two members", rf: 3, members: { a: inst("a", [100]), b: inst("b", [200]) }, key: 0, op: Write, ids: ["a", "b"], maxErrors: 0 },
  {
    name: "Write extends past a JOINING owner",
    rf: 3,
    members: { ...abc({ b: ["JOINING"] }), d: inst("d", [700]) },
    key: 50,
    op: Write,
    ids: ["a", "c", "d"],
    maxErrors: 0,
  },
  {
    name: "Write extends past a LEAVING owner",
    rf: 3,
    members: { ...abc({ b: ["LEAVING"] }), d: inst("d", [700]) },
    key: 50,
    op: Write,
    ids: ["a", "c", "d"],
    maxErrors: 0,
  },
  {
    name: "Read serves from a LEAVING owner without extending",
    rf: 3,
    members: { ...abc({ b: ["LEAVING"] }), d: inst("d", [700]) },
    key: 50,
    op: Read,
    ids: ["a", "b", "c"],
    maxErrors: 1,
  },
  {
    name: "Read extends past a JOINING owner",
    rf: 3,
    members: { ...abc({ b: ["JOINING"] }), d: inst("d", [700]) },
    key: 50,
    op: Read,
    ids: ["a", "c", "d"],
    maxErrors: 0,
  },
  { name: "Read accepts PENDING", rf: 3, members: abc({ b: ["PENDING"] }), key: 50, op: Read, ids: ["a", "b", "c"], maxErrors: 1 },
  { name: "Write skips PENDING", rf: 3, members: abc({ b: ["PENDING"] }), key: 50, op: Write, ids: ["a", "c"], maxErrors: 0 },
  {
    name: "WriteNoExtend does not extend",
    rf: 3,
    members: { ...abc({ b: ["JOINING"] }), d: inst("d", [700]) },
    key: 50,
    op: WriteNoExtend,
    ids: ["a", "c"],
    maxErrors: 0,
  },
  { name: "RF 5 takes every member once", rf: 5, members: abc(), key: 50, op: Write, ids: ["a", "b", "c"], maxErrors: 0 },
];
for (const c of getCases) {
  test(`get: ${c.name}`, () => assert.deepEqual(ids(ring(c.rf, c.members), c.key, c.op), { ids: c.ids, maxErrors: c.maxErrors }));
}

test("get: fewer healthy owners than the quorum is an error naming them", () => {
  const r = ring(3, abc({ b: ["ACTIVE", STALE], c: ["ACTIVE", STALE] }));
  assert.throws(() => r.get(50, Write), { message: "at least 2 live replicas required, could only find 1 - unhealthy instances: b:1,c:1" });
  const r1 = ring(1, abc({ b: ["ACTIVE", STALE] }));
  assert.throws(() => r1.get(150, Write), /at least 1 live replicas required, could only find 0/);
});

test("get: the quorum of an extended set is of its larger size", () => {
  // 4 picked (b JOINING) → minSuccess 3; with d stale only a, c are healthy.
  const r = ring(3, { ...abc({ b: ["JOINING"] }), d: inst("d", [700], "ACTIVE", STALE) });
  assert.throws(() => r.get(50, Write), /at least 3 live replicas required, could only find 2/);
});

test("get: ignore-unhealthy strategy needs one healthy owner", () => {
  const r = ring(3, abc({ b: ["ACTIVE", STALE], c: ["ACTIVE", STALE] }), "ignore-unhealthy");
  assert.deepEqual(ids(r, 50, Write), { ids: ["a"], maxErrors: 0 });
  assert.deepEqual(ids(ring(3, abc(), "ignore-unhealthy"), 50, Write), { ids: ["a", "b", "c"], maxErrors: 2 });
  const none = ring(3, abc({ a: ["ACTIVE", STALE], b: ["ACTIVE", STALE], c: ["ACTIVE", STALE] }), "ignore-unhealthy");
  assert.throws(() => none.get(50, Write), /at least 1 healthy replica required, could only find 0/);
});

test("get: a heartbeat timeout of 0 ignores heartbeats", () => {
  assert.deepEqual(ids(ring(3, abc({ c: ["ACTIVE", 0] }), undefined, 0), 50, Write).ids, ["a", "b", "c"]);
});

test("get and getAllHealthy: an empty ring, or one without tokens, is an error", () => {
  assert.throws(() => ring(1, {}).get(1, Write), { message: EMPTY_RING });
  assert.throws(() => ring(1, { a: inst("a", [], "PENDING") }).get(1, Write), { message: EMPTY_RING });
  assert.throws(() => ring(1, {}).getAllHealthy(Read), { message: EMPTY_RING });
});

const five = (unhealthy: number): Record<string, InstanceDesc> =>
  Object.fromEntries(["a", "b", "c", "d", "e"].map((id, i) => [id, inst(id, [(i + 1) * 100], "ACTIVE", i < unhealthy ? STALE : FRESH)]));

const allHealthyCases: { name: string; rf: number; members: Record<string, InstanceDesc>; count?: number; maxErrors?: number; error?: string }[] = [
  { name: "RF 3, all healthy: floor(3/2) = 1 may fail", rf: 3, members: five(0), count: 5, maxErrors: 1 },
  { name: "RF 3, one unhealthy: no more failures allowed", rf: 3, members: five(1), count: 4, maxErrors: 0 },
  { name: "RF 3, two unhealthy: too many", rf: 3, members: five(2), error: TOO_MANY_UNHEALTHY },
  { name: "RF 1: every member must answer", rf: 1, members: five(0), count: 5, maxErrors: 0 },
  { name: "RF 1, one unhealthy: too many", rf: 1, members: five(1), error: TOO_MANY_UNHEALTHY },
  { name: "RF 5, two unhealthy: still fine", rf: 5, members: five(2), count: 3, maxErrors: 0 },
  { name: "RF 3 with two members", rf: 3, members: { a: inst("a", [1]), b: inst("b", [2]) }, count: 2, maxErrors: 0 },
];
for (const c of allHealthyCases) {
  test(`getAllHealthy: ${c.name}`, () => {
    const r = ring(c.rf, c.members);
    if (c.error !== undefined) {
      assert.throws(() => r.getAllHealthy(Read), { message: c.error });
      return;
    }
    const set = r.getAllHealthy(Read);
    assert.equal(set.instances.length, c.count);
    assert.equal(set.maxErrors, c.maxErrors);
  });
}

test("getAllHealthy: LEAVING and PENDING members serve reads, JOINING ones do not", () => {
  const r = ring(3, { ...abc({ a: ["LEAVING"], b: ["PENDING"] }), d: inst("d", [700], "JOINING"), e: inst("e", [800]) });
  assert.deepEqual(r.getAllHealthy(Read).instances.map((i) => i.id), ["a", "b", "c", "e"]);
  assert.equal(r.getAllHealthy(Read).maxErrors, 0);
});

test("counts and health", () => {
  const r = ring(3, abc({ b: ["LEAVING"], c: ["ACTIVE", STALE] }));
  assert.equal(r.instancesCount(), 3);
  assert.equal(r.healthyInstancesCount(Write), 1);
  assert.equal(r.healthyInstancesCount(Reporting), 2);
  assert.equal(r.replicationFactor(), 3);
  assert.equal(r.instance("b")?.state, "LEAVING");
});

test("LEFT members own no ranges", () => {
  const r = ring(1, { a: inst("a", [100]), b: inst("b", [200], "LEFT") });
  assert.deepEqual(ids(r, 150, Reporting).ids, ["a"]);
});

test("a token claimed twice goes to the lower id", () => {
  const r = ring(1, { z: inst("z", [100]), y: inst("y", [100, 500]) });
  assert.deepEqual(ids(r, 50, Write).ids, ["y"]);
});

test("the replication factor must be positive", () => {
  assert.throws(() => new Ring({ replicationFactor: 0, heartbeatTimeoutMs: 0 }), /greater than zero/);
});

test("random tokens: ownership sums to 100% and is spread evenly", () => {
  const desc: RingDesc = { ingesters: {} };
  const taken: number[] = [];
  for (const id of ["a", "b", "c", "d"]) {
    const tokens = generateTokens(128, taken);
    taken.push(...tokens);
    desc.ingesters[id] = inst(id, tokens);
  }
  const owned = ownedTokens(desc);
  const total = [...owned.values()].reduce((s, v) => s + v, 0);
  assert.equal(total, 2 ** 32);
  for (const [id, n] of owned) {
    const share = n / 2 ** 32;
    assert.ok(share > 0.15 && share < 0.35, `${id} owns ${(share * 100).toFixed(1)}%`);
  }
  // Keys land on members in proportion to what they own.
  const r = new Ring({ replicationFactor: 1, heartbeatTimeoutMs: 0 });
  r.setDesc(desc);
  const hits = new Map<string, number>();
  const keys = 20_000;
  for (let i = 0; i < keys; i++) {
    const id = r.get(Math.floor(Math.random() * 2 ** 32), Write).instances[0]!.id;
    hits.set(id, (hits.get(id) ?? 0) + 1);
  }
  for (const [id, n] of owned) assert.ok(Math.abs((hits.get(id) ?? 0) / keys - n / 2 ** 32) < 0.03, `${id} got ${hits.get(id)} keys`);
});

test("startRing follows the KV key and keeps its last state after stop", async () => {
  const kv = createInMemoryKV();
  await kv.cas("ring", () => ({ ingesters: { a: inst("a", [100]) } }));
  const w = await startRing(kv, "ring", { replicationFactor: 1, heartbeatTimeoutMs: 0 });
  assert.equal(w.ring.instancesCount(), 1);
  await kv.cas("ring", (old) => {
    old!.ingesters["b"] = inst("b", [200]);
    return old;
  });
  assert.equal(w.ring.instancesCount(), 2);
  await w.stop();
  await kv.delete("ring");
  assert.equal(w.ring.instancesCount(), 2);
});

test("startRing fails when the KV cannot be read", async () => {
  const kv = createInMemoryKV();
  await kv.close();
  await assert.rejects(startRing(kv, "ring", { replicationFactor: 1, heartbeatTimeoutMs: 0 }), /read ring ring/);
});
