/**
 * The render handlers over a recording stub of QuerierApi: what they ask for (tenant,
 * selection, step, group-by, aggregation), that the flame graph and the series run at
 * once, the node defaults and limits, and that bad requests never reach the querier.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultLimits } from "../../config/limits.js";
import type { Limits } from "../../config/limits.js";
import { InvalidArgumentError } from "../../model/errors.js";
import { FunctionTree } from "../../model/flamegraph/index.js";
import type { LabelQuery, SelectQuery } from "../../model/query.js";
import type { HttpRequest } from "../../server/router.js";
import type { QuerierApi, SeriesOptions, SeriesResult } from "../api.js";
import { handleRender, handleRenderDiff } from "./render.js";

const CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";
const NOW = Date.UTC(2024, 0, 2, 12, 0, 0);

function request(query: string, tenant = "t1"): HttpRequest {
  return {
    method: "GET",
    url: new URL(`http://localhost/pyroscope/render?${query}`),
    params: {},
    header: () => undefined,
    body: async () => new Uint8Array(),
    tenant: () => tenant,
  };
}

interface Call {
  method: string;
  tenant: string;
  q: SelectQuery;
  opts?: SeriesOptions;
}

/** A QuerierApi that records calls; each call waits for `gate` so tests see what runs at once. */
function stub(opts: { tree?: () => FunctionTree; series?: (o: SeriesOptions) => SeriesResult[] } = {}) {
  const calls: Call[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const api: QuerierApi = {
    profileTypes: async (_t: string, _q: LabelQuery) => [],
    labelNames: async () => [],
    labelValues: async () => [],
    series: async () => [],
    selectMergeTree: async (tenant, q) => {
      calls.push({ method: "tree", tenant, q });
      await gate;
      return opts.tree ? opts.tree() : new FunctionTree();
    },
    selectMergeProfile: async () => {
      throw new Error("not used");
    },
    selectSeries: async (tenant, q, o) => {
      calls.push({ method: "series", tenant, q, opts: o });
      await gate;
      return opts.series ? opts.series(o) : [];
    },
  };
  return { api, calls, open };
}

function limits(edit: Partial<Limits> = {}): () => Limits {
  return () => ({ ...defaultLimits(), ...edit });
}

const MINUTE = `from=${(NOW - 60_000) / 1000}&until=${NOW / 1000}`;

describe("handleRender", () => {
  it("starts the flame graph and every series query before any answers", async () => {
    const s = stub();
    const pending = handleRender(request(`query=${encodeURIComponent(`${CPU}{pod="a"}`)}&${MINUTE}&groupBy=pod&aggregation=avg`, "team-x"), {
      api: s.api,
      limits: limits(),
      nowMs: () => NOW,
    });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(s.calls.map((c) => c.method), ["tree", "series", "series"]);
    s.open();
    const res = await pending;
    assert.equal(res.status, 200);
    for (const c of s.calls) {
      assert.equal(c.tenant, "team-x");
      assert.deepEqual([c.q.profileType.id, c.q.startMs, c.q.endMs], [CPU, NOW - 60_000, NOW]);
      assert.deepEqual(c.q.matchers.map((m) => `${m.name}${m.type}${m.value}`), ["pod=a"]);
    }
    assert.deepEqual(s.calls[1]!.opts, { stepMs: 10_000, groupBy: [], aggregation: "average", limit: 0 });
    assert.deepEqual(s.calls[2]!.opts, { stepMs: 10_000, groupBy: ["pod"], aggregation: "average", limit: 0 });
  });

  it("the step follows the range (24 h → 60 s)", async () => {
    const s = stub();
    s.open();
    await handleRender(request(`query=${CPU}&from=now-24h&until=now`), { api: s.api, limits: limits(), nowMs: () => NOW });
    assert.equal(s.calls.find((c) => c.method === "series")!.opts!.stepMs, 60_000);
  });

  it("without max-nodes the tenant's max_flamegraph_nodes_default applies", async () => {
    const tree = (): FunctionTree => {
      const t = new FunctionTree();
      for (const [name, v] of [["a", 5], ["b", 3], ["c", 1]] as const) t.insertStack(v, ["main", name]);
      return t;
    };
    const render = async (query: string, l: Partial<Limits>): Promise<string[]> => {
      const s = stub({ tree });
      s.open();
      const res = await handleRender(request(`query=${CPU}&${MINUTE}${query}`), { api: s.api, limits: limits(l), nowMs: () => NOW });
      return (JSON.parse(String(res.body)) as { flamebearer: { names: string[] } }).flamebearer.names;
    };
    assert.deepEqual(await render("", {}), ["total", "main", "c", "b", "a"]);
    assert.ok((await render("", { max_flamegraph_nodes_default: 2 })).includes("other"));
    assert.ok(!(await render("&max-nodes=10", { max_flamegraph_nodes_default: 2 })).includes("other"));
  });

  it("several groupBy labels key each group by all of them", async () => {
    const series = (o: SeriesOptions): SeriesResult[] =>
      o.groupBy.length === 0
        ? [{ labels: [], timestampsMs: [NOW - 60_000], values: [3] }]
        : [
            { labels: [{ name: "pod", value: "a" }], timestampsMs: [NOW - 60_000], values: [1] },
            { labels: [{ name: "pod", value: "b" }, { name: "region", value: "eu" }], timestampsMs: [NOW - 50_000], values: [2] },
          ];
    const s = stub({ series });
    s.open();
    const res = await handleRender(request(`query=${CPU}&${MINUTE}&groupBy=pod&groupBy=region&groupBy=pod`), {
      api: s.api,
      limits: limits(),
      nowMs: () => NOW,
    });
    const body = JSON.parse(String(res.body)) as { timeline: { samples: number[] }; groups: Record<string, { samples: number[] }> };
    assert.deepEqual(s.calls.at(-1)!.opts!.groupBy, ["pod", "region"]);
    assert.deepEqual(body.timeline.samples, [3, 0, 0, 0, 0, 0]);
    assert.deepEqual(Object.keys(body.groups).sort(), ["pod=a,region=*", "pod=b,region=eu"]);
    assert.deepEqual(body.groups["pod=b,region=eu"]!.samples, [0, 2, 0, 0, 0, 0]);
  });

  it("collapsed and dot need no series", async () => {
    for (const format of ["collapsed", "dot"]) {
      const s = stub();
      s.open();
      const res = await handleRender(request(`query=${CPU}&${MINUTE}&format=${format}`), { api: s.api, limits: limits(), nowMs: () => NOW });
      assert.equal(res.status, 200);
      assert.deepEqual(s.calls.map((c) => c.method), ["tree"], format);
    }
  });

  const bad: [string, string][] = [
    ["no query", MINUTE],
    ["a bad range", `query=${CPU}&from=now&until=now`],
    ["a bad max-nodes", `query=${CPU}&${MINUTE}&max-nodes=x`],
    ["max-nodes over the limit", `query=${CPU}&${MINUTE}&max-nodes=11`],
    ["a bad format", `query=${CPU}&${MINUTE}&format=html`],
  ];
  for (const [name, query] of bad) {
    it(`${name}: InvalidArgumentError before any query`, async () => {
      const s = stub();
      await assert.rejects(handleRender(request(query), { api: s.api, limits: limits({ max_flamegraph_nodes_max: 10 }), nowMs: () => NOW }), InvalidArgumentError);
      assert.equal(s.calls.length, 0);
    });
  }
});

describe("handleRenderDiff", () => {
  const diffQuery = (left: string, right: string): string =>
    `leftQuery=${encodeURIComponent(left)}&leftFrom=now-2h&leftUntil=now-1h&rightQuery=${encodeURIComponent(right)}&rightFrom=now-1h&rightUntil=now`;

  it("selects both sides at once, each with its own range", async () => {
    const s = stub();
    const pending = handleRenderDiff(request(diffQuery(`${CPU}{pod="a"}`, `${CPU}:delta{pod="b"}`)), { api: s.api, limits: limits(), nowMs: () => NOW });
    await new Promise((r) => setImmediate(r));
    assert.equal(s.calls.length, 2);
    s.open();
    assert.equal((await pending).status, 200);
    assert.deepEqual(
      s.calls.map((c) => [c.q.startMs, c.q.endMs, c.q.matchers[0]!.value]),
      [
        [NOW - 7_200_000, NOW - 3_600_000, "a"],
        [NOW - 3_600_000, NOW, "b"],
      ],
    );
  });

  it("mismatched profile types: InvalidArgumentError naming both, no query", async () => {
    const s = stub();
    await assert.rejects(
      handleRenderDiff(request(diffQuery(CPU, "memory:inuse_space:bytes:space:bytes")), { api: s.api, limits: limits(), nowMs: () => NOW }),
      (err: unknown) => err instanceof InvalidArgumentError && /'rightQuery' selects memory:inuse_space:bytes:space:bytes/.test(err.message),
    );
    assert.equal(s.calls.length, 0);
  });
});
