import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError, createApiClient } from "./client.ts";

interface Seen {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
}

function fakeServer(answer: (s: Seen) => Response): { fetch: typeof fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const f = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const s: Seen = { url: String(input), method: init?.method ?? "GET", headers: new Headers(init?.headers), body: init?.body };
    seen.push(s);
    return answer(s);
  };
  return { fetch: f as typeof fetch, seen };
}

const range = { startMs: 1000, endMs: 2000 };
const base = new URL("http://h/prefix/");

describe("createApiClient", () => {
  it("posts Connect JSON with the tenant", async () => {
    const srv = fakeServer(() => Response.json({ names: ["pod", "service_name"] }));
    const c = createApiClient({ baseUrl: base, tenant: () => "team-a", fetch: srv.fetch });
    assert.deepEqual(await c.labelNames("t:a:b:c:d", range), ["pod", "service_name"]);
    const s = srv.seen[0]!;
    assert.equal(s.url, "http://h/prefix/querier.v1.QuerierService/LabelNames");
    assert.equal(s.method, "POST");
    assert.equal(s.headers.get("x-scope-orgid"), "team-a");
    assert.deepEqual(JSON.parse(String(s.body)), { matchers: ['{__profile_type__="t:a:b:c:d"}'], start: "1000", end: "2000" });
  });

  it("sends no tenant header without a tenant", async () => {
    const srv = fakeServer(() => Response.json({ profileTypes: [{ ID: "x", name: "n" }] }));
    const c = createApiClient({ baseUrl: base, tenant: () => null, fetch: srv.fetch });
    const types = await c.profileTypes(range);
    assert.equal(types[0]!.ID, "x");
    assert.equal(srv.seen[0]!.headers.has("x-scope-orgid"), false);
  });

  it("reads Connect errors and reports a missing tenant", async () => {
    const srv = fakeServer(() => Response.json({ code: "unauthenticated", message: "no org id" }, { status: 401 }));
    let asked = 0;
    const c = createApiClient({ baseUrl: base, tenant: () => null, fetch: srv.fetch, onNoOrgId: () => asked++ });
    await assert.rejects(c.labelValues("t", "pod", range), (e: unknown) => e instanceof ApiError && e.isNoOrgId && e.code === "unauthenticated");
    assert.equal(asked, 1);
  });

  it("detects multitenancy without sending a tenant", async () => {
    const srv = fakeServer(() => Response.json({ code: "unauthenticated", message: "no org id" }, { status: 401 }));
    let asked = 0;
    const c = createApiClient({ baseUrl: base, tenant: () => "stored", fetch: srv.fetch, onNoOrgId: () => asked++ });
    assert.equal(await c.detectMultitenancy(), true);
    assert.equal(srv.seen[0]!.headers.has("x-scope-orgid"), false);
    assert.equal(asked, 0);
    const off = createApiClient({ baseUrl: base, tenant: () => null, fetch: fakeServer(() => Response.json({ names: [] })).fetch });
    assert.equal(await off.detectMultitenancy(), false);
  });

  it("reads plain-text errors of the render route", async () => {
    const srv = fakeServer(() => new Response("failed to parse 'query': parse error\n", { status: 400 }));
    const c = createApiClient({ baseUrl: base, tenant: () => null, fetch: srv.fetch });
    await assert.rejects(c.render("t{", range), /failed to parse 'query': parse error$/);
    const u = new URL(srv.seen[0]!.url);
    assert.equal(u.pathname, "/prefix/pyroscope/render");
    assert.equal(u.searchParams.get("query"), "t{");
    assert.equal(u.searchParams.get("from"), "1000");
    assert.equal(u.searchParams.get("format"), "json");
  });

  it("renders a diff", async () => {
    const body = { version: 1, flamebearer: { names: ["total"], levels: [[0, 1, 1, 0, 2, 2, 0]], numTicks: 3, maxSelf: 2 }, metadata: { format: "double" }, leftTicks: 1, rightTicks: 2 };
    const srv = fakeServer(() => Response.json(body));
    const c = createApiClient({ baseUrl: base, tenant: () => null, fetch: srv.fetch });
    const r = await c.renderDiff({ query: "l{}", range }, { query: "r{}", range: { startMs: 3000, endMs: 4000 } });
    assert.equal(r.profile.metadata.format, "double");
    assert.equal(r.profile.rightTicks, 2);
    const u = new URL(srv.seen[0]!.url);
    assert.equal(u.pathname, "/prefix/pyroscope/render-diff");
    assert.deepEqual([u.searchParams.get("leftQuery"), u.searchParams.get("rightFrom"), u.searchParams.get("rightUntil")], ["l{}", "3000", "4000"]);
  });

  it("sends SelectMergeProfile as protobuf and returns the bytes", async () => {
    const srv = fakeServer(() => new Response(new Uint8Array([1, 2, 3])));
    const c = createApiClient({ baseUrl: base, tenant: () => null, fetch: srv.fetch });
    const out = await c.mergeProfile({ profileTypeID: "t", labelSelector: "{}", range });
    assert.deepEqual([...out], [1, 2, 3]);
    assert.equal(srv.seen[0]!.headers.get("content-type"), "application/proto");
    assert.ok(srv.seen[0]!.body instanceof Uint8Array);
  });

  it("asks for grouped series", async () => {
    const srv = fakeServer(() => Response.json({ series: [{ labels: [{ name: "pod", value: "a" }], points: [{ value: 2, timestamp: "1500" }] }] }));
    const c = createApiClient({ baseUrl: base, tenant: () => null, fetch: srv.fetch });
    const s = await c.selectSeries({ profileTypeID: "t", labelSelector: "{}", range, stepS: 15, groupBy: "pod" });
    assert.deepEqual(s, [{ labels: { pod: "a" }, points: [{ timestampMs: 1500, value: 2 }] }]);
    assert.deepEqual(JSON.parse(String(srv.seen[0]!.body)), { profileTypeID: "t", labelSelector: "{}", start: "1000", end: "2000", step: 15, groupBy: ["pod"] });
  });
});
