import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Profile } from "pprof-format";
import { decodePprof } from "./decode.js";
import { encodePprof } from "./encode.js";
import { normalizePprof } from "./normalize.js";
import { StackProfileBuilder } from "./stack-builder.js";

describe("StackProfileBuilder", () => {
  it("builds a profile that encodes to pprof other tools read, stacks root first in, leaf first out", () => {
    const b = new StackProfileBuilder({ sampleTypes: [["cpu", "nanoseconds"]], periodType: ["cpu", "nanoseconds"], period: 10_000_000 });
    b.addNames(["main", "work", "hash"], [30]);
    b.addNames(["main", "work"], [10], [["thread", "t1"]]);
    b.addNames(["main", "idle"], [0]);
    b.addSample([b.frame("leaf", "x.go"), b.frame("main")], [5]);
    assert.equal(b.samples, 3, "an all-zero sample is skipped");
    const bytes = encodePprof(b.build(1_700_000_000_000_000_000n, 10_000_000_000n));
    const p = Profile.decode(bytes);
    const st = (i: number | bigint) => p.stringTable.strings[Number(i)];
    assert.equal(st(p.sampleType[0]!.type), "cpu");
    assert.equal(Number(p.period), 10_000_000);
    assert.equal(BigInt(p.timeNanos.toString()), 1_700_000_000_000_000_000n);
    const fnName = new Map(p.function.map((f) => [Number(f.id), st(f.name)]));
    const locFn = new Map(p.location.map((l) => [Number(l.id), Number(l.line[0]!.functionId)]));
    const stacks = p.sample.map((s) => [s.locationId.map((id) => fnName.get(locFn.get(Number(id))!)).join("<"), Number(s.value[0])]);
    assert.deepEqual(stacks, [["hash<work<main", 30], ["work<main", 10], ["leaf<main", 5]]);
    assert.equal(st(p.sample[1]!.label[0]!.key), "thread");
    assert.equal(st(p.function.find((f) => st(f.name) === "leaf")!.filename), "x.go");
  });

  it("survives decode and normalization unchanged in totals", () => {
    const b = new StackProfileBuilder({ sampleTypes: [["alloc_objects", "count"], ["alloc_space", "bytes"]] });
    for (let i = 0; i < 100; i++) b.addNames(["main", `f${i % 7}`], [1, 64 * i]);
    const p = normalizePprof(decodePprof(encodePprof(b.build())), 1n);
    let objects = 0;
    let bytes = 0;
    for (let s = 0; s < p.sampleCount; s++) {
      objects += p.values[s * 2]!;
      bytes += p.values[s * 2 + 1]!;
    }
    assert.equal(objects, 100);
    assert.equal(bytes, (64 * 99 * 100) / 2);
  });

  it("refuses a sample with the wrong number of values", () => {
    const b = new StackProfileBuilder({ sampleTypes: [["samples", "count"]] });
    assert.throws(() => b.addNames(["a"], [1, 2]), /2 values, the profile 1 sample types/);
  });
});
