/**
 * Ingester semantics seen through the public API: the per-series out-of-order
 * check, and the server-side delta of cumulative profiles (memory alloc_*, or
 * any profile with __delta__="true"), read back as SelectMergeStacktraces totals.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Code } from "@connectrpc/connect";
import { CPU, cpuTotal, fgTotal, rawSeries, recentMs, rejection } from "./helpers/api.js";
import type { TestProfile } from "./helpers/pprof.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const T0 = recentMs() - 120_000;
const ALLOC_OBJECTS = "memory:alloc_objects:count:space:bytes";
const ALLOC_SPACE = "memory:alloc_space:bytes:space:bytes";
const INUSE_OBJECTS = "memory:inuse_objects:count:space:bytes";
const INUSE_SPACE = "memory:inuse_space:bytes:space:bytes";

/** Go heap profile: values per stack are [alloc_objects, alloc_space, inuse_objects, inuse_space]. */
function heap(timeMs: number, stacks: Record<string, [number, number, number, number]>): TestProfile {
  return {
    sampleTypes: [["alloc_objects", "count"], ["alloc_space", "bytes"], ["inuse_objects", "count"], ["inuse_space", "bytes"]],
    periodType: ["space", "bytes"],
    period: 524_288,
    timeNanos: BigInt(timeMs) * 1_000_000n,
    stacks: Object.entries(stacks).map(([leaf, values]) => ({ frames: ["main", leaf], values })),
  };
}

/** A one-sample-type profile named by the series' __name__. */
function counter(timeMs: number, stacks: Record<string, number>): TestProfile {
  return {
    sampleTypes: [["events", "count"]],
    periodType: ["events", "count"],
    timeNanos: BigInt(timeMs) * 1_000_000n,
    stacks: Object.entries(stacks).map(([leaf, v]) => ({ frames: ["main", leaf], values: [v] })),
  };
}

/** Cumulative heap profiles of one process: A and B grow, C appears, then a restart. */
const HEAP_PUSHES: { at: number; stacks: Record<string, [number, number, number, number]> }[] = [
  { at: T0, stacks: { A: [10, 1000, 1, 100], B: [5, 500, 2, 200] } },
  { at: T0 + 10_000, stacks: { A: [15, 1500, 3, 300], B: [5, 500, 1, 100], C: [2, 200, 1, 50] } },
  { at: T0 + 20_000, stacks: { A: [12, 1200, 2, 200], B: [6, 600, 1, 100], C: [2, 200, 1, 50] } },
  { at: T0 + 30_000, stacks: { A: [14, 1400, 1, 10], B: [6, 600, 1, 10], C: [3, 300, 1, 10] } },
];

describe("ingester semantics", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(["-auth.multitenancy-enabled=true"]);
  });
  after(() => s.stop());

  const total = async (tenant: string, type: string, selector: string, startMs: number, endMs: number): Promise<number> =>
    fgTotal(await s.clients({ tenant }).querier.selectMergeStacktraces({ profileTypeID: type, labelSelector: selector, start: BigInt(startMs), end: BigInt(endMs) }));

  describe("out-of-order profiles", () => {
    const L = { __name__: "process_cpu", service_name: "ooo" };
    before(async () => {
      await s.clients({ tenant: "ooo" }).push.push({ series: [cpuTotal(L, 100, T0 + 10_000)] });
    });

    it("rejects a profile older than the series' last one with 400 invalid_argument", async () => {
      const err = await rejection(s.clients({ tenant: "ooo" }).push.push({ series: [cpuTotal(L, 7, T0 + 9_999)] }));
      assert.equal(err.code, Code.InvalidArgument);
      assert.match(err.rawMessage, /out of order/);
      assert.equal(await total("ooo", CPU, '{service_name="ooo"}', T0, T0 + 20_000), 100);
    });

    it("accepts a profile with the same timestamp and stores both", async () => {
      await s.clients({ tenant: "ooo" }).push.push({ series: [cpuTotal(L, 5, T0 + 10_000)] });
      assert.equal(await total("ooo", CPU, '{service_name="ooo"}', T0, T0 + 20_000), 105);
    });

    it("checks order per series: an older profile of another series is accepted", async () => {
      await s.clients({ tenant: "ooo" }).push.push({ series: [cpuTotal({ ...L, pod: "other" }, 3, T0)] });
      assert.equal(await total("ooo", CPU, '{pod="other"}', T0, T0 + 20_000), 3);
    });

    it("checks order per tenant: the same series of another tenant is independent", async () => {
      await s.clients({ tenant: "ooo-2" }).push.push({ series: [cpuTotal(L, 9, T0)] });
      assert.equal(await total("ooo-2", CPU, '{service_name="ooo"}', T0, T0 + 20_000), 9);
    });

    it("stores every sample of a series with several profiles in one push", async () => {
      const two = rawSeries({ __name__: "process_cpu", service_name: "multi" }, new Uint8Array(0));
      two.samples = [cpuTotal(L, 20, T0).samples[0]!, cpuTotal(L, 30, T0 + 1_000).samples[0]!];
      await s.clients({ tenant: "ooo" }).push.push({ series: [two] });
      assert.equal(await total("ooo", CPU, '{service_name="multi"}', T0, T0 + 20_000), 50);
    });

    it("accepts newer profiles after a rejection", async () => {
      await s.clients({ tenant: "ooo" }).push.push({ series: [cpuTotal(L, 1, T0 + 11_000)] });
      assert.equal(await total("ooo", CPU, '{service_name="ooo", pod=""}', T0, T0 + 20_000), 106);
    });
  });

  describe("delta of memory alloc_* profiles", () => {
    const L = { __name__: "memory", service_name: "heap" };
    before(async () => {
      for (const p of HEAP_PUSHES) await s.clients({ tenant: "delta" }).push.push({ series: [rawSeries(L, heap(p.at, p.stacks))] });
    });

    const cases = [
      { name: "the first profile only seeds the state", at: 0, want: { [ALLOC_OBJECTS]: 0, [ALLOC_SPACE]: 0, [INUSE_OBJECTS]: 3, [INUSE_SPACE]: 300 } },
      // A: 15−10, B: unchanged (0, dropped), C: new (kept whole).
      { name: "the second stores the difference", at: 1, want: { [ALLOC_OBJECTS]: 7, [ALLOC_SPACE]: 700, [INUSE_OBJECTS]: 5, [INUSE_SPACE]: 450 } },
      { name: "a decrease resets the state and is dropped", at: 2, want: { [ALLOC_OBJECTS]: 0, [ALLOC_SPACE]: 0, [INUSE_OBJECTS]: 4, [INUSE_SPACE]: 350 } },
      // Against the reset profile: A 14−12, B 6−6, C 3−2.
      { name: "the next one is a delta against the reset profile", at: 3, want: { [ALLOC_OBJECTS]: 3, [ALLOC_SPACE]: 300, [INUSE_OBJECTS]: 3, [INUSE_SPACE]: 30 } },
    ];
    for (const c of cases) {
      it(`${c.name} (inuse_* kept as sent)`, async () => {
        const at = HEAP_PUSHES[c.at]!.at;
        for (const [type, want] of Object.entries(c.want)) {
          assert.equal(await total("delta", type, '{service_name="heap"}', at, at), want, type);
        }
      });
    }

    it("sums to the deltas over the whole range", async () => {
      assert.equal(await total("delta", ALLOC_OBJECTS, "{}", T0, T0 + 60_000), 10);
      assert.equal(await total("delta", ALLOC_SPACE, "{}", T0, T0 + 60_000), 1000);
      assert.equal(await total("delta", INUSE_OBJECTS, "{}", T0, T0 + 60_000), 15);
    });

    it("per-stack values of a delta profile", async () => {
      const at = HEAP_PUSHES[1]!.at;
      const res = await s.clients({ tenant: "delta" }).querier.selectMergeStacktraces({ profileTypeID: ALLOC_OBJECTS, labelSelector: "{}", start: BigInt(at), end: BigInt(at) });
      const fg = res.flamegraph!;
      const leaves = fg.levels[2]!.values.map(Number);
      const byName: Record<string, number> = {};
      for (let i = 0; i < leaves.length; i += 4) byName[fg.names[leaves[i + 3]!]!] = leaves[i + 1]!;
      assert.deepEqual(byName, { A: 5, C: 2 });
    });

    it("SelectSeries shows no point for the seed and the reset profiles", async () => {
      const res = await s.clients({ tenant: "delta" }).querier.selectSeries({ profileTypeID: ALLOC_OBJECTS, labelSelector: "{}", start: BigInt(T0), end: BigInt(T0 + 30_000), step: 10 });
      assert.deepEqual(res.series.map((x) => x.points.map((p) => [Number(p.timestamp) - T0, p.value])), [[[10_000, 7], [30_000, 3]]]);
    });
  });

  describe("the __delta__ label", () => {
    before(async () => {
      const push = s.clients({ tenant: "override" }).push;
      for (const [i, p] of HEAP_PUSHES.slice(0, 2).entries()) {
        await push.push({
          series: [
            rawSeries({ __name__: "memory", service_name: "no-delta", __delta__: "false" }, heap(p.at, p.stacks)),
            rawSeries({ __name__: "events", service_name: "forced", __delta__: "true" }, counter(p.at, { A: 10 + 5 * i, B: 4 })),
            rawSeries({ __name__: "events", service_name: "plain" }, counter(p.at, { A: 10 + 5 * i, B: 4 })),
          ],
        });
      }
    });

    it('__delta__="false" stores memory alloc_* profiles as sent', async () => {
      assert.equal(await total("override", ALLOC_OBJECTS, '{service_name="no-delta"}', T0, T0), 15);
      assert.equal(await total("override", ALLOC_OBJECTS, '{service_name="no-delta"}', T0, T0 + 20_000), 37);
    });

    it('__delta__="true" turns another profile name into deltas', async () => {
      const type = "events:events:count:events:count";
      assert.equal(await total("override", type, '{service_name="forced"}', T0, T0), 0);
      assert.equal(await total("override", type, '{service_name="forced"}', T0 + 10_000, T0 + 10_000), 5);
    });

    it("other profile names are never delta'd", async () => {
      assert.equal(await total("override", "events:events:count:events:count", '{service_name="plain"}', T0, T0 + 20_000), 33);
    });

    it("the __delta__ label is kept on the stored series", async () => {
      const res = await s.clients({ tenant: "override" }).querier.labelValues({ name: "__delta__" });
      assert.deepEqual(res.names, ["false", "true"]);
    });
  });

  describe("a delta series that has only its seed profile", () => {
    before(async () => {
      await s.clients({ tenant: "seed-only" }).push.push({ series: [rawSeries({ __name__: "memory", service_name: "heap" }, heap(T0, HEAP_PUSHES[0]!.stacks))] });
    });

    it("is not listed by ProfileTypes", async () => {
      const res = await s.clients({ tenant: "seed-only" }).querier.profileTypes({});
      assert.deepEqual(res.profileTypes.map((t) => t.ID), [INUSE_OBJECTS, INUSE_SPACE]);
    });

    const labelQueries = [
      { name: "LabelValues without matchers", matchers: [] },
      { name: "LabelValues with a matcher", matchers: ['{service_name="heap"}'] },
    ];
    for (const c of labelQueries) {
      it(`is not listed by ${c.name}`, async () => {
        const res = await s.clients({ tenant: "seed-only" }).querier.labelValues({ name: "__type__", matchers: c.matchers });
        assert.deepEqual(res.names, ["inuse_objects", "inuse_space"]);
      });
    }

    it("is not listed by Series", async () => {
      const res = await s.clients({ tenant: "seed-only" }).querier.series({ matchers: [], labelNames: ["__type__"] });
      assert.deepEqual(res.labelsSet.map((l) => l.labels[0]!.value), ["inuse_objects", "inuse_space"]);
    });
  });
});
