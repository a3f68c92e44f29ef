import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { InvalidArgumentError } from "../errors.js";
import { parseJfrIngest } from "./jfr-ingest.js";
import type { JfrProfile } from "./jfr-ingest.js";
import { folded, totals, types } from "./test-folded.js";
import { encodeLabelsSnapshot } from "./test-labels.js";
import { TestJfrWriter } from "./test-jfr-writer.js";
import type { TestJfrOptions } from "./test-jfr-writer.js";

const MAX = 1 << 24;
const PERIOD = 10_000_000; // 1e9 / 100 Hz

/** A recording with three methods and two stacks: main → work → leaf, and main → work. */
function twoStacks(opts: TestJfrOptions = {}): { w: TestJfrWriter; deep: number; shallow: number } {
  const w = new TestJfrWriter(opts);
  const main = w.method("com/example/App", "main");
  const work = w.method("com/example/Worker", "work");
  const leaf = w.method("java/util/HashMap", "get");
  return { w, deep: w.stack([leaf, work, main]), shallow: w.stack([work, main]) };
}

function only(profiles: JfrProfile[], metric: string, sampleType: string): JfrProfile {
  const found = profiles.filter((p) => p.metricName === metric && types(p.profile).sampleTypes[0] === sampleType);
  assert.equal(found.length, 1, `one ${metric} ${sampleType} profile`);
  return found[0]!;
}

describe("parseJfrIngest on hand-built recordings", () => {
  it("cpu: frame names are class.method, root first when folded, values are samples × period", () => {
    const { w, deep, shallow } = twoStacks();
    w.executionSample(deep);
    w.executionSample(deep);
    w.executionSample(shallow);
    w.executionSample(shallow, { sleeping: true });
    const [p, ...rest] = parseJfrIngest(w.finish(), undefined, { maxBytes: MAX });
    assert.equal(rest.length, 0);
    assert.equal(p!.metricName, "process_cpu");
    assert.deepEqual(p!.labels, []);
    assert.deepEqual(types(p!.profile), { sampleTypes: ["cpu/nanoseconds"], periodType: "cpu/nanoseconds" });
    assert.equal(p!.profile.period, PERIOD);
    assert.deepEqual(
      folded(p!.profile),
      new Map([
        ["com/example/App.main;com/example/Worker.work;java/util/HashMap.get", [2 * PERIOD]],
        ["com/example/App.main;com/example/Worker.work", [PERIOD]],
      ]),
    );
    // Each distinct stack is one sample: the two events on `deep` were summed.
    assert.equal(p!.profile.sampleCount, 2);
  });

  it("every mapped event type becomes its profile with the reference's types and units", () => {
    const { w, deep, shallow } = twoStacks({ ticksPerSecond: 2_000_000_000 });
    w.allocInNewTlab(deep, 4096);
    w.allocInNewTlab(deep, 1024);
    w.allocOutsideTlab(shallow, 70_000);
    w.monitorEnter(deep, 3000);
    w.threadPark(shallow, 500);
    w.liveObject(deep);
    w.wallClockSample(shallow, 5);
    w.otherEvents();
    const got = parseJfrIngest(w.finish(), undefined, { maxBytes: MAX, sampleRate: 50 });
    const summary = got.map((p) => [p.metricName, types(p.profile), totals(p.profile)]);
    assert.deepEqual(summary, [
      ["wall", { sampleTypes: ["wall/nanoseconds"], periodType: "wall/nanoseconds" }, [5 * 20_000_000]],
      ["memory", { sampleTypes: ["alloc_in_new_tlab_objects/count", "alloc_in_new_tlab_bytes/bytes"], periodType: "space/bytes" }, [2, 5120]],
      ["memory", { sampleTypes: ["alloc_outside_tlab_objects/count", "alloc_outside_tlab_bytes/bytes"], periodType: "space/bytes" }, [1, 70_000]],
      // Durations are ticks; at 2e9 ticks per second 3000 + 500 ticks are 1750 ns.
      ["block", { sampleTypes: ["contentions/count", "delay/nanoseconds"], periodType: "block/count" }, [2, 1750]],
      ["memory", { sampleTypes: ["live/count"], periodType: "objects/count" }, [1]],
    ]);
    const block = only(got, "block", "contentions/count");
    assert.deepEqual(
      folded(block.profile),
      new Map([
        ["com/example/App.main;com/example/Worker.work;java/util/HashMap.get", [1, 1500]],
        ["com/example/App.main;com/example/Worker.work", [1, 250]],
      ]),
    );
  });

  it("under async-profiler's wall engine, execution samples are wall time and, unless sleeping, cpu time", () => {
    const { w, deep, shallow } = twoStacks();
    w.executionSample(deep); // before the setting: cpu only, as the reference reads events in order
    w.activeSetting("event", "wall");
    w.executionSample(deep);
    w.executionSample(shallow, { sleeping: true });
    const got = parseJfrIngest(w.finish(), undefined, { maxBytes: MAX });
    assert.deepEqual(totals(only(got, "process_cpu", "cpu/nanoseconds").profile), [2 * PERIOD]);
    assert.deepEqual(totals(only(got, "wall", "wall/nanoseconds").profile), [2 * PERIOD]);
  });

  it("splits samples by the label set of their context, drops profile_id, and merges contexts with equal labels", () => {
    const { w, deep, shallow } = twoStacks();
    w.executionSample(deep, { contextId: 1 });
    w.executionSample(deep, { contextId: 2 });
    w.executionSample(shallow, { contextId: 3 });
    w.executionSample(shallow, { contextId: 99 }); // not in the snapshot: no labels
    w.executionSample(shallow);
    w.allocInNewTlab(deep, 100, 3);
    const labels = encodeLabelsSnapshot({
      1: { span_name: "GET /a", profile_id: "00000000000000aa" },
      2: { span_name: "GET /a", profile_id: "00000000000000bb" },
      3: { span_name: "GET /b", zone: "eu" },
    });
    const got = parseJfrIngest(gzipSync(w.finish()), gzipSync(labels), { maxBytes: MAX });
    assert.deepEqual(
      got.map((p) => [p.metricName, p.labels, totals(p.profile)[0]]),
      [
        ["process_cpu", [], 2 * PERIOD],
        ["process_cpu", [["span_name", "GET /a"]], 2 * PERIOD],
        [
          "process_cpu",
          [
            ["span_name", "GET /b"],
            ["zone", "eu"],
          ],
          PERIOD,
        ],
        [
          "memory",
          [
            ["span_name", "GET /b"],
            ["zone", "eu"],
          ],
          1,
        ],
      ],
    );
  });

  it("reads several chunks, each with its own ids, and chained checkpoints", () => {
    const w = new TestJfrWriter({ splitCheckpoints: true });
    const a = w.method("A", "a");
    w.executionSample(w.stack([a]));
    w.endChunk();
    const b = w.method("B", "b");
    const a2 = w.method("A", "a");
    w.executionSample(w.stack([b, a2]));
    w.executionSample(w.stack([a2]));
    const [p] = parseJfrIngest(w.finish(), undefined, { maxBytes: MAX });
    assert.deepEqual(
      folded(p!.profile),
      new Map([
        ["A.a", [2 * PERIOD]],
        ["A.a;B.b", [PERIOD]],
      ]),
    );
  });

  it("reads fixed-width integers and every string encoding, including string-pool references", () => {
    for (const opts of [{ compressed: false }, { symbolEncoding: 4 }, { symbolEncoding: 5 }, { symbolEncoding: 2 }, { symbolEncoding: 2, splitCheckpoints: true }]) {
      const { w, deep } = twoStacks(opts);
      w.executionSample(deep);
      w.threadPark(deep, 10);
      w.otherEvents();
      const got = parseJfrIngest(w.finish(), undefined, { maxBytes: MAX });
      assert.deepEqual([...folded(got[0]!.profile).keys()], ["com/example/App.main;com/example/Worker.work;java/util/HashMap.get"], JSON.stringify(opts));
      assert.deepEqual(totals(got[1]!.profile), [1, 10], JSON.stringify(opts));
    }
  });

  it("leaves out frames of unknown methods and events of unknown stacks, as the reference does", () => {
    const w = new TestJfrWriter();
    const m = w.method("X", "y");
    w.executionSample(w.stack([0, m, 77]));
    w.executionSample(12345);
    const [p] = parseJfrIngest(w.finish(), undefined, { maxBytes: MAX });
    assert.deepEqual(folded(p!.profile), new Map([["X.y", [PERIOD]]]));
  });

  it("merges generated class names, as Pyroscope renders them", () => {
    const w = new TestJfrWriter();
    const l1 = w.method("App$$Lambda$75.0x0000000800c22a28", "run");
    const l2 = w.method("App$$Lambda$76.0x0000000800c22e58", "run");
    w.executionSample(w.stack([l1]));
    w.executionSample(w.stack([l2]));
    const [p] = parseJfrIngest(w.finish(), undefined, { maxBytes: MAX });
    assert.deepEqual(folded(p!.profile), new Map([["App$$Lambda_.run", [2 * PERIOD]]]));
  });

  it("stamps the profile with the given window, else the chunks' own", () => {
    const { w, deep } = twoStacks({ startNanos: 5_000_000_000n, durationNanos: 2_000_000_000n });
    w.executionSample(deep);
    const bytes = w.finish();
    const own = parseJfrIngest(bytes, undefined, { maxBytes: MAX })[0]!.profile;
    assert.deepEqual([own.timeNanos, own.durationNanos], [5_000_000_000n, 2_000_000_000n]);
    const given = parseJfrIngest(bytes, undefined, { maxBytes: MAX, startNanos: 100n, endNanos: 400n })[0]!.profile;
    assert.deepEqual([given.timeNanos, given.durationNanos], [100n, 300n]);
  });

  it("uses 100 Hz when the sample rate is absent or not positive", () => {
    const { w, deep } = twoStacks();
    w.executionSample(deep);
    const bytes = w.finish();
    for (const sampleRate of [undefined, 0, -5, Number.NaN]) {
      const [p] = parseJfrIngest(bytes, undefined, { maxBytes: MAX, sampleRate });
      assert.equal(p!.profile.period, PERIOD);
    }
    assert.equal(parseJfrIngest(bytes, undefined, { maxBytes: MAX, sampleRate: 97 })[0]!.profile.period, 10309278);
  });

  it("rejects empty input and input that is not JFR", () => {
    for (const bytes of [new Uint8Array(0), new TextEncoder().encode("not a recording"), gzipSync(new Uint8Array(0))]) {
      assert.throws(() => parseJfrIngest(bytes, undefined, { maxBytes: MAX }), InvalidArgumentError);
    }
  });
});
