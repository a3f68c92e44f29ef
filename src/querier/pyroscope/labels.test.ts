/**
 * /pyroscope/label-values and /pyroscope/labels on a real server with multitenancy on,
 * and the tenant boundary of every Pyroscope route: no org id is 401, and one tenant
 * never sees another's profiles, labels or values.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { get } from "../../../test/helpers/api.js";
import { startTestServer } from "../../../test/helpers/server.js";
import type { TestServer } from "../../../test/helpers/server.js";
import { CPU_TYPE, fixtureBaseMs, pushFixture } from "./test-fixture.js";

const BASE = fixtureBaseMs();
const A = { "X-Scope-OrgID": "team-a" };
const B = { "X-Scope-OrgID": "team-b" };
const C = { "X-Scope-OrgID": "team-c" };

function path(route: string, params: Record<string, string | string[]> = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) qs.append(k, x);
  const s = qs.toString();
  return s === "" ? route : `${route}?${s}`;
}

const RANGE = { from: String(BASE / 1000), until: String((BASE + 60_000) / 1000) };

describe("Pyroscope label routes and tenants", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(["-auth.multitenancy-enabled=true"]);
    await pushFixture(s, BASE, "team-a", { env: "prod" });
    await pushFixture(s, BASE, "team-b", { service_name: "billing", only_b: "yes" });
  });
  after(() => s.stop());

  const values: { name: string; params: Record<string, string | string[]>; headers: Record<string, string>; want: string[] }[] = [
    { name: "a normal label", params: { label: "pod" }, headers: A, want: ["a", "b"] },
    { name: "service_name of team-a", params: { label: "service_name" }, headers: A, want: ["app"] },
    { name: "service_name of team-b", params: { label: "service_name" }, headers: B, want: ["billing"] },
    {
      name: "__name__: every profile type ID",
      params: { label: "__name__" },
      headers: A,
      want: [CPU_TYPE, "process_cpu:samples:count:cpu:nanoseconds"],
    },
    { name: "an unknown label: an empty array", params: { label: "nope" }, headers: A, want: [] },
    { name: "another tenant's label: nothing", params: { label: "only_b" }, headers: A, want: [] },
    { name: "a tenant without data", params: { label: "pod" }, headers: C, want: [] },
    { name: "filtered by query", params: { label: "pod", query: `{pod="a"}` }, headers: A, want: ["a"] },
    { name: "filtered by a render query", params: { label: "env", query: `${CPU_TYPE}{pod="b"}` }, headers: A, want: ["prod"] },
    { name: "match[] selectors are alternatives", params: { label: "pod", "match[]": [`{pod="a"}`, `{pod="b"}`] }, headers: A, want: ["a", "b"] },
    { name: "__name__ filtered by query", params: { label: "__name__", query: `{pod="zzz"}` }, headers: A, want: [] },
    { name: "a range around the data", params: { label: "pod", ...RANGE }, headers: A, want: ["a", "b"] },
    { name: "a range without data", params: { label: "pod", from: "now-30s", until: "now" }, headers: A, want: [] },
  ];
  for (const c of values) {
    it(`label-values: ${c.name}`, async () => {
      const res = await get(s.url, path("/pyroscope/label-values", c.params), c.headers);
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      assert.deepEqual(res.json, c.want);
      if (c.want.length === 0) assert.equal(res.text, "[]");
    });
  }

  it("labels: the names of the tenant's labels only", async () => {
    const a = (await get(s.url, "/pyroscope/labels", A)).json as string[];
    assert.ok(["env", "pod", "service_name", "__name__"].every((n) => a.includes(n)), JSON.stringify(a));
    assert.ok(!a.includes("only_b"));
    const b = (await get(s.url, path("/pyroscope/labels", { query: `{service_name="billing"}` }), B)).json as string[];
    assert.ok(b.includes("only_b") && !b.includes("env"), JSON.stringify(b));
    assert.equal((await get(s.url, "/pyroscope/labels", C)).text, "[]");
  });

  it("render answers from the caller's data only", async () => {
    const render = (headers: Record<string, string>, selector: string): Promise<number> =>
      get(s.url, path("/pyroscope/render", { query: `${CPU_TYPE}${selector}`, ...RANGE }), headers).then((r) => {
        assert.equal(r.status, 200, r.text);
        return (r.json as { flamebearer: { numTicks: number } }).flamebearer.numTicks;
      });
    assert.equal(await render(A, `{service_name="app"}`), 1_120_000_000);
    assert.equal(await render(A, `{service_name="billing"}`), 0);
    assert.equal(await render(B, `{service_name="billing"}`), 1_120_000_000);
    assert.equal(await render(C, "{}"), 0);
    const collapsed = await get(s.url, path("/pyroscope/render", { query: CPU_TYPE, format: "collapsed", ...RANGE }), C);
    assert.equal(collapsed.text, "");
  });

  it("render-diff answers from the caller's data only", async () => {
    const q = { leftQuery: CPU_TYPE, leftFrom: RANGE.from, leftUntil: RANGE.until, rightQuery: `${CPU_TYPE}{only_b="yes"}`, rightFrom: RANGE.from, rightUntil: RANGE.until };
    const a = (await get(s.url, path("/pyroscope/render-diff", q), A)).json as { leftTicks: number; rightTicks: number };
    assert.deepEqual([a.leftTicks, a.rightTicks], [1_120_000_000, 0]);
    const b = (await get(s.url, path("/pyroscope/render-diff", q), B)).json as { leftTicks: number; rightTicks: number };
    assert.deepEqual([b.leftTicks, b.rightTicks], [1_120_000_000, 1_120_000_000]);
  });

  for (const route of ["/pyroscope/render", "/pyroscope/render-diff", "/pyroscope/label-values", "/pyroscope/labels"]) {
    it(`${route} without X-Scope-OrgID: 401 no org id`, async () => {
      const res = await get(s.url, path(route, { query: CPU_TYPE, label: "pod", ...RANGE }));
      assert.equal(res.status, 401, res.text);
      assert.equal(res.text.trim(), "no org id");
    });
  }

  it("label-values without label: 400", async () => {
    const res = await get(s.url, "/pyroscope/label-values", A);
    assert.equal(res.status, 400);
    assert.equal(res.text.trim(), "'label' is required");
  });

  it("a bad match[] selector: 400", async () => {
    const res = await get(s.url, path("/pyroscope/labels", { "match[]": "{pod=" }), A);
    assert.equal(res.status, 400);
    assert.match(res.text, /^failed to parse 'match\[\]': parse error/);
  });

  it("a bad tenant ID: 400", async () => {
    const res = await get(s.url, path("/pyroscope/label-values", { label: "pod" }), { "X-Scope-OrgID": "a/b" });
    assert.equal(res.status, 400);
    assert.match(res.text, /unsupported characters/);
  });
});
