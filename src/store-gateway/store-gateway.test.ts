import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { buildFlameGraph } from "../model/flamegraph/index.js";
import { FunctionTree } from "../model/flamegraph/function-tree.js";
import { labelsKey, labelsString } from "../model/labels.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import { parseProfileType } from "../model/profile-type.js";
import type { LabelQuery, SelectQuery } from "../model/query.js";
import { parseSelector } from "../model/selector.js";
import type { Bucket } from "../objstore/bucket.js";
import { createFilesystemBucket } from "../objstore/filesystem.js";
import { nopLogger } from "../server/logger.js";
import { BlockFileName } from "../storage/block/block-build.js";
import { markForDeletion, tenantBlocksPrefix } from "../storage/block/bucket-blocks.js";
import type { Head } from "../storage/head/head.js";
import { MemBlockReader } from "../storage/query/mem-block-reader.js";
import { MultiReader } from "../storage/query/multi-reader.js";
import { PprofBuilder } from "../storage/query/pprof-builder.js";
import type { StoreGatewayApi } from "./api.js";
import { StoreGateway } from "./store-gateway.js";
import type { StoreGatewayOptions } from "./store-gateway.js";
import { fillHead, profileSpecs, uploadHead } from "./test-blocks.js";

const CPU = parseProfileType("process_cpu:cpu:nanoseconds:cpu:nanoseconds");
const SAMPLES = parseProfileType("process_cpu:samples:count:cpu:nanoseconds");
const HOUR = 3_600_000;
// Three blocks an hour apart, each 10 profiles over 100 s.
const T0 = Date.UTC(2024, 0, 1);
const STARTS = [T0, T0 + HOUR, T0 + 2 * HOUR];

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function tempBucket(): Promise<Bucket> {
  const dir = mkdtempSync(join(tmpdir(), "phlare-store-gateway-"));
  dirs.push(dir);
  return createFilesystemBucket({ dir });
}

function gateway(bucket: Bucket, options: Partial<StoreGatewayOptions> = {}, nowMs?: () => number): StoreGateway {
  return new StoreGateway({ bucket, logger: nopLogger(), options: { syncIntervalMs: HOUR, ...options }, ...(nowMs ? { nowMs } : {}) });
}

/** The three standard heads, one per start time, services alternating. */
function threeHeads(): Head[] {
  return STARTS.map((s, i) => fillHead(profileSpecs(s, 10, i === 1 ? "api" : "web")));
}

/** A fresh bucket holding threeHeads() as blocks of tenant t1. */
async function threeUploaded(): Promise<{ bucket: Bucket; heads: Head[]; built: Awaited<ReturnType<typeof uploadHead>>[] }> {
  const bucket = await tempBucket();
  const heads = threeHeads();
  const built = [];
  for (const h of heads) built.push(await uploadHead(bucket, "t1", h));
  return { bucket, heads, built };
}

/** The heads themselves answering the StoreGatewayApi, as the expected results. */
function headApi(heads: readonly Head[]): StoreGatewayApi {
  const r = new MultiReader(() => heads.map((h) => new MemBlockReader(h)));
  return {
    profileTypes: (_t, q) => r.profileTypes(q),
    labelNames: async (_t, q) => (await r.labelNames(q)).sort(),
    labelValues: async (_t, n, q) => (await r.labelValues(n, q)).sort(),
    series: (_t, q, names) => r.series(q, names),
    mergeTree: async (_t, q) => {
      const tree = new FunctionTree();
      await r.mergeTree(q, tree);
      return tree;
    },
    mergePprof: async (_t, q) => {
      const b = new PprofBuilder();
      await r.mergePprof(q, b);
      return b.build(q.profileType, 0n, 0n, 0);
    },
    profileTotals: (_t, q, by) => r.profileTotals(q, by),
  };
}

/** Stack (root first) → summed value, so pprof profiles built in different orders compare equal. */
function pprofStacks(p: FlatProfile): Record<string, number> {
  const out: Record<string, number> = {};
  for (let s = 0; s < p.sampleCount; s++) {
    const names: string[] = [];
    for (let k = p.locOffsets[s]!; k < p.locOffsets[s + 1]!; k++) {
      const l = p.locs[k]!;
      for (let j = p.lineOffsets[l + 1]! - 1; j >= p.lineOffsets[l]!; j--) names.push(p.strings[p.functionName[p.lineFunction[j]!]!]!);
    }
    const key = names.reverse().join(";");
    out[key] = (out[key] ?? 0) + p.values[s * p.valuesPerSample]!;
  }
  return out;
}

const RANGES: [string, number | undefined, number | undefined][] = [
  ["unbounded", undefined, undefined],
  ["second block only", STARTS[1]! - 1000, STARTS[1]! + 200_000],
  ["first two blocks", STARTS[0]!, STARTS[1]! + 50_000],
  ["between blocks", STARTS[0]! + 200_000, STARTS[1]! - 200_000],
];

/** Every query the API answers, over each range, normalized for comparison. */
async function answers(api: StoreGatewayApi, tenant: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, startMs, endMs] of RANGES) {
    const lq: LabelQuery = { selectors: [], ...(startMs !== undefined ? { startMs } : {}), ...(endMs !== undefined ? { endMs } : {}) };
    const podA: LabelQuery = { ...lq, selectors: [parseSelector('{pod="a"}')] };
    out[`${name} profileTypes`] = (await api.profileTypes(tenant, lq)).map((t) => t.id).sort();
    out[`${name} labelNames`] = await api.labelNames(tenant, lq);
    out[`${name} labelValues service_name`] = await api.labelValues(tenant, "service_name", lq);
    out[`${name} labelValues service_name pod=a`] = await api.labelValues(tenant, "service_name", podA);
    out[`${name} series`] = (await api.series(tenant, lq, [])).map(labelsKey).sort();
    out[`${name} series service_name`] = (await api.series(tenant, podA, ["service_name"])).map(labelsKey).sort();
    for (const [mname, matchers] of [["all", []], ["pod=a", parseSelector('{pod="a"}')], ["api", parseSelector('{service_name="api"}')]] as const) {
      for (const type of [CPU, SAMPLES]) {
        const q: SelectQuery = { profileType: type, matchers: [...matchers], startMs: startMs ?? 0, endMs: endMs ?? 4e12 };
        const key = `${name} ${mname} ${type.sampleType}`;
        out[`${key} flame graph`] = buildFlameGraph(await api.mergeTree(tenant, q), -1);
        out[`${key} pprof`] = pprofStacks(await api.mergePprof(tenant, q));
        const totals = await api.profileTotals(tenant, q, ["service_name"]);
        out[`${key} totals`] = [...totals.timeMs].map((t, i) => `${t} ${labelsString(totals.groups[totals.group[i]!]!)} ${totals.value[i]}`).sort();
      }
    }
  }
  return out;
}

async function assertSameAnswers(gw: StoreGatewayApi, tenant: string, heads: readonly Head[]): Promise<void> {
  const got = await answers(gw, tenant);
  const want = await answers(headApi(heads), tenant);
  for (const k of Object.keys(want)) assert.deepEqual(got[k], want[k], k);
  // The expectations must not be vacuous: the unbounded flame graph has every profile's value.
  const all = want["unbounded all cpu flame graph"] as { levels: number[][] } | undefined;
  assert.ok(all && all.levels.length > 1, "expected a non-empty flame graph");
}

function ulids(gw: StoreGateway, tenant: string): string[] {
  return (gw.tenantBlocks(tenant)?.blocks ?? []).map((b) => b.meta.ulid).sort();
}

function loaded(gw: StoreGateway, tenant: string): string[] {
  return (gw.tenantBlocks(tenant)?.blocks ?? []).filter((b) => b.loadedBytes > 0).map((b) => b.meta.ulid).sort();
}

async function flame(gw: StoreGatewayApi, tenant: string, startMs: number, endMs: number): Promise<unknown> {
  return buildFlameGraph(await gw.mergeTree(tenant, { profileType: CPU, matchers: [], startMs, endMs }), -1);
}

describe("StoreGateway", () => {
  it("finds uploaded blocks at start and answers every query like the heads", async () => {
    const { bucket, heads, built } = await threeUploaded();
    const gw = gateway(bucket);
    await gw.start();
    assert.deepEqual(ulids(gw, "t1"), built.map((b) => b.meta.ulid).sort());
    assert.deepEqual(gw.tenantStatuses().map((t) => t.tenant), ["t1"]);
    await assertSameAnswers(gw, "t1", heads);
    await gw.stop();
    assert.equal(gw.loadedBytes, 0, "stop unloads every block");
  });

  it("finds blocks uploaded after start on sync() and on the periodic sync", async () => {
    const bucket = await tempBucket();
    const heads = threeHeads();
    const gw = gateway(bucket, { syncIntervalMs: 20 });
    await gw.start();
    assert.deepEqual(gw.tenantStatuses(), []);
    await uploadHead(bucket, "t1", heads[0]!);
    await gw.sync();
    assert.equal(ulids(gw, "t1").length, 1);
    await uploadHead(bucket, "t1", heads[1]!);
    const deadline = Date.now() + 5_000;
    while (ulids(gw, "t1").length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(ulids(gw, "t1").length, 2, "the periodic sync found the second block");
    await gw.stop();
  });

  it("runs one more sync for a call made during a sync", async () => {
    const bucket = await tempBucket();
    const heads = threeHeads();
    const gw = gateway(bucket);
    const first = gw.sync();
    await uploadHead(bucket, "t1", heads[0]!);
    const second = gw.sync();
    await Promise.all([first, second]);
    assert.equal(ulids(gw, "t1").length, 1);
    await gw.stop();
  });

  describe("which blocks are visible", () => {
    const cases: {
      name: string;
      setup: (bucket: Bucket, heads: Head[]) => Promise<{ visible: Head[]; hidden: string[] }>;
    }[] = [
      {
        name: "a block without meta.json (upload in progress) is ignored",
        setup: async (bucket, heads) => {
          const partial = await uploadHead(bucket, "t1", heads[2]!, { withoutMeta: true });
          return { visible: heads.slice(0, 2), hidden: [partial.meta.ulid] };
        },
      },
      {
        name: "a block marked for deletion is hidden",
        setup: async (bucket, heads) => {
          const marked = await uploadHead(bucket, "t1", heads[2]!);
          await markForDeletion(bucket, "t1", marked.meta.ulid, Date.now());
          return { visible: heads.slice(0, 2), hidden: [marked.meta.ulid] };
        },
      },
      {
        name: "the sources of a compacted block are hidden; only the level-2 block counts",
        setup: async (bucket, heads) => {
          const a = await uploadHead(bucket, "t1", fillHead(profileSpecs(STARTS[2]!, 5, "web")));
          const b = await uploadHead(bucket, "t1", fillHead(profileSpecs(STARTS[2]! + 50_000, 5, "web").map((s, i) => ({ ...s, weight: s.weight + 5, frames: ["main", "web.work", `leaf${(i + 5) % 3}`] }))));
          const c = await uploadHead(bucket, "t1", heads[2]!, {
            compaction: {
              level: 2,
              sources: [a.meta.ulid, b.meta.ulid],
              parents: [a, b].map((x) => ({ ulid: x.meta.ulid, minTime: x.meta.minTimeMs, maxTime: x.meta.maxTimeMs })),
            },
          });
          assert.equal(c.meta.compaction.level, 2);
          return { visible: heads, hidden: [a.meta.ulid, b.meta.ulid] };
        },
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const bucket = await tempBucket();
        const heads = threeHeads();
        const base = [await uploadHead(bucket, "t1", heads[0]!), await uploadHead(bucket, "t1", heads[1]!)];
        const { visible, hidden } = await c.setup(bucket, heads);
        const gw = gateway(bucket);
        await gw.start();
        const open = ulids(gw, "t1");
        for (const h of hidden) assert.ok(!open.includes(h), `${h} is hidden`);
        for (const b of base) assert.ok(open.includes(b.meta.ulid));
        assert.equal(open.length, visible.length);
        await assertSameAnswers(gw, "t1", visible);
        await gw.stop();
      });
    }

    it("drops (and unloads) blocks marked or deleted after they were opened", async () => {
      const { bucket, heads, built } = await threeUploaded();
      const gw = gateway(bucket);
      await gw.start();
      await flame(gw, "t1", 0, 4e12);
      assert.equal(loaded(gw, "t1").length, 3);
      await markForDeletion(bucket, "t1", built[2]!.meta.ulid, Date.now());
      await bucket.delete(`${tenantBlocksPrefix("t1")}${built[1]!.meta.ulid}/${BlockFileName.Meta}`);
      const before = gw.loadedBytes;
      await gw.sync();
      assert.deepEqual(ulids(gw, "t1"), [built[0]!.meta.ulid]);
      assert.ok(gw.loadedBytes < before && gw.loadedBytes > 0, "only the remaining block stays loaded");
      await assertSameAnswers(gw, "t1", heads.slice(0, 1));
      await gw.stop();
    });

    it("does not open blocks whose maxTime is within ignoreBlocksWithinMs of now", async () => {
      const { bucket, built } = await threeUploaded();
      let now = STARTS[2]! + 30 * 60_000;
      const gw = gateway(bucket, { ignoreBlocksWithinMs: HOUR }, () => now);
      await gw.start();
      assert.deepEqual(ulids(gw, "t1"), built.slice(0, 2).map((b) => b.meta.ulid).sort(), "the newest block is too young");
      now += HOUR;
      await gw.sync();
      assert.equal(ulids(gw, "t1").length, 3, "an hour later it is opened");
      await gw.stop();
    });
  });

  describe("lazy loading and the cache bound", () => {
    async function setup(options: Partial<StoreGatewayOptions> = {}): Promise<{ gw: StoreGateway; bucket: Bucket; heads: Head[]; ids: string[] }> {
      const bucket = await tempBucket();
      const heads = threeHeads();
      const ids: string[] = [];
      for (const h of heads) ids.push((await uploadHead(bucket, "t1", h)).meta.ulid);
      const gw = gateway(bucket, options);
      await gw.start();
      return { gw, bucket, heads, ids };
    }

    it("loads nothing at sync and nothing outside the query range", async () => {
      const { gw, ids } = await setup();
      assert.equal(gw.loadedBytes, 0, "sync reads only meta.json and index.bin");
      await gw.labelValues("t1", "service_name", { selectors: [] });
      await gw.series("t1", { selectors: [] }, []);
      assert.equal(gw.loadedBytes, 0, "label queries use the index alone");
      const cases: [string, number, number, string[]][] = [
        ["second block's range", STARTS[1]!, STARTS[1]! + 200_000, [ids[1]!]],
        ["between blocks", STARTS[0]! + 200_000, STARTS[1]! - 200_000, [ids[1]!]],
        ["first block's range", STARTS[0]!, STARTS[0]! + 200_000, [ids[0]!, ids[1]!]],
      ];
      for (const [name, startMs, endMs, want] of cases) {
        await gw.mergeTree("t1", { profileType: CPU, matchers: [], startMs, endMs });
        assert.deepEqual(loaded(gw, "t1"), [...want].sort(), name);
      }
      await gw.mergeTree("t1", { profileType: CPU, matchers: parseSelector('{service_name="nope"}'), startMs: 0, endMs: 4e12 });
      assert.equal(loaded(gw, "t1").length, 2, "a selector matching no series in the index loads nothing");
      await gw.stop();
    });

    it("unloads the least recently used blocks past maxLoadedBytes", async () => {
      // Sizes measured on the very blocks the bounded gateway reads: profile IDs are random, so sizes vary per build.
      const first = await setup();
      await flame(first.gw, "t1", 0, 4e12);
      const bytes = new Map((first.gw.tenantBlocks("t1")?.blocks ?? []).map((b) => [b.meta.ulid, b.loadedBytes]));
      await first.gw.stop();
      const { heads, ids } = first;
      const sizes = ids.map((id) => bytes.get(id) ?? 0);
      assert.ok(sizes.every((s) => s > 0));
      const [a, b, c] = sizes as [number, number, number];
      // Room for the first block with either other one, not for all three.
      const gw = gateway(first.bucket, { maxLoadedBytes: Math.max(a + b, a + c) });
      await gw.start();
      const steps: [string, number, string[]][] = [
        ["first block", 0, [ids[0]!]],
        ["second block", 1, [ids[0]!, ids[1]!]],
        ["first block again", 0, [ids[0]!, ids[1]!]],
        ["third block evicts the second, the least recently used", 2, [ids[0]!, ids[2]!]],
      ];
      for (const [name, i, want] of steps) {
        const want0 = await flame(headApi(heads), "t1", STARTS[i]!, STARTS[i]! + 200_000);
        assert.deepEqual(await flame(gw, "t1", STARTS[i]!, STARTS[i]! + 200_000), want0, name);
        assert.deepEqual(loaded(gw, "t1"), [...want].sort(), name);
        assert.ok(gw.loadedBytes <= gw.maxLoadedBytes, name);
      }
      assert.equal(gw.evictions, 1);
      await gw.stop();
    });

    it("answers right with a bound smaller than any block, keeping one block loaded", async () => {
      const { gw, heads } = await setup({ maxLoadedBytes: 1 });
      await assertSameAnswers(gw, "t1", heads);
      assert.ok(loaded(gw, "t1").length <= 1);
      assert.ok(gw.evictions > 0);
      await gw.stop();
    });
  });

  describe("failures", () => {
    it("skips a block with a corrupt index.bin and answers from the rest", async () => {
      const bucket = await tempBucket();
      const heads = threeHeads();
      await uploadHead(bucket, "t1", heads[0]!);
      await uploadHead(bucket, "t1", heads[1]!);
      const bad = await uploadHead(bucket, "t1", heads[2]!, { replace: { [BlockFileName.Index]: new TextEncoder().encode("garbage, not an index") } });
      const errors: string[] = [];
      const logger = { ...nopLogger(), error: (msg: string) => errors.push(msg) };
      const gw = new StoreGateway({ bucket, logger, options: { syncIntervalMs: HOUR } });
      await gw.start();
      assert.equal(ulids(gw, "t1").length, 2);
      assert.deepEqual(gw.tenantBlocks("t1")?.skipped.map((s) => s.ulid), [bad.meta.ulid]);
      assert.ok(errors.some((m) => /opening block failed/.test(m)), "the skip is logged");
      await assertSameAnswers(gw, "t1", heads.slice(0, 2));
      errors.length = 0;
      await gw.sync();
      assert.deepEqual(errors, [], "a corrupt block is not retried while it stays in the bucket");
      await gw.stop();
    });

    it("retries a block whose open failed for another reason at the next sync", async () => {
      const inner = await tempBucket();
      let failIndex = true;
      const bucket = wrapBucket(inner, async (key) => {
        if (failIndex && key.endsWith(`/${BlockFileName.Index}`)) throw new Error("connection reset");
      });
      const heads = threeHeads();
      await uploadHead(inner, "t1", heads[0]!);
      const gw = gateway(bucket);
      await gw.start();
      assert.equal(ulids(gw, "t1").length, 0);
      assert.deepEqual(gw.tenantBlocks("t1")?.skipped, [], "a transient failure is not remembered as corruption");
      failIndex = false;
      await gw.sync();
      assert.equal(ulids(gw, "t1").length, 1);
      await gw.stop();
    });

    it("keeps the previous blocks when a sync fails", async () => {
      const inner = await tempBucket();
      let failList = false;
      const bucket = wrapBucket(inner, async () => {}, async () => {
        if (failList) throw new Error("bucket unreachable");
      });
      const heads = threeHeads();
      for (const h of heads) await uploadHead(inner, "t1", h);
      const gw = gateway(bucket);
      await gw.start();
      const before = ulids(gw, "t1");
      assert.equal(before.length, 3);
      failList = true;
      await gw.sync();
      assert.deepEqual(ulids(gw, "t1"), before);
      assert.match(gw.lastSyncError ?? "", /bucket unreachable/);
      await assertSameAnswers(gw, "t1", heads);
      failList = false;
      await gw.sync();
      assert.equal(gw.lastSyncError, undefined);
      await gw.stop();
    });

    it("skips a block whose meta.json is corrupt and keeps serving the others", async () => {
      const bucket = await tempBucket();
      const heads = threeHeads();
      await uploadHead(bucket, "t1", heads[0]!);
      const gw = gateway(bucket);
      await gw.start();
      await uploadHead(bucket, "t1", heads[1]!, { editMeta: () => "{ not json" });
      await uploadHead(bucket, "t1", heads[2]!);
      await gw.sync();
      assert.equal(ulids(gw, "t1").length, 2);
      const skipped = gw.tenantBlocks("t1")?.skipped ?? [];
      assert.equal(skipped.length, 1);
      assert.match(skipped[0]!.error, /not JSON/);
      await assertSameAnswers(gw, "t1", [heads[0]!, heads[2]!]);
      await gw.stop();
    });
  });

  it("keeps tenants apart", async () => {
    const bucket = await tempBucket();
    const a = threeHeads();
    const b = [fillHead(profileSpecs(STARTS[0]!, 7, "other"))];
    for (const h of a) await uploadHead(bucket, "tenant-a", h);
    for (const h of b) await uploadHead(bucket, "tenant-b", h);
    const gw = gateway(bucket);
    await gw.start();
    await assertSameAnswers(gw, "tenant-a", a);
    await assertSameAnswers(gw, "tenant-b", b);
    assert.deepEqual(await gw.labelNames("nobody", { selectors: [] }), []);
    assert.deepEqual(buildFlameGraph(await gw.mergeTree("nobody", { profileType: CPU, matchers: [], startMs: 0, endMs: 4e12 }), -1), buildFlameGraph(new FunctionTree(), -1));
    assert.equal((await gw.profileTotals("nobody", { profileType: CPU, matchers: [], startMs: 0, endMs: 4e12 }, [])).timeMs.length, 0);
    assert.equal(gw.tenantBlocks("nobody"), undefined);
    await gw.stop();
  });

  it("forgets a tenant whose blocks are all gone from the bucket", async () => {
    const bucket = await tempBucket();
    const built = await uploadHead(bucket, "gone", threeHeads()[0]!);
    const gw = gateway(bucket);
    await gw.start();
    assert.equal(ulids(gw, "gone").length, 1);
    const { objects } = await bucket.list(`${tenantBlocksPrefix("gone")}${built.meta.ulid}/`);
    for (const o of objects) await bucket.delete(o.key);
    await gw.sync();
    assert.equal(gw.tenantBlocks("gone"), undefined);
    await gw.stop();
  });
});

/** A bucket that runs `beforeGet` before every get and `beforeList` before every list (to inject failures). */
function wrapBucket(inner: Bucket, beforeGet: (key: string) => Promise<void>, beforeList: () => Promise<void> = async () => {}): Bucket {
  return {
    kind: inner.kind,
    get: async (key) => {
      await beforeGet(key);
      return inner.get(key);
    },
    getRange: (key, o, l) => inner.getRange(key, o, l),
    put: (key, body) => inner.put(key, body),
    upload: (key, open, options) => inner.upload(key, open, options),
    exists: (key) => inner.exists(key),
    delete: (key) => inner.delete(key),
    list: async (prefix, options) => {
      await beforeList();
      return inner.list(prefix, options);
    },
    attributes: (key) => inner.attributes(key),
    close: () => inner.close(),
  };
}
