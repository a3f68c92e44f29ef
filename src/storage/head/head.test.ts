import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildPprof, cpuProfile } from "../../../test/helpers/pprof.js";
import type { TestProfile } from "../../../test/helpers/pprof.js";
import { InvalidArgumentError, LimitExceededError } from "../../model/errors.js";
import { FunctionTree } from "../../model/flamegraph/function-tree.js";
import { getLabel, sortLabels } from "../../model/labels.js";
import type { Labels } from "../../model/labels.js";
import { decodePprof } from "../../model/pprof/index.js";
import { parseProfileType } from "../../model/profile-type.js";
import type { SelectQuery } from "../../model/query.js";
import { PprofBuilder } from "../query/pprof-builder.js";
import { Head } from "./head.js";
import { MemBlockReader } from "../query/mem-block-reader.js";

const MS = 1_000_000n;
const CPU = parseProfileType("process_cpu:cpu:nanoseconds:cpu:nanoseconds");

function labels(extra: Record<string, string> = {}): Labels {
  return sortLabels(Object.entries({ __name__: "process_cpu", service_name: "svc", ...extra }).map(([name, value]) => ({ name, value })));
}

function ingest(head: Head, p: TestProfile, ls: Labels = labels(), id = "id"): void {
  head.ingest({ id, labels: ls, profile: decodePprof(buildPprof(p)) });
}

function query(type = CPU, startMs = 0, endMs = 1e13): SelectQuery {
  return { profileType: type, matchers: [], startMs, endMs };
}

async function total(head: Head, q: SelectQuery): Promise<number> {
  const tree = new FunctionTree();
  await new MemBlockReader(head).mergeTree(q, tree);
  return tree.totalValue();
}

describe("Head.ingest", () => {
  it("makes one series per sample type with the derived labels", () => {
    const head = new Head();
    ingest(head, cpuProfile(1000n * MS, [{ frames: ["main"], values: [1, 10] }]));
    const ids = head.series.map((s) => getLabel(s.labels, "__profile_type__")).sort();
    assert.deepEqual(ids, ["process_cpu:cpu:nanoseconds:cpu:nanoseconds", "process_cpu:samples:count:cpu:nanoseconds"]);
    const s = head.series.find((x) => x.profileType.sampleType === "cpu")!;
    assert.deepEqual(
      s.labels.map((l) => `${l.name}=${l.value}`),
      [
        "__name__=process_cpu", "__period_type__=cpu", "__period_unit__=nanoseconds", "__profile_type__=process_cpu:cpu:nanoseconds:cpu:nanoseconds",
        "__service_name__=svc", "__type__=cpu", "__unit__=nanoseconds", "service_name=svc",
      ],
    );
  });

  it("merges samples sharing a stack and sums them", async () => {
    const head = new Head();
    ingest(head, cpuProfile(1000n * MS, [
      { frames: ["main", "a"], values: [1, 10] },
      { frames: ["main", "a"], values: [2, 20] },
      { frames: ["main"], values: [0, 0] },
    ]));
    assert.equal(await total(head, query()), 30);
    const row = head.series.find((x) => x.profileType.sampleType === "cpu")!.rows[0]!;
    assert.equal(head.profiles.sampleOffsets[row + 1]! - head.profiles.sampleOffsets[row]!, 1);
  });

  it("rejects a profile older than its series' last one and accepts an equal time", () => {
    const head = new Head();
    ingest(head, cpuProfile(2000n * MS, [{ frames: ["main"], values: [1, 1] }]));
    ingest(head, cpuProfile(2000n * MS, [{ frames: ["main"], values: [1, 1] }]));
    assert.throws(() => ingest(head, cpuProfile(1999n * MS, [{ frames: ["main"], values: [1, 1] }])), (e: unknown) => e instanceof InvalidArgumentError && e.reason === "out_of_order");
    assert.equal(head.profiles.count, 4);
  });

  it("enforces the series limit before storing anything", () => {
    const head = new Head({ maxSeries: () => 3, nowMs: () => 0 });
    ingest(head, cpuProfile(1n, [{ frames: ["main"], values: [1, 1] }]), labels({ pod: "a" }));
    assert.throws(() => ingest(head, cpuProfile(1n, [{ frames: ["main"], values: [1, 1] }]), labels({ pod: "b" })), (e: unknown) => e instanceof LimitExceededError && /Maximum active series limit exceeded \(2\/3\)/.test(e.message));
    assert.equal(head.series.length, 2);
  });

  it("forgets inactive series after ten minutes", () => {
    let now = 0;
    const head = new Head({ maxSeries: () => 2, nowMs: () => now });
    ingest(head, cpuProfile(1n, [{ frames: ["main"], values: [1, 1] }]), labels({ pod: "a" }));
    now = 11 * 60 * 1000;
    assert.equal(head.sweepInactive(), 2);
    ingest(head, cpuProfile(2n, [{ frames: ["main"], values: [1, 1] }]), labels({ pod: "b" }));
    assert.equal(head.activeSeriesCount, 2);
  });
});

describe("server-side delta of cumulative heap profiles", () => {
  const heap = (t: bigint, v: number): TestProfile => ({
    sampleTypes: [["alloc_space", "bytes"], ["inuse_space", "bytes"]],
    periodType: ["space", "bytes"],
    timeNanos: t,
    stacks: [{ frames: ["main", "alloc"], values: [v, 5] }],
  });
  const alloc = parseProfileType("memory:alloc_space:bytes:space:bytes");
  const inuse = parseProfileType("memory:inuse_space:bytes:space:bytes");
  const mem = labels({ __name__: "memory" });

  it("drops the first profile, stores differences, and resets on a decrease", async () => {
    const head = new Head();
    ingest(head, heap(1n * MS, 100), mem);
    assert.equal(await total(head, query(alloc)), 0);
    assert.equal(await total(head, query(inuse)), 5);
    ingest(head, heap(2n * MS, 130), mem);
    assert.equal(await total(head, query(alloc)), 30);
    ingest(head, heap(3n * MS, 40), mem);
    assert.equal(await total(head, query(alloc)), 30, "a decrease is a restart: nothing stored");
    ingest(head, heap(4n * MS, 45), mem);
    assert.equal(await total(head, query(alloc)), 35);
    assert.equal(await total(head, query(inuse)), 20);
  });

  it("is off with __delta__=false", async () => {
    const head = new Head();
    ingest(head, heap(1n * MS, 100), labels({ __name__: "memory", __delta__: "false" }));
    assert.equal(await total(head, query(alloc)), 100);
  });
});

describe("MemBlockReader", () => {
  it("selects by time range inclusively and merges a pprof", async () => {
    const head = new Head();
    for (let t = 1; t <= 5; t++) ingest(head, cpuProfile(BigInt(t) * 1000n * MS, [{ frames: ["main", `f${t}`], values: [1, t] }]));
    assert.equal(await total(head, query(CPU, 2000, 4000)), 2 + 3 + 4);
    const b = new PprofBuilder();
    await new MemBlockReader(head).mergePprof(query(CPU, 1000, 5000), b);
    const p = b.build(CPU, 5000n * MS, 4000n * MS, 1);
    assert.equal(p.sampleCount, 5);
    assert.equal(p.values.reduce((a, v) => a + v, 0), 15);
    assert.deepEqual([p.strings[p.sampleTypes[0]!], p.strings[p.sampleTypes[1]!]], ["cpu", "nanoseconds"]);
  });

  it("groups per-profile totals by the requested labels, sorted by time", async () => {
    const head = new Head();
    ingest(head, cpuProfile(2000n * MS, [{ frames: ["main"], values: [1, 2] }]), labels({ pod: "a" }));
    ingest(head, cpuProfile(1000n * MS, [{ frames: ["main"], values: [1, 1] }]), labels({ pod: "b" }));
    ingest(head, cpuProfile(3000n * MS, [{ frames: ["main"], values: [1, 3] }]), labels({ pod: "a" }));
    const t = await new MemBlockReader(head).profileTotals(query(), ["pod"]);
    assert.deepEqual([...t.timeMs], [1000, 2000, 3000]);
    assert.deepEqual([...t.value], [1, 2, 3]);
    assert.deepEqual([...t.group].map((g) => t.groups[g]![0]!.value), ["b", "a", "a"]);
  });
});
