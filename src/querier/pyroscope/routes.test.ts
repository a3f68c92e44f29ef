/**
 * The Pyroscope query routes end to end: a real server, the fixture pushed through the
 * Push RPC, and the exact answers of /pyroscope/render (flamebearer JSON, collapsed
 * text, DOT) and /pyroscope/render-diff, each JSON answer also checked against the
 * flamebearer schema of @pyroscope/models; then every malformed request.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FlamebearerProfileSchema, GroupsSchema } from "@pyroscope/models";
import { get, postConnectJson } from "../../../test/helpers/api.js";
import type { RawAnswer } from "../../../test/helpers/api.js";
import { startTestServer } from "../../../test/helpers/server.js";
import type { TestServer } from "../../../test/helpers/server.js";
import { dotNodeNames, parseDot } from "./test-dot-parser.js";
import { CPU_TYPE, fixtureBaseMs, pushFixture } from "./test-fixture.js";

const MS = 1_000_000;
const BASE = fixtureBaseMs();

function renderPath(params: Record<string, string | string[]>, path = "/pyroscope/render"): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) qs.append(k, x);
  return `${path}?${qs.toString()}`;
}

/** A render of the fixture's first minute with `extra` parameters. */
function minute(extra: Record<string, string | string[]> = {}): string {
  return renderPath({ query: `${CPU_TYPE}{service_name="app"}`, from: String(BASE / 1000), until: String((BASE + 60_000) / 1000), ...extra });
}

/** The body of a 200 JSON answer, checked against the flamebearer schema. */
function flamebearer(res: RawAnswer): Record<string, unknown> {
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  const parsed = FlamebearerProfileSchema.safeParse(res.json);
  assert.ok(parsed.success, `schema: ${parsed.success ? "" : parsed.error.message}`);
  return res.json as Record<string, unknown>;
}

const TIMELINE = (samples: number[]): Record<string, unknown> => ({ startTime: BASE / 1000, samples, durationDelta: 10, watermarks: null });

describe("/pyroscope/render and /pyroscope/render-diff", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    await pushFixture(s, BASE);
  });
  after(() => s.stop());

  it("format=json: the flamebearer profile with its timeline", async () => {
    const body = flamebearer(await get(s.url, minute({ format: "json" })));
    assert.deepEqual(body, {
      version: 1,
      flamebearer: {
        names: ["total", "main", "work", "compute", "idle", "gc"],
        levels: [
          [0, 1120 * MS, 0, 0],
          [0, 20 * MS, 20 * MS, 5, 0, 1100 * MS, 0, 1],
          [20 * MS, 200 * MS, 200 * MS, 4, 0, 900 * MS, 200 * MS, 2],
          [420 * MS, 700 * MS, 700 * MS, 3],
        ],
        numTicks: 1120 * MS,
        maxSelf: 700 * MS,
      },
      metadata: { format: "single", spyName: "", sampleRate: 100_000_000, units: "samples", name: "cpu" },
      timeline: TIMELINE([600 * MS, 350 * MS, 0, 170 * MS, 0, 0]),
      groups: null,
      heatmap: null,
    });
  });

  it("json is the default format, and other profile types get their own units", async () => {
    const body = flamebearer(await get(s.url, minute({ query: `process_cpu:samples:count:cpu:nanoseconds{pod="b"}` })));
    assert.deepEqual(body["metadata"], { format: "single", spyName: "", sampleRate: 100, units: "objects", name: "samples" });
    assert.equal((body["flamebearer"] as { numTicks: number }).numTicks, 3);
  });

  it("groupBy: one timeline per value, and the whole selection's timeline", async () => {
    const body = flamebearer(await get(s.url, minute({ groupBy: "pod" })));
    assert.ok(GroupsSchema.safeParse(body["groups"]).success);
    assert.deepEqual(body["timeline"], TIMELINE([600 * MS, 350 * MS, 0, 170 * MS, 0, 0]));
    assert.deepEqual(body["groups"], { a: TIMELINE([600 * MS, 0, 0, 120 * MS, 0, 0]), b: TIMELINE([0, 350 * MS, 0, 50 * MS, 0, 0]) });
  });

  it("groupBy a label some series lack: their group is *", async () => {
    const body = flamebearer(await get(s.url, minute({ groupBy: "region" })));
    assert.deepEqual(body["groups"], { "*": TIMELINE([600 * MS, 350 * MS, 0, 170 * MS, 0, 0]) });
  });

  it("aggregation=avg averages the profiles of a step", async () => {
    const body = flamebearer(await get(s.url, minute({ aggregation: "avg", groupBy: "pod" })));
    assert.deepEqual(body["timeline"], TIMELINE([600 * MS, 350 * MS, 0, 85 * MS, 0, 0]));
    assert.deepEqual(body["groups"], { a: TIMELINE([600 * MS, 0, 0, 120 * MS, 0, 0]), b: TIMELINE([0, 350 * MS, 0, 50 * MS, 0, 0]) });
  });

  it("matchers select, and max-nodes folds the rest into other", async () => {
    const onlyA = flamebearer(await get(s.url, minute({ query: `${CPU_TYPE}{pod="a"}` })));
    assert.equal((onlyA["flamebearer"] as { numTicks: number }).numTicks, 720 * MS);
    const pruned = flamebearer(await get(s.url, minute({ "max-nodes": "2" })));
    const fb = pruned["flamebearer"] as { names: string[]; numTicks: number };
    assert.equal(fb.numTicks, 1120 * MS);
    assert.ok(fb.names.includes("other") && fb.names.length < 6, JSON.stringify(fb.names));
  });

  it("a range with no data: an empty flame graph and a zero timeline", async () => {
    const res = await get(s.url, renderPath({ query: `${CPU_TYPE}{}`, from: String((BASE - 120_000) / 1000), until: String((BASE - 60_000) / 1000) }));
    const body = flamebearer(res);
    assert.deepEqual(body["flamebearer"], { names: ["total"], levels: [[0, 0, 0, 0]], numTicks: 0, maxSelf: 0 });
    assert.deepEqual((body["timeline"] as { samples: number[] }).samples, [0, 0, 0, 0, 0, 0]);
  });

  it("format=collapsed: folded stacks, breadth first", async () => {
    const res = await get(s.url, minute({ format: "collapsed" }));
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
    assert.equal(res.text, "gc 20000000\nmain;idle 200000000\nmain;work 200000000\nmain;work;compute 700000000\n");
  });

  it("format=dot: a digraph with a node per function and weighted edges", async () => {
    const res = await get(s.url, minute({ format: "dot" }));
    assert.equal(res.status, 200, res.text);
    const d = parseDot(res.text);
    const names = dotNodeNames(d);
    const labels: Record<string, string> = {};
    for (const [id, a] of d.nodes) if (id.startsWith("N")) labels[names.get(id)!] = a["label"]!;
    assert.deepEqual(labels, {
      main: "main\\n0 of 1100ms (98.21%)",
      work: "work\\n200ms (17.86%)\\nof 900ms (80.36%)",
      compute: "compute\\n700ms (62.50%)",
      idle: "idle\\n200ms (17.86%)",
      gc: "gc\\n20ms (1.79%)",
    });
    const edges = d.edges.map((e) => `${names.get(e.from)} -> ${names.get(e.to)}:${e.attrs["label"]}:${e.attrs["weight"]}`);
    assert.deepEqual(edges, ["main -> work: 900ms:81", "work -> compute: 700ms:63", "main -> idle: 200ms:18"]);
  });

  it("format=dot honours max-nodes", async () => {
    const d = parseDot((await get(s.url, minute({ format: "dot", maxNodes: "2" }))).text);
    assert.deepEqual([...dotNodeNames(d).entries()].filter(([id]) => id.startsWith("N")).map(([, n]) => n), ["main", "work"]);
  });

  it("SelectMergeStacktraces with PROFILE_FORMAT_DOT answers the same digraph", async () => {
    const rpc = await postConnectJson(s.url, "/querier.v1.QuerierService/SelectMergeStacktraces", {
      profileTypeID: CPU_TYPE,
      labelSelector: `{service_name="app"}`,
      start: String(BASE),
      end: String(BASE + 60_000),
      format: "PROFILE_FORMAT_DOT",
    });
    assert.equal(rpc.status, 200, rpc.text);
    assert.deepEqual(rpc.json, { dot: (await get(s.url, minute({ format: "dot" }))).text });
  });

  it("render-diff: a double flamebearer of the two selections", async () => {
    const res = await get(
      s.url,
      renderPath(
        {
          leftQuery: `${CPU_TYPE}{pod="a"}`,
          leftFrom: String(BASE / 1000),
          leftUntil: String((BASE + 60_000) / 1000),
          rightQuery: `${CPU_TYPE}{pod="b"}`,
          rightFrom: `${BASE}`,
          rightUntil: `${BASE + 60_000}`,
        },
        "/pyroscope/render-diff",
      ),
    );
    const body = flamebearer(res);
    const fb = body["flamebearer"] as { names: string[]; levels: number[][]; numTicks: number; maxSelf: number };
    assert.deepEqual([body["leftTicks"], body["rightTicks"], fb.numTicks], [720 * MS, 400 * MS, 1120 * MS]);
    assert.deepEqual(body["metadata"], { format: "double", spyName: "", sampleRate: 100_000_000, units: "samples", name: "cpu" });
    assert.deepEqual([body["timeline"], body["groups"], body["heatmap"]], [null, null, null]);
    assert.deepEqual([...fb.names].sort(), ["compute", "gc", "idle", "main", "total", "work"]);
    assert.ok(fb.levels.every((l) => l.length % 7 === 0));
    assert.deepEqual(fb.levels[0], [0, 720 * MS, 0, 0, 400 * MS, 0, 0]);
    // Per name: [left total, left self, right total, right self], read from the 7-tuples.
    const byName: Record<string, number[]> = {};
    for (const l of fb.levels) for (let i = 0; i < l.length; i += 7) byName[fb.names[l[i + 6]!]!] = [l[i + 1]!, l[i + 2]!, l[i + 4]!, l[i + 5]!];
    assert.deepEqual(byName, {
      total: [720 * MS, 0, 400 * MS, 0],
      main: [700 * MS, 0, 400 * MS, 0],
      work: [700 * MS, 0, 200 * MS, 200 * MS],
      compute: [700 * MS, 700 * MS, 0, 0],
      idle: [0, 0, 200 * MS, 200 * MS],
      gc: [20 * MS, 20 * MS, 0, 0],
    });
  });

  const diffBase = {
    leftQuery: `${CPU_TYPE}{}`,
    leftFrom: "now-1h",
    leftUntil: "now",
    rightQuery: `${CPU_TYPE}{}`,
    rightFrom: "now-1h",
    rightUntil: "now",
  };
  const errors: { name: string; path: string; message: RegExp }[] = [
    { name: "missing query", path: renderPath({ from: "now-1h", until: "now" }), message: /^'query' is required$/ },
    { name: "bad selector", path: minute({ query: `${CPU_TYPE}{pod=}` }), message: /^failed to parse 'query': parse error at char/ },
    { name: "no profile type", path: minute({ query: `{pod="a"}` }), message: /must select a profile type/ },
    { name: "unknown profile type", path: minute({ query: `process_cpu{pod="a"}` }), message: /profile-type selection must be of the form/ },
    { name: "until before from", path: minute({ from: "now", until: "now-1h" }), message: /^invalid time range: 'until' .* must be after 'from'/ },
    { name: "empty range (no from/until)", path: renderPath({ query: CPU_TYPE }), message: /^invalid time range/ },
    { name: "bad max-nodes", path: minute({ "max-nodes": "lots" }), message: /^'max-nodes' must be a non-negative integer, got "lots"$/ },
    { name: "negative maxNodes", path: minute({ maxNodes: "-1" }), message: /^'maxNodes' must be a non-negative integer/ },
    { name: "max-nodes over the limit", path: minute({ "max-nodes": "2000000" }), message: /^max-nodes \(2000000\) exceeds the limit \(1048576\)$/ },
    { name: "bad format", path: minute({ format: "svg" }), message: /^'format' must be json, collapsed or dot/ },
    { name: "bad aggregation", path: minute({ aggregation: "max" }), message: /^'aggregation' must be sum or avg/ },
    { name: "unparsable from", path: minute({ from: "yesterday" }), message: /^'from' "yesterday"/ },
    { name: "range over max_query_length", path: minute({ from: "now-3d", until: "now" }), message: /^the query time range exceeds the limit/ },
    {
      name: "render-diff with mismatched profile types",
      path: renderPath({ ...diffBase, rightQuery: "memory:alloc_space:bytes:space:bytes{}" }, "/pyroscope/render-diff"),
      message: /^profile types must match: 'leftQuery' selects process_cpu:cpu:nanoseconds:cpu:nanoseconds, 'rightQuery' selects memory:alloc_space:bytes:space:bytes$/,
    },
    { name: "render-diff without rightQuery", path: renderPath({ ...diffBase, rightQuery: "" }, "/pyroscope/render-diff"), message: /^'rightQuery' is required$/ },
    {
      name: "render-diff with a backwards right range",
      path: renderPath({ ...diffBase, rightUntil: "now-2h" }, "/pyroscope/render-diff"),
      message: /^invalid time range: 'rightUntil' .* must be after 'rightFrom'/,
    },
  ];
  for (const c of errors) {
    it(`400 with a message: ${c.name}`, async () => {
      const res = await get(s.url, c.path);
      assert.equal(res.status, 400, res.text);
      assert.match(res.text.trimEnd(), c.message);
    });
  }

  it("only GET", async () => {
    const res = await fetch(`${s.url}${minute()}`, { method: "POST" });
    assert.equal(res.status, 405);
  });
});

describe("the routes without a query-frontend", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(["-target=distributor,ingester,querier"]);
    await pushFixture(s, BASE);
  });
  after(() => s.stop());

  it("are served over the querier", async () => {
    const body = flamebearer(await get(s.url, minute()));
    assert.equal((body["flamebearer"] as { numTicks: number }).numTicks, 1120 * MS);
    const values = await get(s.url, "/pyroscope/label-values?label=pod");
    assert.deepEqual(values.json, ["a", "b"]);
  });
});
