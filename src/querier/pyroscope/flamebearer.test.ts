import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FlamebearerProfileSchema } from "@pyroscope/models";
import { buildFlameGraph, buildFlameGraphDiff, FunctionTree } from "../../model/flamegraph/index.js";
import { parseProfileType } from "../../model/profile-type.js";
import { diffFlamebearer, flamebearerMetadata, singleFlamebearer } from "./flamebearer.js";

function tree(stacks: [string[], number][]): FunctionTree {
  const t = new FunctionTree();
  for (const [names, v] of stacks) t.insertStack(v, names);
  return t;
}

describe("flamebearerMetadata", () => {
  const cases: [string, string, number][] = [
    ["process_cpu:cpu:nanoseconds:cpu:nanoseconds", "samples", 100_000_000],
    ["process_cpu:samples:count:cpu:nanoseconds", "objects", 100],
    ["memory:inuse_objects:count:space:bytes", "objects", 100],
    ["memory:alloc_objects:count:space:bytes", "objects", 100],
    ["goroutine:goroutine:count:goroutine:count", "objects", 100],
    ["memory:inuse_space:bytes:space:bytes", "bytes", 100],
    ["wall:wall:nanoseconds:wall:nanoseconds", "nanoseconds", 100],
    ["mutex:contentions:count:contentions:count", "count", 100],
    ["block:delay:nanoseconds:contentions:count", "nanoseconds", 100],
  ];
  for (const [id, units, sampleRate] of cases) {
    it(id, () => {
      const t = parseProfileType(id);
      assert.deepEqual(flamebearerMetadata(t, "single"), { format: "single", spyName: "", sampleRate, units, name: t.sampleType });
    });
  }
});

describe("singleFlamebearer and diffFlamebearer", () => {
  const cpu = parseProfileType("process_cpu:cpu:nanoseconds:cpu:nanoseconds");

  it("carries the flame graph, metadata and timeline in Pyroscope's member order", () => {
    const fg = buildFlameGraph(tree([[["main", "work"], 30], [["main"], 10.4]]), 0);
    const timeline = { startTime: 100, samples: [1, 2], durationDelta: 10, watermarks: null };
    const fb = singleFlamebearer(fg, cpu, timeline, null);
    assert.equal(
      JSON.stringify(fb),
      '{"version":1,"flamebearer":{"names":["total","main","work"],"levels":[[0,40,0,0],[0,40,10,1],[10,30,30,2]],"numTicks":40,"maxSelf":30},' +
        '"metadata":{"format":"single","spyName":"","sampleRate":100000000,"units":"samples","name":"cpu"},' +
        '"timeline":{"startTime":100,"samples":[1,2],"durationDelta":10,"watermarks":null},"groups":null,"heatmap":null}',
    );
    assert.ok(FlamebearerProfileSchema.safeParse(fb).success);
  });

  it("a diff is format double with 7-tuples and both tick counts", () => {
    const fb = diffFlamebearer(buildFlameGraphDiff(tree([[["a"], 3]]), tree([[["a"], 5], [["b"], 1]]), 0), cpu);
    assert.equal(fb.metadata.format, "double");
    assert.deepEqual([fb.leftTicks, fb.rightTicks, fb.flamebearer.numTicks], [3, 6, 9]);
    assert.ok(fb.flamebearer.levels.every((l) => l.length % 7 === 0));
    assert.deepEqual([fb.timeline, fb.groups, fb.heatmap], [null, null, null]);
    assert.ok(FlamebearerProfileSchema.safeParse(fb).success);
  });

  it("an empty diff still says leftTicks and rightTicks", () => {
    const fb = diffFlamebearer(buildFlameGraphDiff(new FunctionTree(), new FunctionTree(), 0), cpu);
    assert.match(JSON.stringify(fb), /"leftTicks":0,"rightTicks":0/);
  });
});
