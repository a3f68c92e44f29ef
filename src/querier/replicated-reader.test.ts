import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { profiles as blockProfiles, tempBucket, uploadBlock } from "../compactor/test-blocks.js";
import { FunctionTree } from "../model/flamegraph/function-tree.js";
import { labelsKey } from "../model/labels.js";
import type { IngestProfile, LabelQuery, SelectQuery } from "../model/query.js";
import { parseSelector } from "../model/selector.js";
import { startServer } from "../query-scheduler/test-cluster.js";
import { TransportPool } from "../server/client-pool.js";
import { nopLogger } from "../server/logger.js";
import { PprofBuilder } from "../storage/query/pprof-builder.js";
import { registerStoreGatewayService } from "../store-gateway/service.js";
import { StoreGateway } from "../store-gateway/store-gateway.js";
import type { CandidateBatch, MergeSession, MergeSource } from "./remote-source.js";
import { RemoteSource } from "./remote-source.js";
import { ReplicatedReader } from "./replicated-reader.js";
import type { SourceGroup } from "./replicated-reader.js";
import { cpuIngest, cpuNanos, cpuQuery, distinctById, firstTypeTotal, labelOf, startIngesterNodes, uuidOf } from "./test-replicas.js";
import type { IngesterNode } from "./test-replicas.js";

const T0_MS = 1_700_000_000_000;
const ALL: SelectQuery = cpuQuery(T0_MS - 3_600_000, T0_MS + 24 * 3_600_000);
const LABELS_ALL: LabelQuery = { selectors: [], startMs: ALL.startMs, endMs: ALL.endMs };

/** What a query answers, in a shape assert.deepEqual can compare. */
interface Answers {
  treeTotal: number;
  /** Leaf function → self value. */
  leaves: Record<string, number>;
  /** `${by-value} ${timeMs} ${value}`, one per profile, sorted. */
  totals: string[];
  pprofTotal: number;
}

/** The answers expected from `pushed`: every distinct profile (by ID) exactly once. */
function expected(pushed: readonly IngestProfile[], by: string): Answers {
  const leaves: Record<string, number> = {};
  let sum = 0;
  const totals: string[] = [];
  for (const p of distinctById(pushed)) {
    const ns = cpuNanos(p.profile);
    sum += ns;
    const leaf = `${labelOf(p, "service_name")}.run`;
    leaves[leaf] = (leaves[leaf] ?? 0) + ns;
    totals.push(`${labelOf(p, by)} ${Number(p.profile.timeNanos / 1_000_000n)} ${ns}`);
  }
  return { treeTotal: sum, leaves, totals: totals.sort(), pprofTotal: sum };
}

/** What `reader` answers for `q`, per-profile totals grouped by `by`. */
async function answers(reader: ReplicatedReader, q: SelectQuery, by: string): Promise<Answers> {
  const tree = new FunctionTree();
  await reader.mergeTree(q, tree);
  tree.computeTotals();
  const leaves: Record<string, number> = {};
  for (let n = 1; n < tree.nodeCount; n++) {
    if (tree.self[n]! > 0) leaves[tree.nodeName(n)] = (leaves[tree.nodeName(n)] ?? 0) + tree.self[n]!;
  }
  const t = await reader.profileTotals(q, [by]);
  const totals: string[] = [];
  for (let i = 0; i < t.timeMs.length; i++) {
    const g = t.groups[t.group[i]!]!;
    totals.push(`${g.find((l) => l.name === by)?.value ?? ""} ${t.timeMs[i]} ${t.value[i]}`);
  }
  const builder = new PprofBuilder();
  await reader.mergePprof(q, builder);
  const pprof = builder.build(q.profileType, BigInt(q.endMs) * 1_000_000n, 0n, 0);
  return { treeTotal: tree.totalValue(), leaves, totals: totals.sort(), pprofTotal: firstTypeTotal(pprof) };
}

/** Three (or `n`) ingester servers and readers over them. */
interface Cluster {
  nodes: IngesterNode[];
  pool: TransportPool;
  sources: RemoteSource[];
  /** A reader over every node, the ingesters' group allowed `maxErrors` failures. */
  reader(tenant: string, maxErrors?: number): ReplicatedReader;
  close(): Promise<void>;
}

async function startCluster(n = 3): Promise<Cluster> {
  const nodes = await startIngesterNodes(n);
  const pool = new TransportPool();
  const sources = nodes.map((node) => new RemoteSource(node.addr, pool.get(node.addr), "ingester"));
  return {
    nodes,
    pool,
    sources,
    reader: (tenant, maxErrors = 1) => new ReplicatedReader(tenant, [{ name: "ingesters", sources, maxErrors }]),
    close: async () => {
      for (const node of nodes) await node.close();
    },
  };
}

/** Pushes `ps` to each of `nodes` directly, the same objects to each (as replication would). */
async function pushTo(nodes: readonly IngesterNode[], tenant: string, ps: IngestProfile[]): Promise<void> {
  for (const node of nodes) await node.ingester.push(tenant, ps);
}

/** Every profile of `ps` in time order (the ingester's out-of-order rule is per series). */
function byTime(ps: IngestProfile[]): IngestProfile[] {
  return [...ps].sort((a, b) => Number(a.profile.timeNanos - b.profile.timeNanos));
}

describe("ReplicatedReader over three remote ingesters", { timeout: 60_000 }, () => {
  const tenant = "replicas";
  let c: Cluster;
  const pushed: IngestProfile[] = [];
  // Held by every ingester.
  const common = Array.from({ length: 10 }, (_, i) =>
    cpuIngest({ timeMs: T0_MS + i * 10_000, service: i % 2 === 0 ? "svc-a" : "svc-b", pod: `p${i % 3}`, ns: 1_000 * (i + 1) }),
  );
  // Held by the first ingester only, in a service nobody else has.
  const onlyA = Array.from({ length: 3 }, (_, i) => cpuIngest({ timeMs: T0_MS + i * 10_000 + 5_000, service: "svc-c", pod: "pa", ns: 100 + i }));
  // Held by the second and third: a series of its own at instants the common profiles also have.
  const onlyBC = [20_000, 40_000].map((dt, i) => cpuIngest({ timeMs: T0_MS + dt, service: "svc-a", pod: "pbc", ns: 7 + i }));
  // Held by the first and third only, the last instant of all.
  const onlyAC = [cpuIngest({ timeMs: T0_MS + 200_000, service: "svc-b", pod: "p0", ns: 13 })];
  // Held by the third only.
  const onlyC = [cpuIngest({ timeMs: T0_MS + 90_000, service: "svc-d", pod: "pc", ns: 17 })];

  before(async () => {
    c = await startCluster();
    const [a, b, cc] = c.nodes as [IngesterNode, IngesterNode, IngesterNode];
    await pushTo([a, b, cc], tenant, common);
    await pushTo([a], tenant, onlyA);
    await pushTo([b, cc], tenant, onlyBC);
    await pushTo([a, cc], tenant, onlyAC);
    await pushTo([cc], tenant, onlyC);
    pushed.push(...common, ...onlyA, ...onlyBC, ...onlyAC, ...onlyC);
  });

  after(async () => {
    await c.close();
  });

  it("merges each distinct profile once: tree, per-profile totals by service and pprof", async () => {
    assert.deepEqual(await answers(c.reader(tenant), ALL, "service_name"), expected(pushed, "service_name"));
  });

  it("groups per-profile totals by another label and honours a selector and a time range", async () => {
    assert.deepEqual(await answers(c.reader(tenant), ALL, "pod"), expected(pushed, "pod"));
    const q: SelectQuery = {
      ...ALL,
      matchers: parseSelector('{service_name="svc-a"}'),
      startMs: T0_MS + 20_000,
      endMs: T0_MS + 60_000,
    };
    const want = pushed.filter((p) => {
      const t = Number(p.profile.timeNanos / 1_000_000n);
      return labelOf(p, "service_name") === "svc-a" && t >= q.startMs && t <= q.endMs;
    });
    assert.ok(want.length >= 3, "the selection is not empty");
    assert.deepEqual(await answers(c.reader(tenant), q, "pod"), expected(want, "pod"));
  });

  it("answers label values, label names, series and profile types as the union of the ingesters", async () => {
    const reader = c.reader(tenant);
    const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();
    assert.deepEqual(sorted(await reader.labelValues("service_name", LABELS_ALL)), sorted(pushed.map((p) => labelOf(p, "service_name"))));
    assert.deepEqual(sorted(await reader.labelValues("pod", LABELS_ALL)), sorted(pushed.map((p) => labelOf(p, "pod"))));
    const series = await reader.series(LABELS_ALL, ["service_name", "pod"]);
    const seriesKeys = (ls: { name: string; value: string }[][]): string[] => sorted(ls.map((l) => labelsKey(l)));
    const wantSeries = pushed.map((p) => p.labels.filter((l) => l.name === "service_name" || l.name === "pod"));
    assert.deepEqual(seriesKeys(series), seriesKeys(wantSeries));

    const localNames: string[] = [];
    const localTypes: string[] = [];
    for (const node of c.nodes) {
      localNames.push(...(await node.ingester.labelNames(tenant, LABELS_ALL)));
      localTypes.push(...(await node.ingester.profileTypes(tenant, LABELS_ALL)).map((t) => t.id));
    }
    const names = await reader.labelNames(LABELS_ALL);
    assert.deepEqual(sorted(names), sorted(localNames));
    for (const n of ["__name__", "service_name", "pod"]) assert.ok(names.includes(n), `label names include ${n}`);
    const types = (await reader.profileTypes(LABELS_ALL)).map((t) => t.id);
    assert.deepEqual(sorted(types), sorted(localTypes));
    assert.ok(types.includes(ALL.profileType.id), "profile types include CPU nanoseconds");
  });

  it("answers nothing for a tenant no ingester holds", async () => {
    const reader = c.reader("nobody");
    assert.deepEqual(await answers(reader, ALL, "service_name"), expected([], "service_name"));
    assert.deepEqual(await reader.labelValues("service_name", LABELS_ALL), []);
  });
});

describe("ReplicatedReader: two profiles of one series at one instant", { timeout: 60_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c.close();
  });

  it("counts both when one source holds them", async () => {
    const tenant = "same-instant-one";
    const [a, b, cc] = c.nodes as [IngesterNode, IngesterNode, IngesterNode];
    const twins = [1, 2].map((k) => cpuIngest({ timeMs: T0_MS, service: "svc-a", pod: "p0", ns: 100 * k }));
    assert.notEqual(twins[0]!.id, twins[1]!.id);
    const others = [cpuIngest({ timeMs: T0_MS, service: "svc-b", pod: "p0", ns: 5 })];
    // The twins are on the second source only; the others hold a different series at the same instant.
    await pushTo([b], tenant, twins);
    await pushTo([a, cc], tenant, others);
    assert.deepEqual(await answers(c.reader(tenant), ALL, "service_name"), expected([...twins, ...others], "service_name"));
  });

  it("counts both once when every source holds both", async () => {
    const tenant = "same-instant-all";
    const twins = [1, 2].map((k) => cpuIngest({ timeMs: T0_MS, service: "svc-a", pod: "p0", ns: 100 * k }));
    await pushTo(c.nodes, tenant, twins);
    assert.deepEqual(await answers(c.reader(tenant), ALL, "service_name"), expected(twins, "service_name"));
  });

  // A replica that missed the second push (it was down; the other two made the quorum) holds
  // only the first twin. Whichever source lists the key first must not hide the other twin.
  it("does not lose a twin that the first source is missing (replicas diverged)", async () => {
    const tenant = "same-instant-diverged";
    const [a, b, cc] = c.nodes as [IngesterNode, IngesterNode, IngesterNode];
    const twins = [1, 2].map((k) => cpuIngest({ id: uuidOf(k), timeMs: T0_MS, service: "svc-a", pod: "p0", ns: 100 * k }));
    await pushTo([a, b, cc], tenant, [twins[0]!]);
    await pushTo([b, cc], tenant, [twins[1]!]);
    assert.deepEqual(await answers(c.reader(tenant), ALL, "service_name"), expected(twins, "service_name"));
  });
});

/** A MergeSource that counts the candidate batches its sessions receive, and may act on each. */
class CountingSource implements MergeSource {
  batches = 0;
  readonly addr: string;
  constructor(
    private readonly inner: MergeSource,
    private readonly onBatch: (n: number) => Promise<void> = async () => {},
  ) {
    this.addr = inner.addr;
  }
  profileTypes: MergeSource["profileTypes"] = (...a) => this.inner.profileTypes(...a);
  labelNames: MergeSource["labelNames"] = (...a) => this.inner.labelNames(...a);
  labelValues: MergeSource["labelValues"] = (...a) => this.inner.labelValues(...a);
  series: MergeSource["series"] = (...a) => this.inner.series(...a);
  mergeTree: MergeSource["mergeTree"] = (...a) => this.count(this.inner.mergeTree(...a));
  mergeTotals: MergeSource["mergeTotals"] = (...a) => this.count(this.inner.mergeTotals(...a));
  mergePprof: MergeSource["mergePprof"] = (...a) => this.count(this.inner.mergePprof(...a));

  private count<R>(s: MergeSession<R>): MergeSession<R> {
    return {
      next: async (): Promise<CandidateBatch | undefined> => {
        const b = await s.next();
        if (b) await this.onBatch(++this.batches);
        return b;
      },
      reply: (mask) => s.reply(mask),
      result: () => s.result(),
      cancel: () => s.cancel(),
    };
  }
}

describe("ReplicatedReader: more candidates than one batch", { timeout: 120_000 }, () => {
  it("exchanges several batches per source and still counts every distinct profile once", async () => {
    const c = await startCluster();
    try {
      const tenant = "many";
      const [a, b, cc] = c.nodes as [IngesterNode, IngesterNode, IngesterNode];
      const services = ["svc-a", "svc-b", "svc-c", "svc-d"];
      const common = Array.from({ length: 5_000 }, (_, i) =>
        cpuIngest({ timeMs: T0_MS + i * 1_000, service: services[i % 4]!, pod: `p${i % 3}`, ns: 1 + (i % 97) }),
      );
      // The second ingester misses every 25th common profile; the third has 300 of its own in between.
      const missingOnB = new Set(common.filter((_, i) => i % 25 === 0));
      const extraC = Array.from({ length: 300 }, (_, i) => cpuIngest({ timeMs: T0_MS + i * 16_000 + 500, service: services[i % 4]!, pod: "px", ns: 1_000 + i }));
      await a.ingester.push(tenant, common);
      await b.ingester.push(tenant, common.filter((p) => !missingOnB.has(p)));
      await cc.ingester.push(tenant, byTime([...common, ...extraC]));

      const counting = c.sources.map((s) => new CountingSource(s));
      const groups: SourceGroup[] = [{ name: "ingesters", sources: counting, maxErrors: 1 }];
      const reader = new ReplicatedReader(tenant, groups);
      const pushed = [...common, ...extraC];
      assert.deepEqual(await answers(reader, ALL, "service_name"), expected(pushed, "service_name"));
      // Three merges; each source listed at least 5000 candidates, so at least two batches per merge.
      for (const s of counting) assert.ok(s.batches >= 6, `${s.addr} received ${s.batches} batches over three merges`);

      // The same source missing profiles first in order: the third ingester leads.
      const reversed = new ReplicatedReader(tenant, [{ name: "ingesters", sources: [...c.sources].reverse(), maxErrors: 1 }]);
      assert.deepEqual(await answers(reversed, ALL, "pod"), expected(pushed, "pod"));

      // The first ingester's server goes away while its stream waits for the first keep-mask:
      // the merge starts again without it, within the budget of one.
      const dying = new CountingSource(c.sources[0]!, async (n) => {
        if (n === 1) await a.server.stop();
      });
      const failing = new ReplicatedReader(tenant, [{ name: "ingesters", sources: [dying, c.sources[1]!, c.sources[2]!], maxErrors: 1 }]);
      assert.deepEqual(await answers(failing, ALL, "service_name"), expected(pushed, "service_name"));
      assert.equal(dying.batches, 1, "the stopped ingester gave one batch");
    } finally {
      await c.close();
    }
  });
});

describe("ReplicatedReader with ingesters down", { timeout: 60_000 }, () => {
  it("stays exact with one ingester stopped and fails naming the ingesters with two", async () => {
    const c = await startCluster();
    try {
      const tenant = "outage";
      const [a, b, cc] = c.nodes as [IngesterNode, IngesterNode, IngesterNode];
      const common = Array.from({ length: 12 }, (_, i) => cpuIngest({ timeMs: T0_MS + i * 5_000, service: i % 2 ? "svc-a" : "svc-b", pod: `p${i % 2}`, ns: 10 * (i + 1) }));
      const onBC = Array.from({ length: 4 }, (_, i) => cpuIngest({ timeMs: T0_MS + i * 5_000 + 1, service: "svc-e", pod: "p9", ns: 3 + i }));
      await pushTo([a, b, cc], tenant, common);
      await pushTo([b, cc], tenant, onBC);
      const pushed = [...common, ...onBC];
      const want = expected(pushed, "service_name");
      // Once with every connection open, so that the stopped server's connection is one in use.
      assert.deepEqual(await answers(c.reader(tenant), ALL, "service_name"), want);

      // The first source is the one that owns every key it shares: its loss must move them.
      await a.server.stop();
      assert.deepEqual(await answers(c.reader(tenant), ALL, "service_name"), want);
      const values = await c.reader(tenant).labelValues("service_name", LABELS_ALL);
      assert.deepEqual([...values].sort(), ["svc-a", "svc-b", "svc-e"]);

      await b.server.stop();
      const reader = c.reader(tenant);
      await assert.rejects(reader.mergeTree(ALL, new FunctionTree()), /too many ingesters failed \(more than 1\)/);
      await assert.rejects(reader.profileTotals(ALL, ["service_name"]), /too many ingesters/);
      await assert.rejects(reader.mergePprof(ALL, new PprofBuilder()), /too many ingesters/);
      await assert.rejects(reader.labelValues("service_name", LABELS_ALL), /too many ingesters/);
      // With a budget of two, the one left answers alone, and holds everything.
      assert.deepEqual(await answers(c.reader(tenant, 2), ALL, "service_name"), want);
    } finally {
      await c.close();
    }
  });
});

describe("ReplicatedReader over a store-gateway holding one profile in two blocks", { timeout: 60_000 }, () => {
  it("counts each profile once, also when an ingester holds some of them too", async () => {
    const tenant = "blocks";
    const { bucket, cleanup } = await tempBucket();
    const gw = new StoreGateway({ bucket, logger: nopLogger() });
    const cleanups: (() => Promise<void>)[] = [cleanup];
    try {
      const ps = blockProfiles({ startMs: T0_MS, count: 40, stepMs: 10_000, idBase: 1, frames: ["store"] });
      // Two replica blocks with the same profiles (same IDs), as two ingesters upload them before compaction.
      await uploadBlock(bucket, tenant, ps);
      await uploadBlock(bucket, tenant, ps);
      await gw.start();
      cleanups.unshift(() => gw.stop());
      const server = await startServer((r) => registerStoreGatewayService(r, gw), { multitenancy: true });
      cleanups.unshift(() => server.stop());
      const pool = new TransportPool();
      const sg = new RemoteSource(server.address, pool.get(server.address), "store-gateway");
      const gwOnly = new ReplicatedReader(tenant, [{ name: "store-gateways", sources: [sg], maxErrors: 0 }]);
      const sum = ps.reduce((s, p) => s + cpuNanos(p.profile), 0);
      assert.ok(sum > 0);
      // The fixture really holds every profile twice: a merge without deduplication counts double.
      assert.equal(gw.tenantBlocks(tenant)?.blocks.length, 2, "both blocks are open");
      assert.equal((await gw.mergeTree(tenant, ALL)).totalValue(), 2 * sum);

      const tree = new FunctionTree();
      await gwOnly.mergeTree(ALL, tree);
      assert.equal(tree.totalValue(), sum, "tree total of the two blocks");
      const totals = await gwOnly.profileTotals(ALL, ["pod"]);
      assert.equal(totals.timeMs.length, ps.length, "one total per profile");
      assert.equal(totals.value.reduce((s, v) => s + v, 0), sum);
      const builder = new PprofBuilder();
      await gwOnly.mergePprof(ALL, builder);
      assert.equal(firstTypeTotal(builder.build(ALL.profileType, 0n, 0n, 0)), sum, "pprof total of the two blocks");
      const pods = await gwOnly.labelValues("pod", LABELS_ALL);
      assert.deepEqual([...pods].sort(), ["p0", "p1", "p2"]);

      // An ingester still holding the newest half, and a few profiles the blocks do not have.
      const [node] = await startIngesterNodes(1);
      cleanups.unshift(() => node!.close());
      const fresh = blockProfiles({ startMs: T0_MS + 400_000, count: 5, stepMs: 10_000, idBase: 1_000, frames: ["fresh"] });
      await node!.ingester.push(tenant, byTime([...ps.slice(20), ...fresh]));
      const ing = new RemoteSource(node!.addr, pool.get(node!.addr), "ingester");
      const both = new ReplicatedReader(tenant, [
        { name: "ingesters", sources: [ing], maxErrors: 0 },
        { name: "store-gateways", sources: [sg], maxErrors: 0 },
      ]);
      const all = [...ps, ...fresh];
      const t2 = new FunctionTree();
      await both.mergeTree(ALL, t2);
      assert.equal(t2.totalValue(), all.reduce((s, p) => s + cpuNanos(p.profile), 0));
      const totals2 = await both.profileTotals(ALL, ["pod"]);
      assert.equal(totals2.timeMs.length, all.length, "one total per distinct profile");
    } finally {
      for (const f of cleanups) await f();
    }
  });
});
