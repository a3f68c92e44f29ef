import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildPprof, cpuProfile } from "../../../test/helpers/pprof.js";
import { buildFlameGraph } from "../../model/flamegraph/index.js";
import { FunctionTree } from "../../model/flamegraph/function-tree.js";
import { sortLabels } from "../../model/labels.js";
import { decodePprof } from "../../model/pprof/index.js";
import { parseProfileType } from "../../model/profile-type.js";
import type { IngestProfile, SelectQuery } from "../../model/query.js";
import { Head } from "../head/head.js";
import { MemBlockReader } from "../query/mem-block-reader.js";
import type { MemBlock } from "../mem-block.js";
import { mergeBlocks } from "./block-merge.js";

const MS = 1_000_000n;
const CPU: SelectQuery = { profileType: parseProfileType("process_cpu:cpu:nanoseconds:cpu:nanoseconds"), matchers: [], startMs: 0, endMs: 1e13 };

function profiles(n: number, offset: number, frames: string[]): IngestProfile[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(offset + i).padStart(12, "0")}`,
    labels: sortLabels([{ name: "__name__", value: "process_cpu" }, { name: "service_name", value: "svc" }, { name: "pod", value: `p${i % 3}` }]),
    profile: decodePprof(buildPprof(cpuProfile(BigInt(offset + i) * 1000n * MS, [{ frames: ["main", ...frames, `leaf${i % 4}`], values: [1, 10 + i] }]))),
  }));
}

function headOf(ps: IngestProfile[]): Head {
  const h = new Head();
  for (const p of [...ps].sort((a, b) => Number(a.profile.timeNanos - b.profile.timeNanos))) h.ingest(p);
  return h;
}

async function flame(b: MemBlock): Promise<unknown> {
  const tree = new FunctionTree();
  await new MemBlockReader(b).mergeTree(CPU, tree);
  return buildFlameGraph(tree, -1);
}

describe("mergeBlocks", () => {
  it("merges blocks with different symbols into what one head of everything holds", async () => {
    const a = profiles(20, 0, ["alpha"]);
    const b = profiles(20, 100, ["beta", "gamma"]);
    const merged = mergeBlocks([headOf(a), headOf(b)]);
    assert.equal(merged.duplicates, 0);
    assert.deepEqual(await flame(merged.block), await flame(headOf([...a, ...b])));
    // Three pods × two sample types.
    assert.equal(merged.block.series.length, 6);
    assert.equal(merged.block.profiles.count, 80);
  });

  it("keeps one copy of a profile that replicas both wrote", async () => {
    const shared = profiles(10, 0, ["alpha"]);
    const onlyB = profiles(5, 50, ["beta"]);
    const merged = mergeBlocks([headOf(shared), headOf([...shared, ...onlyB])]);
    // Ten profiles of two sample types each.
    assert.equal(merged.duplicates, 20);
    assert.deepEqual(await flame(merged.block), await flame(headOf([...shared, ...onlyB])));
  });

  it("keeps rows of one series in time order across sources", () => {
    const merged = mergeBlocks([headOf(profiles(6, 10, ["x"])), headOf(profiles(6, 0, ["x"]))]);
    for (const s of merged.block.series) {
      for (let i = 1; i < s.rowCount; i++) assert.ok(merged.block.profiles.timeMs[s.rows[i]!]! >= merged.block.profiles.timeMs[s.rows[i - 1]!]!);
    }
  });
});
