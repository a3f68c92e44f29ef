import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { F64Vec, U32Vec } from "../pprof/growable.js";
import type { ConstantPools } from "./constant-pool.js";
import { JfrProfileKind } from "./profile-types.js";
import { SampleAggregator } from "./sample-aggregator.js";
import { folded } from "./test-folded.js";

/** Pools with methods 1..n named C<i>.m<i> and the given stacks (leaf first) under ids 100, 101, … */
function pools(methods: number, stacks: number[][]): ConstantPools {
  const stackStart = new U32Vec();
  const frameMethod = new F64Vec();
  stackStart.push(0);
  const stackIndex = new Map<number, number>();
  stacks.forEach((s, i) => {
    for (const m of s) frameMethod.push(m);
    stackIndex.set(100 + i, i);
    stackStart.push(frameMethod.n);
  });
  const p: ConstantPools = { stackIndex, stackStart, frameMethod, methodClass: new Map(), methodName: new Map(), className: new Map(), symbols: new Map(), threadStates: new Map() };
  for (let m = 1; m <= methods; m++) {
    p.methodClass.set(m, 1000 + m);
    p.className.set(1000 + m, 2000 + m);
    p.symbols.set(2000 + m, `C${m}`);
    p.methodName.set(m, 3000 + m);
    p.symbols.set(3000 + m, `m${m}`);
  }
  return p;
}

describe("SampleAggregator", () => {
  it("sums events per (profile, label set, stack) and scales sampled profiles by the period", () => {
    const agg = new SampleAggregator(1000);
    agg.beginChunk(pools(3, [[2, 1], [3, 2, 1]]));
    agg.add(JfrProfileKind.Cpu, 0, 100, 1, 0);
    agg.add(JfrProfileKind.Cpu, 0, 100, 1, 0);
    agg.add(JfrProfileKind.Cpu, 1, 101, 1, 0);
    agg.add(JfrProfileKind.Lock, 0, 101, 1, 250);
    agg.add(JfrProfileKind.Lock, 0, 101, 1, 50);
    agg.add(JfrProfileKind.Cpu, 0, 999, 1, 0); // unknown stack: dropped
    agg.endChunk();
    // A second chunk with different ids for the same names lands on the same frames.
    agg.beginChunk(pools(3, [[1]]));
    agg.add(JfrProfileKind.Cpu, 0, 100, 3, 0);
    agg.endChunk();
    const built = agg.build(5n, 7n);
    assert.deepEqual(
      built.map((b) => [b.kind, b.labelSet, [...folded(b.profile)], b.profile.timeNanos, b.profile.durationNanos]),
      [
        [JfrProfileKind.Cpu, 0, [["C1.m1;C2.m2", [2000]], ["C1.m1", [3000]]], 5n, 7n],
        [JfrProfileKind.Cpu, 1, [["C1.m1;C2.m2;C3.m3", [1000]]], 5n, 7n],
        [JfrProfileKind.Lock, 0, [["C1.m1;C2.m2;C3.m3", [2, 300]]], 5n, 7n],
      ],
    );
    assert.equal(built[0]!.profile.functionCount, 2);
  });

  it("leaves out frames whose method or class is unknown", () => {
    const p = pools(2, [[9, 2, 1]]);
    p.methodClass.set(2, 555);
    const agg = new SampleAggregator(1);
    agg.beginChunk(p);
    agg.add(JfrProfileKind.Live, 0, 100, 1, 0);
    agg.endChunk();
    assert.deepEqual([...folded(agg.build(0n, 0n)[0]!.profile)], [["C1.m1", [1]]]);
  });
});
