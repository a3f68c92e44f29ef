/**
 * SelectSeries end to end: the point grid (start, start+step, … ≤ end, each
 * summing the profiles in (t − step, t]), fractional steps, steps without data,
 * group_by, aggregation, limit, and the invalid requests.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Code } from "@connectrpc/connect";
import { TimeSeriesAggregationType } from "../src/gen/types/v1/types_pb.js";
import type { SelectSeriesResponse } from "../src/gen/querier/v1/querier_pb.js";
import { CPU, CPU_SAMPLES, connectErrorBody, cpuTotal, postConnectJson, recentMs, rejection } from "./helpers/api.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const B = Math.floor(recentMs() / 60_000) * 60_000 - 120_000;

/** Profiles: pod, env, offset from B (ms), CPU nanoseconds (powers of two, so every sum is unique). */
const PROFILES: [string, string, number, number][] = [
  ["a", "prod", 0, 1],
  ["b", "prod", 1_000, 16],
  ["a", "prod", 5_000, 2],
  ["a", "prod", 10_000, 4],
  ["b", "prod", 10_000, 32],
  ["c", "dev", 20_000, 64],
  ["a", "prod", 25_000, 8],
];

/** A series as "labels → [offset from B, value]…". */
function shape(res: SelectSeriesResponse): Record<string, [number, number][]> {
  const out: Record<string, [number, number][]> = {};
  for (const s of res.series) {
    const key = s.labels.map((l) => `${l.name}=${l.value}`).join(",");
    assert.ok(!(key in out), `series ${key} returned twice`);
    out[key] = s.points.map((p) => [Number(p.timestamp) - B, p.value]);
  }
  return out;
}

describe("SelectSeries", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    for (const [pod, env, offset, ns] of PROFILES) {
      await s.clients().push.push({ series: [cpuTotal({ __name__: "process_cpu", service_name: "ts", pod, env }, ns, B + offset)] });
    }
  });
  after(() => s.stop());

  const cases: {
    name: string;
    start: number;
    end: number;
    step: number;
    groupBy?: string[];
    aggregation?: TimeSeriesAggregationType;
    limit?: bigint;
    selector?: string;
    type?: string;
    want: Record<string, [number, number][]>;
  }[] = [
    {
      name: "no group_by: one series without labels, a point per step with data",
      start: 0,
      end: 30_000,
      step: 10,
      want: { "": [[0, 1], [10_000, 54], [20_000, 64], [30_000, 8]] },
    },
    {
      name: "group_by pod: one series per pod, only the pod label, sorted",
      start: 0,
      end: 30_000,
      step: 10,
      groupBy: ["pod"],
      want: { "pod=a": [[0, 1], [10_000, 6], [30_000, 8]], "pod=b": [[10_000, 48]], "pod=c": [[20_000, 64]] },
    },
    {
      name: "group_by two labels",
      start: 0,
      end: 30_000,
      step: 10,
      groupBy: ["pod", "env"],
      want: { "env=dev,pod=c": [[20_000, 64]], "env=prod,pod=a": [[0, 1], [10_000, 6], [30_000, 8]], "env=prod,pod=b": [[10_000, 48]] },
    },
    {
      name: "group_by a label no series has: one series without labels",
      start: 0,
      end: 30_000,
      step: 10,
      groupBy: ["nope"],
      want: { "": [[0, 1], [10_000, 54], [20_000, 64], [30_000, 8]] },
    },
    {
      name: "fractional step 2.5s",
      start: 0,
      end: 10_000,
      step: 2.5,
      want: { "": [[0, 1], [2_500, 16], [5_000, 2], [10_000, 36]] },
    },
    {
      name: "a profile exactly at start − step is outside the first point",
      start: 1_000,
      end: 10_000,
      step: 1,
      want: { "": [[1_000, 16], [5_000, 2], [10_000, 36]] },
    },
    {
      name: "the last point is at or before end",
      start: 0,
      end: 29_999,
      step: 10,
      want: { "": [[0, 1], [10_000, 54], [20_000, 64]] },
    },
    {
      name: "start = end gives one point",
      start: 10_000,
      end: 10_000,
      step: 15,
      groupBy: ["pod"],
      want: { "pod=a": [[10_000, 7]], "pod=b": [[10_000, 48]] },
    },
    {
      name: "a step larger than the range",
      start: 5_000,
      end: 20_000,
      step: 60,
      want: { "": [[5_000, 19]] },
    },
    {
      name: "aggregation AVERAGE by pod",
      start: 0,
      end: 30_000,
      step: 10,
      groupBy: ["pod"],
      aggregation: TimeSeriesAggregationType.AVERAGE,
      want: { "pod=a": [[0, 1], [10_000, 3], [30_000, 8]], "pod=b": [[10_000, 24]], "pod=c": [[20_000, 64]] },
    },
    {
      name: "aggregation AVERAGE over every series",
      start: 10_000,
      end: 10_000,
      step: 10,
      aggregation: TimeSeriesAggregationType.AVERAGE,
      want: { "": [[10_000, 13.5]] },
    },
    {
      name: "aggregation SUM is the default",
      start: 10_000,
      end: 10_000,
      step: 10,
      aggregation: TimeSeriesAggregationType.SUM,
      want: { "": [[10_000, 54]] },
    },
    {
      name: "limit 1 keeps the series with the largest total",
      start: 0,
      end: 30_000,
      step: 10,
      groupBy: ["pod"],
      limit: 1n,
      want: { "pod=c": [[20_000, 64]] },
    },
    {
      name: "limit 2 keeps the top two, sorted by labels",
      start: 0,
      end: 30_000,
      step: 10,
      groupBy: ["pod"],
      limit: 2n,
      want: { "pod=b": [[10_000, 48]], "pod=c": [[20_000, 64]] },
    },
    {
      name: "limit larger than the number of series",
      start: 0,
      end: 30_000,
      step: 10,
      groupBy: ["env"],
      limit: 5n,
      want: { "env=dev": [[20_000, 64]], "env=prod": [[0, 1], [10_000, 54], [30_000, 8]] },
    },
    {
      name: "a selector narrows the profiles",
      start: 0,
      end: 30_000,
      step: 10,
      selector: '{env="prod", pod!="a"}',
      want: { "": [[10_000, 48]] },
    },
    {
      name: "another profile type of the same profiles counts samples",
      start: 0,
      end: 30_000,
      step: 10,
      type: CPU_SAMPLES,
      want: { "": [[0, 1], [10_000, 4], [20_000, 1], [30_000, 1]] },
    },
    {
      name: "a range without profiles gives no series",
      start: 40_000,
      end: 90_000,
      step: 10,
      want: {},
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const res = await s.clients().querier.selectSeries({
        profileTypeID: c.type ?? CPU,
        labelSelector: c.selector ?? '{service_name="ts"}',
        start: BigInt(B + c.start),
        end: BigInt(B + c.end),
        step: c.step,
        groupBy: c.groupBy ?? [],
        ...(c.aggregation === undefined ? {} : { aggregation: c.aggregation }),
        ...(c.limit === undefined ? {} : { limit: c.limit }),
      });
      assert.deepEqual(shape(res), c.want);
      assert.deepEqual(Object.keys(shape(res)), Object.keys(c.want), "series order");
    });
  }

  const invalid = [
    { name: "step 0", body: { step: 0 }, want: /step must be non-zero/ },
    { name: "no step", body: {}, want: /step must be non-zero/ },
    { name: "negative step", body: { step: -1 }, want: /step/ },
    { name: "start after end", body: { step: 10, start: String(B + 1), end: String(B) }, want: /start|end/ },
  ];
  for (const c of invalid) {
    it(`rejects ${c.name} with 400 invalid_argument`, async () => {
      const res = await postConnectJson(s.url, "/querier.v1.QuerierService/SelectSeries", {
        profileTypeID: CPU,
        labelSelector: "{}",
        start: String(B),
        end: String(B + 30_000),
        ...c.body,
      });
      assert.equal(res.status, 400, res.text);
      const e = connectErrorBody(res);
      assert.equal(e.code, "invalid_argument");
      assert.match(e.message, c.want);
    });
  }

  it("rejects step 0 through the client with InvalidArgument and Phlare's message", async () => {
    const err = await rejection(s.clients().querier.selectSeries({ profileTypeID: CPU, labelSelector: "{}", start: BigInt(B), end: BigInt(B + 1000), step: 0 }));
    assert.equal(err.code, Code.InvalidArgument);
    assert.equal(err.rawMessage, "step must be non-zero");
  });
});
