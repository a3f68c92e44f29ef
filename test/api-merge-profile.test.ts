/**
 * SelectMergeProfile: the merged google.v1.Profile, decoded by pprof-format (an
 * independent decoder) straight from the binary response, has exactly the input's
 * stacks and totals, one sample type, the period type of the profile type, and
 * time = end, duration = end − start.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { Profile } from "pprof-format";
import { SelectMergeProfileRequestSchema } from "../src/gen/querier/v1/querier_pb.js";
import { CPU, CPU_SAMPLES, cpuSeries, postProto, rawSeries, recentMs } from "./helpers/api.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const T0 = recentMs() - 60_000;
const PATH = "/querier.v1.QuerierService/SelectMergeProfile";

/** Stacks (root first, joined by ";") → value, from a pprof-format profile's first sample type. */
function stacks(p: Profile): Map<string, number> {
  const str = (i: number | bigint): string => p.stringTable.strings[Number(i)] ?? "";
  const fn = new Map(p.function.map((f) => [Number(f.id), str(f.name)]));
  const loc = new Map(p.location.map((l) => [Number(l.id), l.line.map((ln) => fn.get(Number(ln.functionId)) ?? "?").reverse()]));
  const out = new Map<string, number>();
  for (const s of p.sample) {
    const frames = s.locationId.flatMap((id) => loc.get(Number(id)) ?? ["?"]).reverse();
    const key = frames.join(";");
    out.set(key, (out.get(key) ?? 0) + Number(s.value[0]));
  }
  return out;
}

async function mergeProfile(s: TestServer, type: string, selector: string, startMs: number, endMs: number): Promise<Profile> {
  const req = create(SelectMergeProfileRequestSchema, { profileTypeID: type, labelSelector: selector, start: BigInt(startMs), end: BigInt(endMs) });
  const res = await postProto(s.url, PATH, SelectMergeProfileRequestSchema, req);
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get("content-type") ?? "", /^application\/proto/);
  return Profile.decode(res.body);
}

function typeOf(p: Profile, vt: { type: number | bigint; unit: number | bigint } | undefined): [string, string] | undefined {
  if (!vt) return undefined;
  return [p.stringTable.strings[Number(vt.type)]!, p.stringTable.strings[Number(vt.unit)]!];
}

describe("SelectMergeProfile", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    await s.clients().push.push({
      series: [
        cpuSeries({ __name__: "process_cpu", service_name: "mp", pod: "a" }, [
          { frames: ["main", "handler", "parse"], values: [3, 300] },
          { frames: ["main", "handler"], values: [1, 100] },
          { frames: ["main", "gc"], values: [2, 20] },
        ], T0),
        cpuSeries({ __name__: "process_cpu", service_name: "mp", pod: "b" }, [
          { frames: ["main", "handler", "parse"], values: [1, 50] },
          { frames: ["main", "idle"], values: [4, 4] },
        ], T0 + 5_000),
        rawSeries({ __name__: "memory", service_name: "mp", __delta__: "false" }, {
          sampleTypes: [["alloc_space", "bytes"], ["inuse_space", "bytes"]],
          periodType: ["space", "bytes"],
          period: 524_288,
          timeNanos: BigInt(T0) * 1_000_000n,
          stacks: [{ frames: ["main", "alloc"], values: [4096, 1024] }, { frames: ["main", "buf"], values: [100, 0] }],
        }),
        rawSeries({ __name__: "goroutine", service_name: "mp" }, {
          sampleTypes: [["goroutine", "count"]],
          periodType: ["goroutine", "count"],
          period: 1,
          timeNanos: BigInt(T0) * 1_000_000n,
          stacks: [{ frames: ["main", "park"], values: [7] }],
        }),
      ],
    });
  });
  after(() => s.stop());

  const cases = [
    {
      name: "CPU nanoseconds of both pods",
      type: CPU,
      selector: '{service_name="mp"}',
      range: [T0 - 1_000, T0 + 10_000],
      sampleType: ["cpu", "nanoseconds"],
      periodType: ["cpu", "nanoseconds"],
      period: 1_000_000_000,
      want: { "main;handler;parse": 350, "main;handler": 100, "main;gc": 20, "main;idle": 4 },
    },
    {
      name: "CPU samples of one pod",
      type: CPU_SAMPLES,
      selector: '{pod="a"}',
      range: [T0 - 1_000, T0 + 10_000],
      sampleType: ["samples", "count"],
      periodType: ["cpu", "nanoseconds"],
      period: 1_000_000_000,
      want: { "main;handler;parse": 3, "main;handler": 1, "main;gc": 2 },
    },
    {
      name: "a time range holding only pod b's profile",
      type: CPU,
      selector: "{}",
      range: [T0 + 1, T0 + 5_000],
      sampleType: ["cpu", "nanoseconds"],
      periodType: ["cpu", "nanoseconds"],
      period: 1_000_000_000,
      want: { "main;handler;parse": 50, "main;idle": 4 },
    },
    {
      name: "memory alloc_space",
      type: "memory:alloc_space:bytes:space:bytes",
      selector: "{}",
      range: [T0 - 1_000, T0 + 1_000],
      sampleType: ["alloc_space", "bytes"],
      periodType: ["space", "bytes"],
      period: 524_288,
      want: { "main;alloc": 4096, "main;buf": 100 },
    },
    {
      name: "memory inuse_space (a zero stack is absent)",
      type: "memory:inuse_space:bytes:space:bytes",
      selector: "{}",
      range: [T0 - 1_000, T0 + 1_000],
      sampleType: ["inuse_space", "bytes"],
      periodType: ["space", "bytes"],
      period: 524_288,
      want: { "main;alloc": 1024 },
    },
    {
      name: "goroutines",
      type: "goroutine:goroutine:count:goroutine:count",
      selector: "{}",
      range: [T0 - 1_000, T0 + 1_000],
      sampleType: ["goroutine", "count"],
      periodType: ["goroutine", "count"],
      period: 1,
      want: { "main;park": 7 },
    },
  ];
  for (const c of cases) {
    it(`${c.name}: stacks, totals, sample and period type, time and duration`, async () => {
      const [start, end] = c.range as [number, number];
      const p = await mergeProfile(s, c.type, c.selector, start, end);
      assert.deepEqual(Object.fromEntries(stacks(p)), c.want);
      assert.equal(p.sampleType.length, 1);
      assert.deepEqual(typeOf(p, p.sampleType[0]), c.sampleType);
      assert.deepEqual(typeOf(p, p.periodType), c.periodType);
      assert.equal(Number(p.period), c.period);
      assert.equal(BigInt(p.timeNanos), BigInt(end) * 1_000_000n);
      assert.equal(BigInt(p.durationNanos), BigInt(end - start) * 1_000_000n);
      for (const sample of p.sample) assert.equal(sample.value.length, 1);
    });
  }

  it("agrees with the flame graph of the same selection", async () => {
    const p = await mergeProfile(s, CPU, "{}", T0 - 1_000, T0 + 10_000);
    const fg = await s.clients().querier.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: "{}", start: BigInt(T0 - 1_000), end: BigInt(T0 + 10_000) });
    const total = [...stacks(p).values()].reduce((a, b) => a + b, 0);
    assert.equal(total, 474);
    assert.equal(Number(fg.flamegraph!.total), total);
  });

  it("answers an empty selection with a profile without samples", async () => {
    const p = await mergeProfile(s, CPU, '{service_name="none"}', T0 - 1_000, T0 + 10_000);
    assert.equal(p.sample.length, 0);
    assert.equal(BigInt(p.timeNanos), BigInt(T0 + 10_000) * 1_000_000n);
  });

  it("is the same profile through the Connect client", async () => {
    const viaClient = await s.clients().querier.selectMergeProfile({ profileTypeID: CPU, labelSelector: '{pod="b"}', start: BigInt(T0), end: BigInt(T0 + 10_000) });
    const total = viaClient.sample.reduce((a, x) => a + Number(x.value[0]), 0);
    assert.equal(total, 54);
    assert.equal(viaClient.sampleType.length, 1);
    assert.equal(viaClient.stringTable[Number(viaClient.sampleType[0]!.type)], "cpu");
  });
});
