/**
 * Tenancy over the public and internal RPCs: with -auth.multitenancy-enabled the
 * X-Scope-OrgID header is required and validated, and every read API sees only
 * the caller's data; with it off every request is tenant "anonymous".
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { PushRequestSchema } from "../src/gen/push/v1/push_pb.js";
import { LabelNamesRequestSchema, LabelValuesRequestSchema, LabelValuesResponseSchema } from "../src/gen/types/v1/types_pb.js";
import { grpcUnary } from "./helpers/grpc.js";
import { CPU, cpuSeries, get, postConnectJson, postProto, rawSeries, recentMs, rejection, connectErrorBody, fgTotal } from "./helpers/api.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const T0 = recentMs();
const GOROUTINE = "goroutine:goroutine:count:goroutine:count";
const SHARED = { __name__: "process_cpu", service_name: "shared-app", env: "prod" };
const SEL = '{service_name="shared-app"}';

/** What each tenant pushes: the same shared series with different stacks, plus labels only it has. */
const TENANTS = {
  "tenant-a": { frame: "alpha", ns: 100, only: { __name__: "process_cpu", service_name: "a-only", env: "staging" } },
  "tenant-b": { frame: "beta", ns: 7, only: { __name__: "goroutine", service_name: "b-only", env: "dev" } },
} as const;
type TenantName = keyof typeof TENANTS;

async function pushTenant(s: TestServer, tenant: TenantName): Promise<void> {
  const t = TENANTS[tenant];
  const onlySeries =
    t.only.__name__ === "goroutine"
      ? rawSeries(t.only, { sampleTypes: [["goroutine", "count"]], periodType: ["goroutine", "count"], timeNanos: BigInt(T0) * 1_000_000n, stacks: [{ frames: ["main", "park"], values: [3] }] })
      : cpuSeries(t.only, [{ frames: ["main", "staging"], values: [1, 11] }], T0);
  await s.clients({ tenant }).push.push({
    series: [cpuSeries(SHARED, [{ frames: ["main", t.frame], values: [1, t.ns] }], T0), onlySeries],
  });
}

describe("multitenancy enabled", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(["-auth.multitenancy-enabled=true"]);
    await pushTenant(s, "tenant-a");
    await pushTenant(s, "tenant-b");
  });
  after(() => s.stop());

  const missingHeader = [
    { name: "Connect JSON querier call", codec: "json", path: "/querier.v1.QuerierService/LabelNames" },
    { name: "Connect binary querier call", codec: "proto", path: "/querier.v1.QuerierService/LabelNames" },
    { name: "Connect JSON push", codec: "json", path: "/push.v1.PusherService/Push" },
    { name: "Connect binary push", codec: "proto", path: "/push.v1.PusherService/Push" },
    { name: "Connect JSON ingester call", codec: "json", path: "/ingester.v1.IngesterService/LabelNames" },
  ] as const;
  for (const c of missingHeader) {
    it(`rejects a ${c.name} without X-Scope-OrgID: 401 unauthenticated "no org id"`, async () => {
      const res =
        c.codec === "json"
          ? await postConnectJson(s.url, c.path, {})
          : c.path.startsWith("/push")
            ? await postProto(s.url, c.path, PushRequestSchema, create(PushRequestSchema, {}))
            : await postProto(s.url, c.path, LabelNamesRequestSchema, create(LabelNamesRequestSchema, {}));
      assert.equal(res.status, 401, res.text);
      assert.deepEqual(res.json, { code: "unauthenticated", message: "no org id" });
    });
  }

  it("treats an empty X-Scope-OrgID like a missing one", async () => {
    const res = await postConnectJson(s.url, "/querier.v1.QuerierService/ProfileTypes", {}, { "X-Scope-OrgID": "" });
    assert.equal(res.status, 401);
    assert.deepEqual(res.json, { code: "unauthenticated", message: "no org id" });
  });

  const badTenants = [
    { name: "151 characters", id: "x".repeat(151), want: /150/ },
    { name: "..", id: "..", want: /not allowed|\.\./ },
    { name: ".", id: ".", want: /not allowed|"\."/ },
    { name: "a slash", id: "a/b", want: /unsupported characters|a\/b/ },
    { name: "a space", id: "a b", want: /unsupported characters/ },
    { name: "a non-ASCII letter", id: "tenänt", want: /unsupported characters/ },
    { name: "two tenants a|b", id: "a|b", want: /multiple tenants/ },
  ];
  for (const c of badTenants) {
    it(`rejects tenant ID with ${c.name} with a 4xx and a message`, async () => {
      const res = await postConnectJson(s.url, "/querier.v1.QuerierService/LabelNames", {}, { "X-Scope-OrgID": c.id });
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
      const body = connectErrorBody(res);
      assert.notEqual(body.code, "unauthenticated");
      assert.match(body.message, c.want);
    });
  }

  it("accepts a tenant ID of exactly 150 characters of every allowed kind", async () => {
    const id = `${"aZ09!-_.*'()".repeat(12)}abcdef`;
    assert.equal(id.length, 150);
    const res = await s.clients({ tenant: id }).querier.labelNames({});
    assert.deepEqual(res.names, []);
  });

  it("ProfileTypes: each tenant sees only its own types", async () => {
    const a = await s.clients({ tenant: "tenant-a" }).querier.profileTypes({});
    const b = await s.clients({ tenant: "tenant-b" }).querier.profileTypes({});
    assert.deepEqual(a.profileTypes.map((t) => t.ID), ["process_cpu:cpu:nanoseconds:cpu:nanoseconds", "process_cpu:samples:count:cpu:nanoseconds"]);
    assert.deepEqual(b.profileTypes.map((t) => t.ID), [GOROUTINE, "process_cpu:cpu:nanoseconds:cpu:nanoseconds", "process_cpu:samples:count:cpu:nanoseconds"]);
  });

  it("LabelValues: each tenant sees only its own values, with and without matchers", async () => {
    for (const [tenant, want] of [["tenant-a", ["a-only", "shared-app"]], ["tenant-b", ["b-only", "shared-app"]]] as const) {
      const q = s.clients({ tenant }).querier;
      assert.deepEqual((await q.labelValues({ name: "service_name" })).names, want, tenant);
      assert.deepEqual((await q.labelValues({ name: "env", matchers: ['{env=~".+"}'] })).names, tenant === "tenant-a" ? ["prod", "staging"] : ["dev", "prod"]);
    }
  });

  it("LabelNames and __name__ values: another tenant's series are invisible", async () => {
    const a = await s.clients({ tenant: "tenant-a" }).querier.labelValues({ name: "__name__" });
    const b = await s.clients({ tenant: "tenant-b" }).querier.labelValues({ name: "__name__" });
    assert.deepEqual(a.names, ["process_cpu"]);
    assert.deepEqual(b.names, ["goroutine", "process_cpu"]);
    const none = await s.clients({ tenant: "tenant-c" }).querier.labelNames({});
    assert.deepEqual(none.names, []);
    const namesA = await s.clients({ tenant: "tenant-a" }).querier.labelNames({ matchers: ['{env="dev"}'] });
    assert.deepEqual(namesA.names, []);
    const namesB = await s.clients({ tenant: "tenant-b" }).querier.labelNames({ matchers: ['{env="dev"}'] });
    assert.ok(namesB.names.includes("env"));
  });

  it("Series: each tenant lists only its own series", async () => {
    const ids = async (tenant: string) =>
      (await s.clients({ tenant }).querier.series({ matchers: ["{}"], labelNames: ["service_name", "__profile_type__"] })).labelsSet.map((l) =>
        l.labels.map((p) => p.value).join("/"),
      );
    assert.deepEqual(await ids("tenant-a"), [
      `${CPU}/a-only`,
      `${CPU}/shared-app`,
      "process_cpu:samples:count:cpu:nanoseconds/a-only",
      "process_cpu:samples:count:cpu:nanoseconds/shared-app",
    ]);
    assert.deepEqual(await ids("tenant-b"), [
      `${GOROUTINE}/b-only`,
      `${CPU}/shared-app`,
      "process_cpu:samples:count:cpu:nanoseconds/shared-app",
    ]);
    assert.deepEqual(await ids("tenant-c"), []);
  });

  it("SelectMergeStacktraces: the shared labels give each tenant its own flame graph", async () => {
    for (const tenant of ["tenant-a", "tenant-b"] as const) {
      const res = await s.clients({ tenant }).querier.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: SEL, start: BigInt(T0 - 1000), end: BigInt(T0 + 1000) });
      assert.deepEqual(res.flamegraph!.names, ["total", "main", TENANTS[tenant].frame]);
      assert.equal(fgTotal(res), TENANTS[tenant].ns);
    }
    const c = await s.clients({ tenant: "tenant-c" }).querier.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: SEL, start: BigInt(T0 - 1000), end: BigInt(T0 + 1000) });
    assert.equal(fgTotal(c), 0);
  });

  it("SelectMergeProfile: each tenant's pprof holds only its own samples", async () => {
    for (const tenant of ["tenant-a", "tenant-b"] as const) {
      const p = await s.clients({ tenant }).querier.selectMergeProfile({ profileTypeID: CPU, labelSelector: SEL, start: BigInt(T0 - 1000), end: BigInt(T0 + 1000) });
      const total = p.sample.reduce((a, x) => a + Number(x.value[0]), 0);
      assert.equal(total, TENANTS[tenant].ns, tenant);
      const names = p.function.map((f) => p.stringTable[Number(f.name)]).sort();
      assert.deepEqual(names, [TENANTS[tenant].frame, "main"].sort());
    }
  });

  it("SelectSeries: each tenant's points sum only its own profiles", async () => {
    for (const tenant of ["tenant-a", "tenant-b"] as const) {
      const res = await s.clients({ tenant }).querier.selectSeries({
        profileTypeID: CPU,
        labelSelector: SEL,
        start: BigInt(T0),
        end: BigInt(T0),
        step: 1,
        groupBy: ["env"],
      });
      assert.deepEqual(res.series.map((x) => [x.labels.map((l) => `${l.name}=${l.value}`), x.points.map((p) => p.value)]), [[["env=prod"], [TENANTS[tenant].ns]]]);
    }
  });

  it("Diff: each side is read from the caller's data only", async () => {
    const side = { profileTypeID: CPU, labelSelector: SEL, start: BigInt(T0 - 1000), end: BigInt(T0 + 1000) };
    for (const tenant of ["tenant-a", "tenant-b"] as const) {
      const res = await s.clients({ tenant }).querier.diff({ left: side, right: side });
      assert.equal(res.flamegraph!.leftTicks, BigInt(TENANTS[tenant].ns), tenant);
      assert.equal(res.flamegraph!.rightTicks, BigInt(TENANTS[tenant].ns), tenant);
      assert.deepEqual(res.flamegraph!.names, ["total", "main", TENANTS[tenant].frame]);
    }
  });

  it("ingester.v1 label RPCs are tenant-scoped too", async () => {
    for (const [tenant, other] of [["tenant-a", "b-only"], ["tenant-b", "a-only"]] as const) {
      const ing = s.clients({ tenant }).ingester;
      const values = (await ing.labelValues({ name: "service_name" })).names;
      assert.ok(!values.includes(other), `${tenant} sees ${other}`);
      assert.ok(values.includes("shared-app"));
      const names = (await ing.labelNames({ matchers: [`{service_name="${other}"}`] })).names;
      assert.deepEqual(names, []);
      const types = (await ing.profileTypes({})).profileTypes.map((t) => t.ID);
      assert.equal(types.includes(GOROUTINE), tenant === "tenant-b");
      const series = (await ing.series({ matchers: [`{service_name="${other}"}`] })).labelsSet;
      assert.deepEqual(series, []);
    }
    const none = s.clients({ tenant: "tenant-c" }).ingester;
    assert.deepEqual((await none.labelValues({ name: "service_name" })).names, []);
    assert.deepEqual((await none.profileTypes({})).profileTypes, []);
    assert.deepEqual((await none.series({ matchers: [] })).labelsSet, []);
  });

  it("gRPC: no x-scope-orgid metadata is UNAUTHENTICATED, with it the tenant's data", async () => {
    const address = `127.0.0.1:${s.app.port}`;
    const call = (metadata: Record<string, string>) =>
      grpcUnary(address, "/querier.v1.QuerierService/LabelValues", LabelValuesRequestSchema, LabelValuesResponseSchema,
        create(LabelValuesRequestSchema, { name: "service_name" }), metadata);
    await assert.rejects(call({}), (err: unknown) => {
      assert.equal((err as { code?: number }).code, 16);
      assert.equal((err as { details?: string }).details, "no org id");
      return true;
    });
    assert.deepEqual((await call({ "x-scope-orgid": "tenant-b" })).names, ["b-only", "shared-app"]);
  });

  it("an ingester.v1 call without the header is unauthenticated", async () => {
    const err = await rejection(s.clients().ingester.profileTypes({}));
    assert.equal(err.code, Code.Unauthenticated);
    assert.equal(err.rawMessage, "no org id");
  });
});

describe("multitenancy enabled: plain tenant routes", () => {
  let s: TestServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "phlare-rc-"));
    const file = join(dir, "runtime.yaml");
    writeFileSync(file, "overrides:\n  tenant-a:\n    ingestion_rate_mb: 7\n");
    s = await startTestServer(["-auth.multitenancy-enabled=true", `-runtime-config.file=${file}`]);
  });
  after(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("GET /api/v1/tenant_limits without the header is a plain-text 401 no org id", async () => {
    const res = await get(s.url, "/api/v1/tenant_limits");
    assert.equal(res.status, 401);
    assert.equal(res.text.trim(), "no org id");
  });

  it("GET /api/v1/tenant_limits answers for the header's tenant", async () => {
    const a = await get(s.url, "/api/v1/tenant_limits", { "X-Scope-OrgID": "tenant-a" });
    const b = await get(s.url, "/api/v1/tenant_limits", { "X-Scope-OrgID": "tenant-b" });
    assert.equal((a.json as Record<string, unknown>)["ingestion_rate"], 7);
    assert.equal((b.json as Record<string, unknown>)["ingestion_rate"], 4);
  });
});

describe("multitenancy disabled", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    await s.clients({ tenant: "team-x" }).push.push({ series: [cpuSeries({ __name__: "process_cpu", service_name: "svc" }, [{ frames: ["main"], values: [1, 42] }], T0)] });
    await s.clients().push.push({ series: [cpuSeries({ __name__: "process_cpu", service_name: "svc2" }, [{ frames: ["main"], values: [1, 8] }], T0)] });
  });
  after(() => s.stop());

  const headers = [
    { name: "no header", tenant: undefined },
    { name: "the pushing tenant's header", tenant: "team-x" },
    { name: "another tenant's header", tenant: "team-y" },
    { name: "an invalid tenant header", tenant: "../etc" },
    { name: "anonymous", tenant: "anonymous" },
  ];
  for (const h of headers) {
    it(`serves every request as anonymous (${h.name})`, async () => {
      const q = s.clients(h.tenant === undefined ? {} : { tenant: h.tenant }).querier;
      assert.deepEqual((await q.labelValues({ name: "service_name" })).names, ["svc", "svc2"]);
      const res = await q.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: "{}", start: BigInt(T0 - 1000), end: BigInt(T0 + 1000) });
      assert.equal(fgTotal(res), 50);
      const ing = s.clients(h.tenant === undefined ? {} : { tenant: h.tenant }).ingester;
      assert.deepEqual((await ing.labelValues({ name: "service_name" })).names, ["svc", "svc2"]);
    });
  }
});
