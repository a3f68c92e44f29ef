/**
 * What SelectMergeProfile returns is a pprof file Go's own tooling reads: pushed
 * profiles (corpus files, a client capture, hand-made ones) come back through
 * `go tool pprof -raw` with the sample type, total and leaf functions computed
 * independently from the inputs with pprof-format; `go tool pprof -top` reads the
 * gzipped file. Needs `go` on PATH (CI installs golang-go); PHLARE_SKIP_GO=1 skips.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { toBinary } from "@bufbuild/protobuf";
import { Profile } from "pprof-format";
import { ProfileSchema } from "../src/gen/google/v1/profile_pb.js";
import { repoRoot } from "./helpers/child.js";
import { buildPprof, buildPprofGz, cpuProfile } from "./helpers/pprof.js";
import type { TestProfile } from "./helpers/pprof.js";
import { parsePprofRaw, rawLeaves, rawTotal } from "./helpers/pprof-raw.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const skipGo = process.env["PHLARE_SKIP_GO"] === "1";
const goFound = spawnSync("sh", ["-c", "command -v go"], { encoding: "utf8" }).status === 0;

/** One push: the bytes as sent and the series labels besides service_name. */
interface Input {
  bytes: Uint8Array;
  name: string;
  extraLabels?: { name: string; value: string }[];
}

/** One query case: what was pushed under one service_name and the types to fetch. */
interface Case {
  title: string;
  service: string;
  inputs: Input[];
  /** [sample type, unit] pairs, each queried as its own profile type. */
  types: [string, string][];
}

function corpus(path: string): Uint8Array {
  return new Uint8Array(readFileSync(join(repoRoot, "testdata", path)));
}

function decode(bytes: Uint8Array): Profile {
  return Profile.decode(bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes);
}

/** Profile type ID of sample type `type/unit` of `bytes` pushed as `name`. */
function profileTypeId(bytes: Uint8Array, name: string, type: string, unit: string): string {
  const p = decode(bytes);
  const s = (i: unknown): string => p.stringTable.strings[Number(i)] ?? "";
  const pt = p.periodType === undefined ? ["", ""] : [s(p.periodType.type), s(p.periodType.unit)];
  return `${name}:${type}:${unit}:${pt[0]}:${pt[1]}`;
}

/** Total and leaf functions of one sample type over the inputs, read with pprof-format. */
function expected(inputs: Input[], type: string, unit: string): { total: number; leaves: Set<string>; periodType: string } {
  let total = 0;
  let periodType = "";
  const leaves = new Set<string>();
  for (const input of inputs) {
    const p = decode(input.bytes);
    const s = (i: unknown): string => p.stringTable.strings[Number(i)] ?? "";
    const idx = p.sampleType.findIndex((st) => s(st.type) === type && s(st.unit) === unit);
    assert.ok(idx >= 0, `input has no sample type ${type}/${unit}`);
    if (p.periodType !== undefined) periodType = `${s(p.periodType.type)} ${s(p.periodType.unit)}`;
    const locations = new Map(p.location.map((l) => [Number(l.id), l]));
    const functions = new Map(p.function.map((f) => [Number(f.id), f]));
    for (const sample of p.sample) {
      const v = Number(sample.value[idx] ?? 0);
      // A sample without a stack has no frame to merge into.
      if (sample.locationId.length === 0) continue;
      total += v;
      if (v === 0) continue;
      const leaf = locations.get(Number(sample.locationId[0]));
      assert.ok(leaf, "sample refers to a location");
      const line = leaf.line[0];
      leaves.add(line === undefined ? "??" : s(functions.get(Number(line.functionId))?.name));
    }
  }
  return { total, leaves, periodType };
}

/** Runs `go tool pprof <args>` in `dir` with a private HOME and temp dir. */
function goPprof(dir: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("go", ["tool", "pprof", ...args], {
    cwd: dir,
    encoding: "utf8",
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, HOME: dir, PPROF_TMPDIR: join(dir, "pprof-tmp"), GOTOOLCHAIN: "local", GOFLAGS: "" },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const nowNs = BigInt(Date.now()) * 1_000_000n;

/** Hand-made CPU profiles: shared stacks, inlining-free deep stacks, unicode names, zero values. */
const handCpu1: TestProfile = cpuProfile(nowNs - 60_000_000_000n, [
  { frames: ["main", "server.Handle", "json.Marshal"], values: [5, 50_000_000] },
  { frames: ["main", "server.Handle", "db.Query", "net.Read"], values: [12, 120_000_000] },
  { frames: ["main", "gc"], values: [0, 0] },
  { frames: ["main", "décodeÜnicode", "λ"], values: [1, 10_000_000] },
]);
const handCpu2: TestProfile = cpuProfile(nowNs - 30_000_000_000n, [
  { frames: ["main", "server.Handle", "json.Marshal"], values: [2, 20_000_000] },
  { frames: ["main", ...Array.from({ length: 40 }, (_, i) => `deep.f${i}`)], values: [7, 70_000_000] },
  { frames: ["main", "server.Handle", "db.Query", "net.Read"], values: [1, 10_000_000] },
]);
const handGoroutines: TestProfile = {
  sampleTypes: [["goroutine", "count"]],
  periodType: ["goroutine", "count"],
  period: 1,
  timeNanos: nowNs - 10_000_000_000n,
  stacks: [
    { frames: ["runtime.main", "main.main", "sync.(*WaitGroup).Wait"], values: [1] },
    { frames: ["runtime.goexit", "net/http.(*conn).serve", "net.(*conn).Read"], values: [9] },
    { frames: ["runtime.goexit", "main.worker", "time.Sleep"], values: [4] },
  ],
};

const cases: Case[] = [
  {
    title: "Go CPU (og_convert_cpu.pprof)",
    service: "go-cpu",
    inputs: [{ bytes: corpus("pprof/og_convert_cpu.pprof"), name: "process_cpu" }],
    types: [["cpu", "nanoseconds"], ["samples", "count"]],
  },
  {
    title: "Go heap stored as sent (pprof_heap, __delta__=false)",
    service: "go-heap",
    inputs: [{ bytes: corpus("pprof/pprof_heap"), name: "memory", extraLabels: [{ name: "__delta__", value: "false" }] }],
    types: [["inuse_space", "bytes"], ["alloc_objects", "count"], ["inuse_objects", "count"]],
  },
  {
    title: "Node.js wall capture (@pyroscope/nodejs 0.6.4)",
    service: "node-wall",
    inputs: [{ bytes: corpus("captures/nodejs-0.6.4-wall.pprof.gz"), name: "wall" }],
    types: [["wall", "nanoseconds"], ["samples", "count"]],
  },
  {
    title: "Go net/http/pprof heap capture (__delta__=false)",
    service: "go-heap-capture",
    inputs: [{ bytes: corpus("captures/go-nethttp-pprof-heap.pb.gz"), name: "memory", extraLabels: [{ name: "__delta__", value: "false" }] }],
    types: [["alloc_space", "bytes"], ["inuse_objects", "count"]],
  },
  {
    title: "two hand-made CPU profiles merged",
    service: "hand-cpu",
    inputs: [
      { bytes: buildPprofGz(handCpu1), name: "process_cpu" },
      { bytes: buildPprof(handCpu2), name: "process_cpu" },
    ],
    types: [["cpu", "nanoseconds"], ["samples", "count"]],
  },
  {
    title: "hand-made goroutine profile",
    service: "hand-goroutines",
    inputs: [{ bytes: buildPprofGz(handGoroutines), name: "goroutines" }],
    types: [["goroutine", "count"]],
  },
];

describe("SelectMergeProfile through go tool pprof", () => {
  it("go is installed (or PHLARE_SKIP_GO=1)", (t) => {
    if (skipGo) {
      t.skip("PHLARE_SKIP_GO=1");
      return;
    }
    assert.ok(goFound, "`go` is not on PATH: install Go (e.g. apt-get install golang-go) or set PHLARE_SKIP_GO=1 to skip these tests");
  });

  let s: TestServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "phlare-pprof-"));
    mkdirSync(join(dir, "pprof-tmp"));
    s = await startTestServer([
      // The corpus files were recorded years ago.
      "-querier.max-query-lookback=0",
      "-querier.max-query-length=0",
      "-distributor.ingestion-rate-limit-mb=1000",
      "-distributor.ingestion-burst-size-mb=1000",
    ]);
    for (const c of cases) {
      for (const input of c.inputs) {
        const labels = [{ name: "__name__", value: input.name }, { name: "service_name", value: c.service }, ...(input.extraLabels ?? [])];
        await s.clients().push.push({ series: [{ labels, samples: [{ rawProfile: input.bytes, ID: "" }] }] });
      }
    }
  });
  after(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let n = 0;
  for (const c of cases) {
    for (const [type, unit] of c.types) {
      it(`${c.title}: ${type}/${unit}`, async (t) => {
        if (skipGo || !goFound) {
          t.skip("go not available");
          return;
        }
        const input = c.inputs[0]!;
        const id = profileTypeId(input.bytes, input.name, type, unit);
        const res = await s.clients().querier.selectMergeProfile({
          profileTypeID: id,
          labelSelector: `{service_name="${c.service}"}`,
          start: 0n,
          end: BigInt(Date.now() + 3_600_000),
        });
        const bytes = toBinary(ProfileSchema, res);
        const file = join(dir, `merged-${++n}.pb`);
        writeFileSync(file, bytes);

        const raw = goPprof(dir, ["-raw", file]);
        assert.equal(raw.status, 0, `go tool pprof -raw failed:\n${raw.stderr}`);
        const got = parsePprofRaw(raw.stdout);
        const want = expected(c.inputs, type, unit);
        assert.deepEqual(got.sampleTypes, [`${type}/${unit}`], "sample types");
        assert.equal(got.periodType, want.periodType, "period type");
        assert.ok(want.total > 0, "the case has data");
        assert.equal(rawTotal(got), want.total, "total of all sample values");
        assert.deepEqual([...rawLeaves(got)].sort(), [...want.leaves].sort(), "leaf functions");

        const gz = join(dir, `merged-${n}.pb.gz`);
        writeFileSync(gz, gzipSync(bytes));
        const top = goPprof(dir, ["-top", gz]);
        assert.equal(top.status, 0, `go tool pprof -top failed:\n${top.stderr}`);
        assert.match(top.stdout, /Showing nodes accounting for/);
      });
    }
  }

  it("a selector matching nothing still yields a profile go tool pprof reads", async (t) => {
    if (skipGo || !goFound) {
      t.skip("go not available");
      return;
    }
    const res = await s.clients().querier.selectMergeProfile({
      profileTypeID: "process_cpu:cpu:nanoseconds:cpu:nanoseconds",
      labelSelector: '{service_name="nobody"}',
      start: 0n,
      end: BigInt(Date.now()),
    });
    const file = join(dir, "empty.pb");
    writeFileSync(file, toBinary(ProfileSchema, res));
    const raw = goPprof(dir, ["-raw", file]);
    assert.equal(raw.status, 0, raw.stderr);
    const got = parsePprofRaw(raw.stdout);
    assert.deepEqual(got.sampleTypes, ["cpu/nanoseconds"]);
    assert.equal(got.samples.length, 0);
  });
});
