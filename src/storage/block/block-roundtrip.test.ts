import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildPprof, cpuProfile } from "../../../test/helpers/pprof.js";
import { CorruptionError } from "../../model/errors.js";
import { buildFlameGraph } from "../../model/flamegraph/index.js";
import { FunctionTree } from "../../model/flamegraph/function-tree.js";
import { sortLabels } from "../../model/labels.js";
import { decodePprof, normalizePprof } from "../../model/pprof/index.js";
import { validCorpus } from "../../model/pprof/test-corpus.js";
import { parseProfileType } from "../../model/profile-type.js";
import type { LabelQuery, SelectQuery } from "../../model/query.js";
import { parseSelector } from "../../model/selector.js";
import { Head } from "../head/head.js";
import { MemBlockReader } from "../query/mem-block-reader.js";
import { PprofBuilder } from "../query/pprof-builder.js";
import { buildBlock, BlockFileName } from "./block-build.js";
import type { BuiltBlock } from "./block-build.js";
import { readIndex } from "./index-file.js";
import { BlockSeries, LoadedBlock } from "./loaded-block.js";
import { parseMeta } from "./meta.js";
import { readProfilesParquet } from "./profiles-parquet.js";
import { readSamples } from "./samples-file.js";
import { readSymbols } from "./symbols-file.js";

const MS = 1_000_000n;

function fillHead(): Head {
  const head = new Head();
  let t = 1_000n;
  for (const f of validCorpus()) {
    const name = /heap|memory/.test(f.name) ? "memory" : /wall|cpu-js/.test(f.name) ? "wall" : "process_cpu";
    const labels = sortLabels([
      { name: "__name__", value: name },
      { name: "service_name", value: f.name },
      { name: "__delta__", value: "false" },
    ]);
    for (let i = 0; i < 3; i++) {
      head.ingest({ id: crypto.randomUUID(), labels, profile: { ...normalizePprof(decodePprof(f.raw), 0n), timeNanos: (t += 10_000n) * MS } });
    }
  }
  head.ingest({ id: crypto.randomUUID(), labels: sortLabels([{ name: "__name__", value: "process_cpu" }, { name: "service_name", value: "hand" }]), profile: decodePprof(buildPprof(cpuProfile(5_000n * MS, [{ frames: ["main", "work"], values: [1, 7] }]))) });
  return head;
}

function files(b: BuiltBlock): Map<string, Uint8Array> {
  return new Map(b.files.map((f) => [f.relPath, f.bytes]));
}

async function load(b: BuiltBlock): Promise<LoadedBlock> {
  const f = files(b);
  const series = new BlockSeries(readIndex(f.get(BlockFileName.Index)!));
  const table = await readProfilesParquet(f.get(BlockFileName.Profiles)!);
  return new LoadedBlock(series, table, readSamples(f.get(BlockFileName.Samples)!, series.rowCount), readSymbols(f.get(BlockFileName.Symbols)!), "test");
}

const origin = { ulid: "01HZZZZZZZZZZZZZZZZZZZZZZZ", source: "ingester" as const, labels: {}, compaction: { level: 1, sources: ["01HZZZZZZZZZZZZZZZZZZZZZZZ"], parents: [] } };

describe("block files round trip", () => {
  const head = fillHead();
  const built = buildBlock(head, origin)!;

  it("writes meta.json with the reference's fields", () => {
    const meta = parseMeta(built.metaJson);
    assert.equal(meta.ulid, origin.ulid);
    assert.equal(meta.minTimeMs, head.minTimeMs);
    assert.equal(meta.maxTimeMs, head.maxTimeMs);
    assert.equal(meta.stats.numSamples, head.profiles.sampleCount);
    assert.equal(meta.stats.numSeries, head.series.filter((s) => s.rowCount > 0).length);
    assert.deepEqual(meta.files.map((f) => f.relPath), ["index.bin", "profiles.parquet", "samples.bin", "symbols.bin"]);
    assert.match(built.metaJson, /^\{\n\t"ulid"/);
  });

  it("answers every query exactly as the head did", async () => {
    const a = new MemBlockReader(head);
    const b = new MemBlockReader(await load(built));
    const q: LabelQuery = { selectors: [] };
    assert.deepEqual((await b.profileTypes(q)).map((t) => t.id).sort(), (await a.profileTypes(q)).map((t) => t.id).sort());
    assert.deepEqual((await b.labelNames(q)).sort(), (await a.labelNames(q)).sort());
    assert.deepEqual((await b.labelValues("service_name", { selectors: [parseSelector('{__name__="memory"}')] })).sort(), (await a.labelValues("service_name", { selectors: [parseSelector('{__name__="memory"}')] })).sort());
    for (const t of await a.profileTypes(q)) {
      const sq: SelectQuery = { profileType: parseProfileType(t.id), matchers: [], startMs: 0, endMs: 1e13 };
      const ta = new FunctionTree();
      const tb = new FunctionTree();
      await a.mergeTree(sq, ta);
      await b.mergeTree(sq, tb);
      assert.deepEqual(buildFlameGraph(tb, -1), buildFlameGraph(ta, -1), t.id);
      const pa = new PprofBuilder();
      const pb = new PprofBuilder();
      await a.mergePprof(sq, pa);
      await b.mergePprof(sq, pb);
      const fa = pa.build(sq.profileType, 0n, 0n, 1);
      const fb = pb.build(sq.profileType, 0n, 0n, 1);
      assert.equal(fb.values.reduce((x, y) => x + y, 0), fa.values.reduce((x, y) => x + y, 0), t.id);
      const ca = await a.profileTotals(sq, ["service_name"]);
      const cb = await b.profileTotals(sq, ["service_name"]);
      assert.deepEqual([...cb.timeMs], [...ca.timeMs]);
      assert.deepEqual([...cb.value].sort(), [...ca.value].sort());
    }
  });

  it("takes few bytes per sample", () => {
    const bytes = built.files.reduce((n, f) => n + f.bytes.byteLength, 0);
    // The corpus pushed 3 times is symbol-heavy; the benchmark measures realistic series.
    assert.ok(bytes / head.profiles.sampleCount < 8, `${(bytes / head.profiles.sampleCount).toFixed(2)} B/sample`);
  });

  it("writes nothing for an empty head", () => {
    assert.equal(buildBlock(new Head(), origin), undefined);
  });
});

describe("block file corruption", () => {
  const built = buildBlock(fillHead(), origin)!;
  const f = files(built);
  const readers: [string, (b: Uint8Array) => unknown][] = [
    [BlockFileName.Index, (b) => readIndex(b)],
    [BlockFileName.Samples, (b) => readSamples(b, new BlockSeries(readIndex(f.get(BlockFileName.Index)!)).rowCount)],
    [BlockFileName.Symbols, (b) => readSymbols(b)],
  ];
  for (const [name, read] of readers) {
    const good = f.get(name)!;
    const cases: [string, Uint8Array][] = [
      ["truncated", good.subarray(0, good.length - 7)],
      ["empty", new Uint8Array(0)],
      ["bit flip", flip(good, Math.floor(good.length / 2))],
      ["wrong magic", flip(good, 0)],
      ["unknown version", withByte(good, 4, 99)],
    ];
    for (const [what, bytes] of cases) {
      it(`${name}: ${what}`, () => assert.throws(() => read(bytes), CorruptionError));
    }
  }
  it("meta.json: unknown version and bad JSON", () => {
    assert.throws(() => parseMeta(built.metaJson.replace('"version": 1', '"version": 7')), /version 7 is not supported/);
    assert.throws(() => parseMeta("{"), CorruptionError);
  });
  it("profiles.parquet: not parquet", async () => {
    await assert.rejects(readProfilesParquet(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), CorruptionError);
  });
});

function flip(b: Uint8Array, i: number): Uint8Array {
  const c = b.slice();
  c[i] = c[i]! ^ 0x40;
  return c;
}

function withByte(b: Uint8Array, i: number, v: number): Uint8Array {
  const c = b.slice();
  c[i] = v;
  return c;
}
