/**
 * The flame-graph path end to end over Connect: hand-made profiles pushed,
 * exact FlameGraph and Diff levels read back, plus the TREE and PPROF formats.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { ProfileFormat } from "../src/gen/querier/v1/querier_pb.js";
import { RawProfileSeriesSchema, RawSampleSchema } from "../src/gen/push/v1/push_pb.js";
import { LabelPairSchema } from "../src/gen/types/v1/types_pb.js";
import { unmarshalTree } from "../src/model/flamegraph/index.js";
import { buildPprofGz, cpuProfile } from "./helpers/pprof.js";
import type { TestStack } from "./helpers/pprof.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";
// Recent enough for the default 7-day query lookback.
const T0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;

function series(labels: Record<string, string>, stacks: TestStack[], timeMs: number) {
  return create(RawProfileSeriesSchema, {
    labels: Object.entries(labels).map(([name, value]) => create(LabelPairSchema, { name, value })),
    samples: [create(RawSampleSchema, { rawProfile: buildPprofGz(cpuProfile(BigInt(timeMs) * 1_000_000n, stacks)), ID: "" })],
  });
}

function levels(fg: { levels: { values: bigint[] }[] } | undefined): number[][] {
  return (fg?.levels ?? []).map((l) => l.values.map(Number));
}

describe("flame graphs over the querier API", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    const { push } = s.clients();
    await push.push({
      series: [
        series({ __name__: "process_cpu", service_name: "checkout", side: "left" }, [
          { frames: ["main", "work"], values: [9, 90] },
          { frames: ["main"], values: [1, 10] },
        ], T0),
        series({ __name__: "process_cpu", service_name: "checkout", side: "right" }, [
          { frames: ["main", "work"], values: [5, 50] },
          { frames: ["main", "fn"], values: [3, 30] },
        ], T0 + 1000),
      ],
    });
  });
  after(() => s.stop());

  it("returns the exact levels of a hand-made profile", async () => {
    const res = await s.clients().querier.selectMergeStacktraces({
      profileTypeID: CPU,
      labelSelector: '{side="left"}',
      start: BigInt(T0 - 1000),
      end: BigInt(T0 + 1000),
    });
    const fg = res.flamegraph!;
    assert.deepEqual(fg.names, ["total", "main", "work"]);
    // Self comes before children on the x axis: work starts at main's self (10).
    assert.deepEqual(levels(fg), [[0, 100, 0, 0], [0, 100, 10, 1], [10, 90, 90, 2]]);
    assert.equal(fg.total, 100n);
    assert.equal(fg.maxSelf, 90n);
  });

  it("merges both profiles and folds small nodes into other", async () => {
    const q = s.clients().querier;
    const all = await q.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: "{}", start: BigInt(T0 - 1000), end: BigInt(T0 + 2000) });
    assert.equal(all.flamegraph!.total, 180n);
    // Nodes main(180), work(140), fn(30): keeping 2, fn falls below work's total and becomes "other",
    // placed after work; "other" is visited first, so it gets the lower name index.
    const folded = await q.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: "{}", start: BigInt(T0 - 1000), end: BigInt(T0 + 2000), maxNodes: 2n });
    assert.deepEqual(folded.flamegraph!.names, ["total", "main", "other", "work"]);
    assert.deepEqual(levels(folded.flamegraph), [[0, 180, 0, 0], [0, 180, 10, 1], [10, 140, 140, 3, 0, 30, 30, 2]]);
  });

  it("returns the exact diff levels", async () => {
    const res = await s.clients().querier.diff({
      left: { profileTypeID: CPU, labelSelector: '{side="left"}', start: BigInt(T0 - 1000), end: BigInt(T0 + 2000) },
      right: { profileTypeID: CPU, labelSelector: '{side="right"}', start: BigInt(T0 - 1000), end: BigInt(T0 + 2000) },
    });
    const fg = res.flamegraph!;
    assert.deepEqual(fg.names, ["total", "main", "work", "fn"]);
    assert.deepEqual(levels(fg), [
      [0, 100, 0, 0, 80, 0, 0],
      [0, 100, 10, 0, 80, 0, 1],
      [10, 0, 0, 0, 30, 30, 3, 0, 90, 90, 0, 50, 50, 2],
    ]);
    assert.equal(fg.leftTicks, 100n);
    assert.equal(fg.rightTicks, 80n);
    assert.equal(fg.total, 180n);
    assert.equal(fg.maxSelf, 90n);
  });

  it("answers format=TREE with tree bytes and format=PPROF with a profile", async () => {
    const q = s.clients().querier;
    const req = { profileTypeID: CPU, labelSelector: '{side="right"}', start: BigInt(T0), end: BigInt(T0 + 2000) };
    const tree = await q.selectMergeStacktraces({ ...req, format: ProfileFormat.TREE });
    const t = unmarshalTree(tree.tree);
    t.computeTotals();
    assert.equal(t.total[0], 80);
    const pprof = await q.selectMergeStacktraces({ ...req, format: ProfileFormat.PPROF });
    const p = pprof.pprof!.profile!;
    const strings = p.stringTable;
    assert.deepEqual(p.sampleType.map((v) => [strings[Number(v.type)], strings[Number(v.unit)]]), [["cpu", "nanoseconds"]]);
    assert.equal(p.sample.reduce((a, x) => a + Number(x.value[0]), 0), 80);
    assert.equal(p.timeNanos, BigInt(T0 + 2000) * 1_000_000n);
    assert.equal(p.durationNanos, 2000n * 1_000_000n);
  });
});
