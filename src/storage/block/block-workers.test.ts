import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { FunctionTree } from "../../model/flamegraph/function-tree.js";
import { parseProfileType } from "../../model/profile-type.js";
import type { SelectQuery } from "../../model/query.js";
import { fillHead, profileSpecs } from "../../store-gateway/test-blocks.js";
import { MemBlockReader } from "../query/mem-block-reader.js";
import { BlockFileName, buildBlock } from "./block-build.js";
import type { BlockOrigin, BuiltBlock } from "./block-build.js";
import type { BlockFiles } from "./block-jobs.js";
import { BlockWorkers } from "./block-workers.js";
import { readIndex } from "./index-file.js";
import { BlockSeries, LoadedBlock } from "./loaded-block.js";

const CPU: SelectQuery = { profileType: parseProfileType("process_cpu:cpu:nanoseconds:cpu:nanoseconds"), matchers: [], startMs: 0, endMs: 1e13 };
const ORIGIN: BlockOrigin = { ulid: "01JDS00000000000000000000A", source: "ingester", labels: {}, compaction: { level: 1, sources: [], parents: [] } };

function filesOf(b: BuiltBlock, describe: string): BlockFiles {
  const f = new Map(b.files.map((x) => [x.relPath, new Uint8Array(x.bytes)]));
  return { describe, index: f.get(BlockFileName.Index)!, profiles: f.get(BlockFileName.Profiles)!, samples: f.get(BlockFileName.Samples)!, symbols: f.get(BlockFileName.Symbols)! };
}

async function total(r: MemBlockReader): Promise<number> {
  const tree = new FunctionTree();
  await r.mergeTree(CPU, tree);
  return tree.totalValue();
}

describe("BlockWorkers on a worker thread", () => {
  const workers = new BlockWorkers(1);
  after(() => workers.close());

  it("encodes a head into the same files as inline, leaving the head usable", async () => {
    const head = fillHead(profileSpecs(1_700_000_000_000, 40, "web"));
    const want = buildBlock(head, ORIGIN)!;
    const before = await total(new MemBlockReader(head));
    const got = (await workers.encode(head, ORIGIN))!;
    assert.deepEqual(got.files.map((f) => [f.relPath, Buffer.from(f.bytes).toString("base64")]), want.files.map((f) => [f.relPath, Buffer.from(f.bytes).toString("base64")]));
    assert.equal(got.metaJson, want.metaJson);
    assert.equal(await total(new MemBlockReader(head)), before, "nothing of the head was transferred away");
  });

  it("decodes a block's files into the same data as inline decoding", async () => {
    const built = buildBlock(fillHead(profileSpecs(1_700_000_000_000, 25, "api")), ORIGIN)!;
    const f = filesOf(built, "test");
    const index = new BlockSeries(readIndex(f.index));
    const d = await workers.decode(f, index.rowCount);
    const viaWorker = new LoadedBlock(index, d.table, d.samples, d.symbols, "test");
    const inline = await new BlockWorkers(0).decode(filesOf(built, "test"), index.rowCount);
    assert.deepEqual(viaWorker.profiles, new LoadedBlock(index, inline.table, inline.samples, inline.symbols, "test").profiles);
    assert.ok((await total(new MemBlockReader(viaWorker))) > 0);
  });

  it("compacts blocks as the inline merge does", async () => {
    const a = buildBlock(fillHead(profileSpecs(1_700_000_000_000, 20, "web")), ORIGIN)!;
    const b = buildBlock(fillHead(profileSpecs(1_700_000_600_000, 20, "api")), ORIGIN)!;
    const viaWorker = await workers.compact([filesOf(a, "a"), filesOf(b, "b")], ORIGIN);
    const inline = await new BlockWorkers(0).compact([filesOf(a, "a"), filesOf(b, "b")], ORIGIN);
    assert.equal(viaWorker.duplicates, 0);
    assert.equal(viaWorker.built!.metaJson, inline.built!.metaJson);
    assert.deepEqual(viaWorker.built!.files.map((f) => f.bytes.byteLength), inline.built!.files.map((f) => f.bytes.byteLength));
  });

  it("rejects a damaged file with the decoder's message, and keeps working", async () => {
    const built = buildBlock(fillHead(profileSpecs(1_700_000_000_000, 5, "web")), ORIGIN)!;
    const f = filesOf(built, "broken");
    f.samples[f.samples.length - 1]! ^= 0xff;
    await assert.rejects(workers.decode(f, new BlockSeries(readIndex(f.index)).rowCount), /broken\/samples\.bin.*checksum mismatch/);
    assert.ok(await workers.encode(fillHead(profileSpecs(1_700_000_000_000, 5, "web")), ORIGIN));
  });

  it("refuses jobs once closed", async () => {
    const w = new BlockWorkers(1);
    await w.close();
    await assert.rejects(w.encode(fillHead(profileSpecs(1_700_000_000_000, 5, "web")), ORIGIN), /closed/);
  });
});
