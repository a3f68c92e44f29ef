/**
 * The query-frontend's per-tenant limits: max_query_length rejects, max_query_lookback
 * clamps (and answers empty, not an error, when nothing is visible), splitting by
 * split_queries_by_interval changes no answer, and max_nodes is capped.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Code } from "@connectrpc/connect";
import type { RawProfileSeries } from "../src/gen/push/v1/push_pb.js";
import { CPU, CPU_SAMPLES, connectErrorBody, cpuSeries, cpuTotal, fgTotal, postConnectJson, rejection } from "./helpers/api.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const HOUR = 3_600_000;
/** "Now" for the test data: a whole minute, so interval boundaries fall on profiles. */
const NOW = Math.floor(Date.now() / 60_000) * 60_000;

describe("max_query_length", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(["-querier.max-query-length=1h"]);
    await s.clients().push.push({ series: [cpuTotal({ __name__: "process_cpu", service_name: "len" }, 10, NOW - 30 * 60_000)] });
  });
  after(() => s.stop());

  const tooLong = [
    { method: "SelectMergeStacktraces", extra: {}, length: 2 * HOUR, text: "2h0m0s" },
    { method: "SelectMergeStacktraces", extra: {}, length: HOUR + 1, text: "1h0m0.001s" },
    { method: "SelectSeries", extra: { step: 60 }, length: 2 * HOUR, text: "2h0m0s" },
    { method: "SelectMergeProfile", extra: {}, length: 90 * 60_000, text: "1h30m0s" },
  ];
  for (const c of tooLong) {
    it(`rejects ${c.method} over ${c.text} with 400 invalid_argument and Phlare's message`, async () => {
      const res = await postConnectJson(s.url, `/querier.v1.QuerierService/${c.method}`, {
        profileTypeID: CPU,
        labelSelector: "{}",
        start: String(NOW - c.length),
        end: String(NOW),
        ...c.extra,
      });
      assert.equal(res.status, 400, res.text);
      assert.deepEqual(connectErrorBody(res), {
        code: "invalid_argument",
        message: `the query time range exceeds the limit (query length: ${c.text}, limit: 1h)`,
      });
    });
  }

  it("accepts a range of exactly the limit", async () => {
    const res = await s.clients().querier.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: "{}", start: BigInt(NOW - HOUR), end: BigInt(NOW) });
    assert.equal(fgTotal(res), 10);
  });

  it("reports the error code to connect clients as InvalidArgument", async () => {
    const err = await rejection(s.clients().querier.selectSeries({ profileTypeID: CPU, labelSelector: "{}", start: BigInt(NOW - 3 * HOUR), end: BigInt(NOW), step: 60 }));
    assert.equal(err.code, Code.InvalidArgument);
  });
});

describe("max_query_lookback", () => {
  let s: TestServer;
  const OLD = NOW - 2 * HOUR;
  const RECENT = NOW - 10 * 60_000;
  before(async () => {
    s = await startTestServer(["-querier.max-query-lookback=1h", "-querier.max-query-length=0"]);
    const push = s.clients().push;
    await push.push({ series: [cpuTotal({ __name__: "process_cpu", service_name: "lb" }, 1000, OLD)] });
    await push.push({ series: [cpuTotal({ __name__: "process_cpu", service_name: "lb" }, 7, RECENT)] });
  });
  after(() => s.stop());

  it("hides data older than the lookback from a flame graph", async () => {
    const res = await s.clients().querier.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: "{}", start: BigInt(NOW - 3 * HOUR), end: BigInt(NOW) });
    assert.equal(fgTotal(res), 7);
  });

  it("answers a range entirely before the lookback with an empty flame graph", async () => {
    const res = await s.clients().querier.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: "{}", start: BigInt(OLD - HOUR), end: BigInt(OLD + 60_000) });
    assert.equal(fgTotal(res), 0);
  });

  it("answers a range entirely before the lookback with no series", async () => {
    const res = await s.clients().querier.selectSeries({ profileTypeID: CPU, labelSelector: "{}", start: BigInt(OLD - HOUR), end: BigInt(OLD + 60_000), step: 60 });
    assert.deepEqual(res.series, []);
  });

  it("answers a range entirely before the lookback with a profile without samples", async () => {
    const p = await s.clients().querier.selectMergeProfile({ profileTypeID: CPU, labelSelector: "{}", start: BigInt(OLD - HOUR), end: BigInt(OLD + 60_000) });
    assert.equal(p.sample.length, 0);
    assert.equal(p.timeNanos, BigInt(OLD + 60_000) * 1_000_000n);
  });

  it("keeps the series grid of the requested start when it clamps", async () => {
    // Points at start + k·60s; RECENT is one of them, OLD is before the lookback.
    const start = RECENT - 150 * 60_000;
    const res = await s.clients().querier.selectSeries({ profileTypeID: CPU, labelSelector: "{}", start: BigInt(start), end: BigInt(NOW), step: 60 });
    assert.deepEqual(res.series.map((x) => x.points.map((p) => [Number(p.timestamp), p.value])), [[[RECENT, 7]]]);
  });

  it("clamps SelectMergeProfile but keeps the requested time range in the profile", async () => {
    const start = NOW - 3 * HOUR;
    const p = await s.clients().querier.selectMergeProfile({ profileTypeID: CPU, labelSelector: "{}", start: BigInt(start), end: BigInt(NOW) });
    assert.equal(p.sample.reduce((a, x) => a + Number(x.value[0]), 0), 7);
    assert.equal(p.durationNanos, BigInt(NOW - start) * 1_000_000n);
  });
});

/** Deterministic profiles over 12 minutes, several on minute boundaries. */
function splitData(): RawProfileSeries[] {
  const out: RawProfileSeries[] = [];
  const base = NOW - 15 * 60_000;
  for (let i = 0; i < 48; i++) {
    const t = base + i * 15_000 + (i % 3 === 0 ? 0 : 1 + ((i * 7919) % 14_000));
    const pod = ["a", "b", "c"][i % 3]!;
    out.push(
      cpuSeries(
        { __name__: "process_cpu", service_name: "split", pod },
        [
          { frames: ["main", `work_${i % 5}`, `leaf_${i % 7}`], values: [1, 10 + ((i * 31) % 97)] },
          { frames: ["main", "gc"], values: [1, 1 + (i % 4)] },
          ...(i % 4 === 0 ? [{ frames: ["main", `rare_${i}`], values: [1, 3] }] : []),
        ],
        t,
      ),
    );
  }
  return out;
}

describe("split_queries_by_interval gives the same answers", () => {
  let plain: TestServer;
  let split: TestServer;
  const base = NOW - 15 * 60_000;
  before(async () => {
    plain = await startTestServer();
    split = await startTestServer(["-querier.split-queries-by-interval=1m", "-querier.max-query-parallelism=3"]);
    // One push per profile: each pod's profiles arrive in time order.
    for (const series of splitData()) {
      await plain.clients().push.push({ series: [series] });
      await split.clients().push.push({ series: [series] });
    }
  });
  after(async () => {
    await plain.stop();
    await split.stop();
  });

  const ranges = [
    { name: "aligned to minutes", start: base, end: base + 12 * 60_000 },
    { name: "unaligned", start: base + 7_777, end: base + 11 * 60_000 + 1_234 },
    { name: "within one interval", start: base + 61_000, end: base + 119_000 },
    { name: "ending on a boundary", start: base + 30_000, end: base + 5 * 60_000 },
  ];

  for (const r of ranges) {
    it(`SelectMergeStacktraces, ${r.name}`, async () => {
      const req = { profileTypeID: CPU, labelSelector: '{service_name="split"}', start: BigInt(r.start), end: BigInt(r.end) };
      const a = await plain.clients().querier.selectMergeStacktraces(req);
      const b = await split.clients().querier.selectMergeStacktraces(req);
      assert.ok(fgTotal(a) > 0);
      assert.deepEqual(b.flamegraph, a.flamegraph);
    });

    it(`SelectMergeStacktraces with max_nodes, ${r.name}`, async () => {
      const req = { profileTypeID: CPU, labelSelector: "{}", start: BigInt(r.start), end: BigInt(r.end), maxNodes: 5n };
      const a = await plain.clients().querier.selectMergeStacktraces(req);
      const b = await split.clients().querier.selectMergeStacktraces(req);
      assert.deepEqual(b.flamegraph, a.flamegraph);
    });

    for (const step of [7, 15, 45, 90]) {
      it(`SelectSeries step ${step}s by pod, ${r.name}`, async () => {
        const req = { profileTypeID: CPU, labelSelector: "{}", start: BigInt(r.start), end: BigInt(r.end), step, groupBy: ["pod"] };
        const a = await plain.clients().querier.selectSeries(req);
        const b = await split.clients().querier.selectSeries(req);
        assert.ok(a.series.length > 0);
        assert.deepEqual(b.series, a.series);
      });
    }

    it(`SelectSeries with limit 2, ${r.name}`, async () => {
      const req = { profileTypeID: CPU_SAMPLES, labelSelector: "{}", start: BigInt(r.start), end: BigInt(r.end), step: 30, groupBy: ["pod"], limit: 2n };
      const a = await plain.clients().querier.selectSeries(req);
      const b = await split.clients().querier.selectSeries(req);
      assert.deepEqual(b.series, a.series);
    });

    it(`Diff, ${r.name}`, async () => {
      const left = { profileTypeID: CPU, labelSelector: '{pod="a"}', start: BigInt(r.start), end: BigInt(r.end) };
      const right = { ...left, labelSelector: '{pod!="a"}' };
      const a = await plain.clients().querier.diff({ left, right });
      const b = await split.clients().querier.diff({ left, right });
      assert.deepEqual(b.flamegraph, a.flamegraph);
    });

    it(`SelectMergeProfile totals, ${r.name}`, async () => {
      const req = { profileTypeID: CPU, labelSelector: "{}", start: BigInt(r.start), end: BigInt(r.end) };
      const sum = (p: { sample: { value: bigint[] }[] }) => p.sample.reduce((x, s) => x + Number(s.value[0]), 0);
      const a = await plain.clients().querier.selectMergeProfile(req);
      const b = await split.clients().querier.selectMergeProfile(req);
      assert.equal(sum(b), sum(a));
    });
  }
});

describe("max_flamegraph_nodes_max", () => {
  let s: TestServer;
  const T = NOW - 60_000;
  before(async () => {
    s = await startTestServer(["-querier.max-flamegraph-nodes-max=100"]);
    await s.clients().push.push({ series: [cpuTotal({ __name__: "process_cpu", service_name: "nodes" }, 5, T)] });
  });
  after(() => s.stop());

  const cases = [
    { name: "SelectMergeStacktraces max_nodes 101", path: "SelectMergeStacktraces", body: { profileTypeID: CPU, labelSelector: "{}", start: String(T - 1000), end: String(T + 1000), maxNodes: "101" } },
    {
      name: "Diff max_nodes 1000",
      path: "Diff",
      body: {
        left: { profileTypeID: CPU, labelSelector: "{}", start: String(T - 1000), end: String(T + 1000), maxNodes: "1000" },
        right: { profileTypeID: CPU, labelSelector: "{}", start: String(T - 1000), end: String(T + 1000), maxNodes: "1000" },
      },
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} with 400 invalid_argument`, async () => {
      const res = await postConnectJson(s.url, `/querier.v1.QuerierService/${c.path}`, c.body);
      assert.equal(res.status, 400, res.text);
      const e = connectErrorBody(res);
      assert.equal(e.code, "invalid_argument");
      assert.match(e.message, /max_nodes|max nodes/);
      assert.match(e.message, /100\b/);
    });
  }

  it("accepts max_nodes equal to the limit", async () => {
    const res = await s.clients().querier.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: "{}", start: BigInt(T - 1000), end: BigInt(T + 1000), maxNodes: 100n });
    assert.equal(fgTotal(res), 5);
  });
});
