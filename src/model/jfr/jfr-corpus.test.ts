/**
 * Every recording of testdata/jfr/ against the naive decoder of test-jfr-scan.ts: the
 * converter's profiles must hold exactly the folded stacks and values computed from the
 * events the naive decoder sees.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { testdataDir } from "../pprof/test-corpus.js";
import { javaFrameName } from "./frame-names.js";
import { parseJfrIngest } from "./jfr-ingest.js";
import { folded, types } from "./test-folded.js";
import { field, scanJfr, scanStack } from "./test-jfr-scan.js";
import type { ScanChunk, ScanValue } from "./test-jfr-scan.js";
import { encodeLabelsSnapshot } from "./test-labels.js";

const PERIOD = 10_000_000;
const MAX = 256 << 20;

/** The profile types each recording must yield (testdata/README.md, and the reference converter's output). */
const EXPECTED: Record<string, string[]> = {
  "dump1.jfr.gz": ["process_cpu cpu/nanoseconds"],
  "dump2.jfr.gz": ["process_cpu cpu/nanoseconds", "wall wall/nanoseconds", "memory alloc_in_new_tlab_objects/count,alloc_in_new_tlab_bytes/bytes", "memory live/count"],
  "cortex-dev-01__kafka-0__cpu__0.jfr.gz": ["process_cpu cpu/nanoseconds"],
  "cortex-dev-01__kafka-0__cpu_lock_alloc__0.jfr.gz": ["process_cpu cpu/nanoseconds", "memory alloc_in_new_tlab_objects/count,alloc_in_new_tlab_bytes/bytes"],
};

type Expected = Map<string, Map<string, number[]>>;

function addTo(out: Expected, profile: string, stack: string[], values: number[]): void {
  const byStack = out.get(profile) ?? new Map<string, number[]>();
  out.set(profile, byStack);
  const key = stack.join(";");
  const v = byStack.get(key) ?? values.map(() => 0);
  values.forEach((x, i) => (v[i]! += x));
  byStack.set(key, v);
}

function num(v: ScanValue | undefined): number {
  return typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : 0;
}

/** Folded stacks per profile type, from the naive decoder's events, by the rules of docs/format/jfr.md. */
function expectedFromScan(chunks: ScanChunk[], keep: (contextId: number) => boolean = () => true): Expected {
  const out: Expected = new Map();
  let engine = "";
  for (const chunk of chunks) {
    for (const e of chunk.events) {
      const f = e.fields;
      if (e.type === "jdk.ActiveSetting" && f["name"] === "event") engine = String(f["value"]);
      if (!keep(num(f["contextId"]))) continue;
      const stack = scanStack(chunk, f["stackTrace"], javaFrameName);
      if (stack === undefined) continue;
      const nanos = (ticks: ScanValue | undefined): number => Math.round((num(ticks) * 1e9) / chunk.ticksPerSecond);
      switch (e.type) {
        case "jdk.ExecutionSample": {
          const state = field(chunk.pools.get("jdk.types.ThreadState")?.get(f["state"] as bigint), "name");
          if (state !== "STATE_SLEEPING") addTo(out, "process_cpu cpu/nanoseconds", stack, [PERIOD]);
          if (engine === "wall") addTo(out, "wall wall/nanoseconds", stack, [PERIOD]);
          break;
        }
        case "profiler.WallClockSample":
          addTo(out, "wall wall/nanoseconds", stack, [num(f["samples"]) * PERIOD]);
          break;
        case "jdk.ObjectAllocationInNewTLAB":
          addTo(out, "memory alloc_in_new_tlab_objects/count,alloc_in_new_tlab_bytes/bytes", stack, [1, num(f["tlabSize"])]);
          break;
        case "jdk.ObjectAllocationOutsideTLAB":
          addTo(out, "memory alloc_outside_tlab_objects/count,alloc_outside_tlab_bytes/bytes", stack, [1, num(f["allocationSize"])]);
          break;
        case "jdk.JavaMonitorEnter":
        case "jdk.ThreadPark":
          addTo(out, "block contentions/count,delay/nanoseconds", stack, [1, nanos(f["duration"])]);
          break;
        case "profiler.LiveObject":
          addTo(out, "memory live/count", stack, [1]);
          break;
        default:
      }
    }
  }
  return out;
}

const files = readdirSync(join(testdataDir, "jfr")).sort();

describe("testdata/jfr recordings", () => {
  it("are all covered by this test", () => {
    assert.deepEqual(files, Object.keys(EXPECTED).sort());
  });

  for (const name of files) {
    it(`${name}: yields the expected profile types, each equal to a naive decoding of the events`, () => {
      const stored = new Uint8Array(readFileSync(join(testdataDir, "jfr", name)));
      const got = parseJfrIngest(stored, undefined, { maxBytes: MAX, sampleRate: 100 });
      const keyOf = (p: (typeof got)[number]): string => `${p.metricName} ${types(p.profile).sampleTypes.join(",")}`;
      assert.deepEqual(got.map(keyOf), EXPECTED[name]);
      const expected = expectedFromScan(scanJfr(new Uint8Array(gunzipSync(stored))));
      assert.deepEqual([...expected.keys()].sort(), got.map(keyOf).sort());
      for (const p of got) {
        assert.deepEqual(p.labels, []);
        assert.deepEqual(folded(p.profile), expected.get(keyOf(p)), keyOf(p));
      }
    });
  }

  it("dump2.jfr.gz with a labels part: every context's samples go to its label set and nothing is lost", () => {
    const stored = new Uint8Array(readFileSync(join(testdataDir, "jfr", "dump2.jfr.gz")));
    const chunks = scanJfr(new Uint8Array(gunzipSync(stored)));
    const contextIds = new Set<number>();
    for (const c of chunks) for (const e of c.events) if (num(e.fields["contextId"]) !== 0) contextIds.add(num(e.fields["contextId"]));
    assert.ok(contextIds.size > 10, "the recording carries context ids");
    // Three label sets; a per-context profile_id must not split them further.
    const contexts: Record<number, Record<string, string>> = {};
    for (const id of contextIds) contexts[id] = { route: `r${id % 3}`, profile_id: id.toString(16).padStart(16, "0") };
    const got = parseJfrIngest(stored, encodeLabelsSnapshot(contexts), { maxBytes: MAX });
    const cpu = got.filter((p) => p.metricName === "process_cpu");
    assert.deepEqual(
      cpu.map((p) => p.labels),
      [[], [["route", "r0"]], [["route", "r1"]], [["route", "r2"]]],
    );
    for (const p of cpu) {
      const route = p.labels[0]?.[1];
      const keep = (ctx: number): boolean => (route === undefined ? !contextIds.has(ctx) : contextIds.has(ctx) && `r${ctx % 3}` === route);
      assert.deepEqual(folded(p.profile), expectedFromScan(chunks, keep).get("process_cpu cpu/nanoseconds"), route ?? "no labels");
    }
  });
});
