import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../errors.js";
import { testdataDir } from "../pprof/test-corpus.js";
import { convertOgBody } from "./convert-og-body.js";
import { ogProfileType } from "./og-profile-type.js";
import type { OgProfileType } from "./og-profile-type.js";
import type { OgConverted } from "./speedscope.js";
import { stacksOf, total } from "./test-og.js";

const dir = join(testdataDir, "speedscope");
const enc = new TextEncoder();
const CPU = ogProfileType("cpu", { sampleRate: 100 });
const SCHEMA = "https://www.speedscope.app/file-format-schema.json";

function convert(body: Uint8Array | string, base: OgProfileType = CPU, maxStacks = 10_000): OgConverted[] {
  return convertOgBody("speedscope", typeof body === "string" ? enc.encode(body) : body, base, 5n, 6n, { maxStacks });
}

function doc(profiles: unknown[], frames: unknown[] = [{ name: "a" }, { name: "b" }]): string {
  return JSON.stringify({ $schema: SCHEMA, shared: { frames }, profiles });
}

const sampled = (extra: Record<string, unknown>): Record<string, unknown> => ({ type: "sampled", name: "p", unit: "none", startValue: 0, samples: [[0, 1]], weights: [1], ...extra });
const evented = (events: unknown[], unit = "none"): Record<string, unknown> => ({ type: "evented", name: "p", unit, startValue: 0, events });

interface JsonProfile {
  type: string;
  name: string;
  unit: string;
  startValue: number;
  weights?: number[];
  events?: Array<{ type: string; at: number }>;
}

/** Total per merged profile, computed straight from the JSON (weights, or time with a frame open). */
function expectedTotals(file: { profiles: JsonProfile[] }, base: OgProfileType): number[] {
  const factor = (unit: string): number =>
    ({ seconds: 1e9, milliseconds: 1e6, microseconds: 1e3, nanoseconds: 1, bytes: 1 })[unit] ?? base.scale;
  const groups = new Map<string, number>();
  for (const p of file.profiles) {
    let t = 0;
    if (p.type === "sampled") for (const w of p.weights!) t += w;
    else {
      let depth = 0;
      let last = p.startValue;
      for (const e of p.events!) {
        if (depth > 0) t += e.at - last;
        depth += e.type === "O" ? 1 : -1;
        last = e.at;
      }
    }
    const key = JSON.stringify([p.name, p.type, p.unit, p.startValue]);
    groups.set(key, (groups.get(key) ?? 0) + t * factor(p.unit));
  }
  return [...groups.values()];
}

describe("speedscope", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

  it("has test files", () => assert.ok(files.length >= 4));

  for (const file of files) {
    it(`${file}: totals match the weights in the JSON`, () => {
      const text = readFileSync(join(dir, file));
      const out = convert(new Uint8Array(text));
      const want = expectedTotals(JSON.parse(text.toString("utf8")) as { profiles: JsonProfile[] }, CPU);
      assert.deepEqual(out.map((o) => total(o.profile)), want);
    });
  }

  it("evented simple.speedscope.json: one CPU profile, unit none counted as samples", () => {
    const [p, ...rest] = convert(new Uint8Array(readFileSync(join(dir, "simple.speedscope.json"))));
    assert.equal(rest.length, 0);
    assert.equal(p!.metricName, "process_cpu");
    assert.deepEqual(p!.labels, [["profile_name", "simple.txt"]]);
    assert.deepEqual(stacksOf(p!.profile), { "a;b": 50_000_000, "a;b;c": 50_000_000, "a;b;d": 40_000_000 });
    const st = p!.profile.strings;
    assert.deepEqual([st[p!.profile.sampleTypes[0]!], st[p!.profile.sampleTypes[1]!]], ["cpu", "nanoseconds"]);
    assert.equal(p!.profile.timeNanos, 5n);
  });

  it("two-sampled: several profiles in seconds become wall series, one per profile name", () => {
    const out = convert(new Uint8Array(readFileSync(join(dir, "two-sampled.speedscope.json"))));
    assert.deepEqual(out.map((o) => [o.metricName, o.labels]), [["wall", [["profile_name", "one"]]], ["wall", [["profile_name", "two"]]]]);
    for (const o of out) {
      assert.deepEqual(stacksOf(o.profile), { "a;b": 5e9, "a;b;c": 5e9, "a;b;d": 4e9 });
      const st = o.profile.strings;
      assert.deepEqual([st[o.profile.sampleTypes[0]!], st[o.profile.sampleTypes[1]!]], ["wall", "nanoseconds"]);
    }
  });

  it("two-sampled-bytes: profiles in bytes become memory samples:bytes", () => {
    const out = convert(new Uint8Array(readFileSync(join(dir, "two-sampled-bytes.speedscope.json"))));
    assert.deepEqual(out.map((o) => o.metricName), ["memory", "memory"]);
    for (const o of out) {
      assert.deepEqual(stacksOf(o.profile), { "a;b": 5, "a;b;c": 5, "a;b;d": 4 });
      const st = o.profile.strings;
      assert.deepEqual([st[o.profile.sampleTypes[0]!], st[o.profile.sampleTypes[1]!]], ["samples", "bytes"]);
      assert.equal(o.profile.periodType[0], 0);
    }
  });

  it("duplicates: profiles with the same name, type, unit and start are merged", () => {
    const out = convert(new Uint8Array(readFileSync(join(dir, "duplicates.speedscope.json"))));
    assert.equal(out.length, 1);
    assert.equal(out[0]!.metricName, "process_cpu");
    assert.deepEqual(stacksOf(out[0]!.profile), { "a;b": 15e9, "a;b;c": 15e9, "a;b;d": 12e9 });
    assert.equal(out[0]!.profile.sampleCount, 3, "identical stacks are one sample");
  });

  it("keeps the key's memory type for one profile in bytes, and a wall key for one in milliseconds", () => {
    const bytes = convert(doc([sampled({ unit: "bytes", weights: [64] })]), ogProfileType("alloc_space", { sampleRate: 100 }));
    assert.equal(bytes[0]!.metricName, "memory");
    assert.equal(bytes[0]!.profile.strings[bytes[0]!.profile.sampleTypes[0]!], "alloc_space");
    const ms = convert(doc([sampled({ unit: "milliseconds", weights: [1.5] })]), ogProfileType("wall", { sampleRate: 100 }));
    assert.equal(ms[0]!.metricName, "wall");
    assert.deepEqual(stacksOf(ms[0]!.profile), { "a;b": 1_500_000 });
  });

  it("orders results by startValue and reads an empty profile list as no profiles", () => {
    const out = convert(doc([sampled({ name: "late", startValue: 9 }), sampled({ name: "early", startValue: 1 })]));
    assert.deepEqual(out.map((o) => o.labels), [[["profile_name", "early"]], [["profile_name", "late"]]]);
    assert.deepEqual(convert(doc([])), []);
  });

  it("sums identical stacks before applying the stack limit", () => {
    const samples = new Array(50).fill([0, 1]);
    const out = convert(doc([sampled({ samples, weights: new Array(50).fill(2) })]), CPU, 1);
    assert.deepEqual(stacksOf(out[0]!.profile), { "a;b": 100 * CPU.scale });
  });

  const deep = (n: number): string =>
    doc([evented([
      ...Array.from({ length: n }, (_, i) => ({ type: "O", frame: 0, at: i })),
      ...Array.from({ length: n }, () => ({ type: "C", frame: 0, at: n })),
    ])]);

  const bad: Array<[string, Uint8Array | string, RegExp]> = [
    ["a nesting bomb", "[".repeat(1_000_000), /JSON nested deeper than 16 levels at byte 16/],
    ["text that is not JSON", '{"$schema":', /not JSON/],
    ["a document that is not an object", "[1]", /the document is not a JSON object/],
    ["another schema", JSON.stringify({ $schema: "x", shared: { frames: [] }, profiles: [] }), /\$schema "x" is not/],
    ["no frames", JSON.stringify({ $schema: SCHEMA, profiles: [] }), /shared.frames is not an array/],
    ["a frame without a name", doc([], [{ name: 3 }]), /shared.frames\[0\].name is not a string/],
    ["a lone surrogate in a frame name", doc([], [{ name: "\ud800" }]), /shared.frames\[0\].name is not a string/],
    ["an unknown profile type", doc([{ ...sampled({}), type: "flat" }]), /profiles\[0\].type "flat"/],
    ["an unknown unit", doc([sampled({ unit: "parsecs" })]), /profiles\[0\].unit "parsecs" is not one of/],
    ["a frame index past the end", doc([sampled({ samples: [[0, 2]] })]), /frame index 2 is not in \[0, 2\) at profiles\[0\] sample 0/],
    ["a negative frame index", doc([sampled({ samples: [[-1]] })]), /frame index -1/],
    ["a fractional frame index", doc([sampled({ samples: [[0.5]] })]), /frame index 0.5/],
    ["a string frame index", doc([sampled({ samples: [["0"]] })]), /frame index "0"/],
    ["a negative weight", doc([sampled({ samples: [[0], [1]], weights: [1, -2] })]), /weight -2 is negative at profiles\[0\] sample 1/],
    ["a weight that is not a number", doc([sampled({ weights: ["1"] })]), /the weight is not a number/],
    ["more samples than weights", doc([sampled({ samples: [[0], [1]], weights: [1] })]), /2 samples but 1 weights/],
    ["a huge weight", doc([sampled({ unit: "seconds", weights: [1e300] })]), /value 1e\+309|exceeds 2\^53-1/],
    ["an infinite weight (1e999)", `{"$schema":"${SCHEMA}","shared":{"frames":[{"name":"a"}]},"profiles":[{"type":"sampled","unit":"none","samples":[[0]],"weights":[1e999]}]}`, /exceeds 2\^53-1/],
    ["events out of order", doc([evented([{ type: "O", frame: 0, at: 5 }, { type: "C", frame: 0, at: 4 }])]), /event at 4 comes before the previous one at 5 at profiles\[0\] event 1/],
    ["closing a frame that is not open", doc([evented([{ type: "O", frame: 0, at: 0 }, { type: "C", frame: 1, at: 1 }])]), /closing frame 1 while frame 0 is open/],
    ["closing with nothing open", doc([evented([{ type: "C", frame: 0, at: 0 }])]), /closing frame 0 with no frame open/],
    ["an unknown event type", doc([evented([{ type: "X", frame: 0, at: 0 }])]), /event type "X"/],
    ["a deep evented stack whose samples expand quadratically", deep(30_000), /more than \d+ frames in total/],
    ["bytes that are not UTF-8", Uint8Array.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), /invalid UTF-8 at byte 2 \(line 1\)/],
  ];
  for (const [name, body, msg] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => convert(body),
        (err: unknown) => err instanceof InvalidArgumentError && err.reason === "invalid_profile" && msg.test(err.message),
      );
    });
  }

  it("rejects more distinct stacks than the limit", () => {
    assert.throws(() => convert(doc([sampled({ samples: [[0], [1], [0, 1]], weights: [1, 1, 1] })]), CPU, 2), /more than 2 distinct stacks at profiles\[0\] sample 2/);
  });
});
