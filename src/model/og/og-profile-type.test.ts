import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../errors.js";
import { knownOgSuffixes, ogProfileType } from "./og-profile-type.js";
import type { OgProfileType } from "./og-profile-type.js";

const timed = (metricName: string, type: string, period: number): OgProfileType => ({
  metricName,
  sampleType: [type, "nanoseconds"],
  periodType: ["cpu", "nanoseconds"],
  period,
  scale: period,
});
const plain = (metricName: string, type: string, unit: string): OgProfileType => ({ metricName, sampleType: [type, unit], period: 0, scale: 1 });

describe("ogProfileType", () => {
  // Every suffix of Pyroscope's ingest adapter at the default 100 Hz: period 10 ms.
  const table: Array<[string, OgProfileType]> = [
    ["cpu", timed("process_cpu", "cpu", 10_000_000)],
    ["itimer", timed("process_cpu", "cpu", 10_000_000)],
    ["wall", timed("wall", "wall", 10_000_000)],
    ["inuse_objects", plain("memory", "inuse_objects", "count")],
    ["inuse_space", plain("memory", "inuse_space", "bytes")],
    ["alloc_objects", plain("memory", "alloc_objects", "count")],
    ["alloc_space", plain("memory", "alloc_space", "bytes")],
    ["goroutines", plain("goroutine", "goroutines", "count")],
    ["mutex_count", plain("mutex", "contentions", "count")],
    ["mutex_duration", plain("mutex", "delay", "nanoseconds")],
    ["block_count", plain("block", "contentions", "count")],
    ["block_duration", plain("block", "delay", "nanoseconds")],
    ["lock_count", plain("block", "contentions", "count")],
    ["lock_duration", plain("block", "delay", "nanoseconds")],
    ["alloc_in_new_tlab_objects", plain("memory", "alloc_in_new_tlab_objects", "count")],
    ["alloc_in_new_tlab_bytes", plain("memory", "alloc_in_new_tlab_bytes", "bytes")],
    ["alloc_outside_tlab_objects", plain("memory", "alloc_outside_tlab_objects", "count")],
    ["alloc_outside_tlab_bytes", plain("memory", "alloc_outside_tlab_bytes", "bytes")],
    ["live", plain("memory", "live", "count")],
    ["exceptions", plain("exceptions", "samples", "count")],
    ["seconds", timed("wall", "wall", 10_000_000)],
    ["milliseconds", timed("wall", "wall", 10_000_000)],
    ["microseconds", timed("wall", "wall", 10_000_000)],
    ["nanoseconds", timed("wall", "wall", 10_000_000)],
    ["bytes", plain("memory", "samples", "bytes")],
  ];
  for (const [suffix, want] of table) {
    it(`${suffix} at 100 Hz`, () => assert.deepEqual(ogProfileType(suffix, { sampleRate: 100 }), want));
  }

  it("covers every suffix it knows", () => {
    assert.deepEqual(knownOgSuffixes().sort(), table.map(([s]) => s).sort());
  });

  it("derives the period from the sample rate, truncating like Go's integer division", () => {
    assert.deepEqual(ogProfileType("cpu", { sampleRate: 3 }), timed("process_cpu", "cpu", 333_333_333));
    assert.deepEqual(ogProfileType("wall", { sampleRate: 17 }), timed("wall", "wall", 58_823_529));
    assert.deepEqual(ogProfileType("cpu", { sampleRate: 1_000_000_000 }), timed("process_cpu", "cpu", 1));
  });

  it("keeps CPU-like types as plain sample counts when the sample rate is 0", () => {
    assert.deepEqual(ogProfileType("cpu", { sampleRate: 0 }), plain("process_cpu", "samples", "count"));
    assert.deepEqual(ogProfileType("wall", { sampleRate: 0 }), plain("wall", "samples", "count"));
  });

  it("ignores units, aggregationType and spyName, as Pyroscope does", () => {
    const a = ogProfileType("inuse_space", { sampleRate: 100 });
    const b = ogProfileType("inuse_space", { sampleRate: 100, units: "objects", aggregationType: "average", spyName: "gospy" });
    assert.deepEqual(a, b);
  });

  const bad: Array<[string, string, number, RegExp]> = [
    ["unknown suffix (from my.app)", "app", 100, /unknown profile type: "app"/],
    ["empty suffix", "", 100, /unknown profile type: ""/],
    ["an inherited object key", "constructor", 100, /unknown profile type/],
    ["__proto__", "__proto__", 100, /unknown profile type/],
    ["upper case", "CPU", 100, /unknown profile type/],
    ["negative rate", "cpu", -1, /sampleRate -1/],
    ["fractional rate", "cpu", 1.5, /sampleRate 1.5/],
    ["NaN rate", "cpu", NaN, /sampleRate NaN/],
    ["rate above 1 GHz", "cpu", 2_000_000_000, /under 1 ns/],
  ];
  for (const [name, suffix, rate, msg] of bad) {
    it(`rejects: ${name}`, () => {
      assert.throws(
        () => ogProfileType(suffix, { sampleRate: rate }),
        (err: unknown) => err instanceof InvalidArgumentError && err.reason === "invalid_request" && msg.test(err.message),
      );
    });
  }
});
