/**
 * Per-tenant limits end to end: the distributor's ingestion rate limit (token
 * bucket over uncompressed bytes, Phlare's message), per-tenant overrides from
 * the runtime config and their reload while running, /api/v1/tenant_limits and
 * /runtime_config, and the ingester's active-series limit.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { parse } from "yaml";
import { PushRequestSchema } from "../src/gen/push/v1/push_pb.js";
import { buildPprof } from "./helpers/pprof.js";
import type { TestProfile } from "./helpers/pprof.js";
import { get, postProto, rawSeries, recentMs, rejection } from "./helpers/api.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const T0 = recentMs();
const LIMIT_KEYS = ["ingestion_burst_size", "ingestion_rate", "max_global_series_per_user"];

/** A CPU profile with `stacks` distinct stacks (about 70 bytes each uncompressed). */
function bigProfile(stacks: number, timeMs = T0): TestProfile {
  return {
    sampleTypes: [["samples", "count"], ["cpu", "nanoseconds"]],
    periodType: ["cpu", "nanoseconds"],
    period: 10_000_000,
    timeNanos: BigInt(timeMs) * 1_000_000n,
    stacks: Array.from({ length: stacks }, (_, i) => ({ frames: ["main", `fn_${i}`, `leaf_${i}`], values: [1, 10 + i] })),
  };
}

/**
 * A push whose uncompressed size, as the rate limiter counts it (decompressed
 * pprof + label names and values), is exactly `bytes`: as many stacks as fit,
 * then service_name pads the rest.
 */
function pushOfSize(bytes: number) {
  const fixed = "__name__".length + "process_cpu".length + "service_name".length;
  let stacks = 1;
  let raw = buildPprof(bigProfile(stacks));
  for (;;) {
    const next = buildPprof(bigProfile(stacks + 1));
    if (next.length + fixed + 1 > bytes) break;
    raw = next;
    stacks++;
  }
  const pad = bytes - fixed - raw.length;
  assert.ok(pad >= 1 && pad <= 2048, `cannot pad a ${raw.length}-byte profile to ${bytes} bytes`);
  return { series: [rawSeries({ __name__: "process_cpu", service_name: "s".repeat(pad) }, raw)] };
}

function goroutineSeries(service: string, timeMs = T0) {
  return rawSeries(
    { __name__: "goroutine", service_name: service },
    { sampleTypes: [["goroutine", "count"]], periodType: ["goroutine", "count"], timeNanos: BigInt(timeMs) * 1_000_000n, stacks: [{ frames: ["main"], values: [1] }] },
  );
}

describe("ingestion rate limit", () => {
  let s: TestServer;
  before(async () => {
    // 1 byte/s refill: the bucket is effectively just the 0.01 MB (10485-byte) burst.
    s = await startTestServer(["-distributor.ingestion-rate-limit-mb=0.000001", "-distributor.ingestion-burst-size-mb=0.01"]);
  });
  after(() => s.stop());

  const overBurst = [
    { bytes: 10_486, want: "push rate limit (1 B) exceeded while adding 10 KiB" },
    { bytes: 11_735, want: "push rate limit (1 B) exceeded while adding 12 KiB" },
    { bytes: 12_800, want: "push rate limit (1 B) exceeded while adding 12 KiB" },
    { bytes: 10_700, want: "push rate limit (1 B) exceeded while adding 10 KiB" },
  ];
  for (const c of overBurst) {
    it(`rejects a push of ${c.bytes} bytes (over the burst) with 429 resource_exhausted: "${c.want}"`, async () => {
      const err = await rejection(s.clients().push.push(pushOfSize(c.bytes)));
      assert.equal(err.code, Code.ResourceExhausted);
      assert.equal(err.rawMessage, c.want);
    });
  }

  it("answers a rate-limited push over HTTP with status 429", async () => {
    const res = await postProto(s.url, "/push.v1.PusherService/Push", PushRequestSchema, create(PushRequestSchema, pushOfSize(11_000)));
    assert.equal(res.status, 429);
    assert.deepEqual(res.json, { code: "resource_exhausted", message: "push rate limit (1 B) exceeded while adding 11 KiB" });
  });

  it("a rejected push takes no tokens: pushes within the burst pass until it is spent", async () => {
    // 10485 bytes of burst: two pushes of 5000 fit, the third does not.
    await s.clients().push.push(pushOfSize(5_000));
    await s.clients().push.push(pushOfSize(5_000));
    const err = await rejection(s.clients().push.push(pushOfSize(5_000)));
    assert.equal(err.code, Code.ResourceExhausted);
    assert.equal(err.rawMessage, "push rate limit (1 B) exceeded while adding 4.9 KiB");
  });
});

describe("rate-limit message formats the configured rate like Go's humanize.IBytes", () => {
  const rates = [
    { mb: "0.001", want: "1.0 KiB" },
    { mb: "0.0005", want: "524 B" },
    { mb: "4", want: "4.0 MiB" },
    { mb: "0.0095", want: "9.7 KiB" },
    { mb: "0.00975", want: "10 KiB" },
  ];
  for (const c of rates) {
    it(`-distributor.ingestion-rate-limit-mb=${c.mb} prints ${c.want}`, async () => {
      const s = await startTestServer([`-distributor.ingestion-rate-limit-mb=${c.mb}`, "-distributor.ingestion-burst-size-mb=0.001"]);
      try {
        const err = await rejection(s.clients().push.push(pushOfSize(5_000)));
        assert.equal(err.rawMessage, `push rate limit (${c.want}) exceeded while adding 4.9 KiB`);
      } finally {
        await s.stop();
      }
    });
  }
});

describe("per-tenant overrides from the runtime config", () => {
  let s: TestServer;
  let dir: string;
  let file: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "phlare-rc-"));
    file = join(dir, "runtime.yaml");
    writeFileSync(file, "overrides:\n  big:\n    ingestion_rate_mb: 2.5\n    ingestion_burst_size_mb: 3.7\n    max_global_series_per_tenant: 10\n");
    s = await startTestServer([
      "-auth.multitenancy-enabled=true",
      `-runtime-config.file=${file}`,
      "-runtime-config.reload-period=100ms",
      "-distributor.ingestion-rate-limit-mb=0.000001",
      "-distributor.ingestion-burst-size-mb=0.001",
    ]);
  });
  after(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Polls tenant_limits until `ok` holds for `tenant` (the reload period is 100ms). */
  async function waitForLimits(tenant: string, ok: (l: Record<string, unknown>) => boolean): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const res = await get(s.url, "/api/v1/tenant_limits", { "X-Scope-OrgID": tenant });
      if (ok(res.json as Record<string, unknown>)) return;
      await sleep(50);
    }
    assert.fail(`tenant_limits of ${tenant} never changed`);
  }

  it("applies a tenant's burst override; other tenants keep the defaults", async () => {
    await s.clients({ tenant: "big" }).push.push(pushOfSize(5_000));
    const err = await rejection(s.clients({ tenant: "small" }).push.push(pushOfSize(5_000)));
    assert.equal(err.code, Code.ResourceExhausted);
    assert.match(err.rawMessage, /^push rate limit \(1 B\) exceeded while adding 4\.9 KiB$/);
  });

  const tenantLimits = [
    { tenant: "big", want: { ingestion_rate: 2.5, ingestion_burst_size: 3, max_global_series_per_user: 10 } },
    { tenant: "small", want: { ingestion_rate: 0.000001, ingestion_burst_size: 0, max_global_series_per_user: 5000 } },
  ];
  for (const c of tenantLimits) {
    it(`GET /api/v1/tenant_limits returns exactly the three limits of tenant ${c.tenant}`, async () => {
      const res = await get(s.url, "/api/v1/tenant_limits", { "X-Scope-OrgID": c.tenant });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /application\/json/);
      assert.deepEqual(Object.keys(res.json as object).sort(), LIMIT_KEYS);
      assert.deepEqual(res.json, c.want);
    });
  }

  it("GET /runtime_config shows each tenant's full limits", async () => {
    const res = await get(s.url, "/runtime_config");
    assert.equal(res.status, 200);
    const doc = parse(res.text) as { overrides: Record<string, Record<string, unknown>> };
    assert.deepEqual(Object.keys(doc.overrides), ["big"]);
    const big = doc.overrides["big"]!;
    assert.equal(big["ingestion_rate_mb"], 2.5);
    assert.equal(big["ingestion_burst_size_mb"], 3.7);
    assert.equal(big["max_global_series_per_tenant"], 10);
    assert.equal(big["max_label_names_per_series"], 30);
    assert.equal(big["max_query_length"], "1d");
  });

  it("GET /runtime_config?mode=diff shows only what differs from the defaults", async () => {
    const res = await get(s.url, "/runtime_config?mode=diff");
    assert.equal(res.status, 200);
    assert.deepEqual(parse(res.text), { overrides: { big: { ingestion_rate_mb: 2.5, ingestion_burst_size_mb: 3.7, max_global_series_per_tenant: 10 } } });
  });

  it("an edited file changes the limits without a restart", async () => {
    writeFileSync(file, "overrides:\n  big:\n    ingestion_burst_size_mb: 0.002\n  small:\n    ingestion_rate_mb: 1\n    ingestion_burst_size_mb: 1\n");
    await waitForLimits("small", (l) => l["ingestion_burst_size"] === 1);
    await waitForLimits("big", (l) => l["ingestion_burst_size"] === 0);
    await s.clients({ tenant: "small" }).push.push(pushOfSize(5_000));
    const err = await rejection(s.clients({ tenant: "big" }).push.push(pushOfSize(5_000)));
    assert.equal(err.code, Code.ResourceExhausted);
    const diff = parse((await get(s.url, "/runtime_config?mode=diff")).text) as { overrides: Record<string, unknown> };
    assert.deepEqual(diff.overrides, { big: { ingestion_burst_size_mb: 0.002 }, small: { ingestion_rate_mb: 1, ingestion_burst_size_mb: 1 } });
  });

  it("a broken edit keeps the previous overrides", async () => {
    writeFileSync(file, "overrides:\n  small:\n    no_such_limit: 1\n");
    // Give the watcher several periods to (not) apply it, then prove nothing changed.
    await sleep(400);
    const res = await get(s.url, "/api/v1/tenant_limits", { "X-Scope-OrgID": "small" });
    assert.deepEqual(res.json, { ingestion_rate: 1, ingestion_burst_size: 1, max_global_series_per_user: 5000 });
  });
});

describe("without a runtime-config file", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.stop());

  for (const path of ["/api/v1/tenant_limits", "/runtime_config"]) {
    it(`does not serve ${path}`, async () => {
      assert.equal((await get(s.url, path)).status, 404);
    });
  }
});

describe("active series limit", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(["-auth.multitenancy-enabled=true", "-ingester.max-global-series-per-tenant=3"]);
  });
  after(() => s.stop());

  it("accepts series up to the limit, then rejects a new one with 429", async () => {
    const push = s.clients({ tenant: "t1" }).push;
    for (const svc of ["a", "b", "c"]) await push.push({ series: [goroutineSeries(svc)] });
    const err = await rejection(push.push({ series: [goroutineSeries("d")] }));
    assert.equal(err.code, Code.ResourceExhausted);
    assert.equal(
      err.rawMessage,
      "Maximum active series limit exceeded (3/3), reduce the number of active streams (reduce labels or reduce label values), or contact your administrator to see if the limit can be increased",
    );
  });

  it("keeps accepting profiles for existing series", async () => {
    await s.clients({ tenant: "t1" }).push.push({ series: [goroutineSeries("a", T0 + 1000)] });
    const values = (await s.clients({ tenant: "t1" }).querier.labelValues({ name: "service_name" })).names;
    assert.deepEqual(values, ["a", "b", "c"]);
  });

  it("counts series per tenant", async () => {
    const push = s.clients({ tenant: "t2" }).push;
    await push.push({ series: [goroutineSeries("a"), goroutineSeries("b"), goroutineSeries("c")] });
    const err = await rejection(push.push({ series: [goroutineSeries("e")] }));
    assert.equal(err.code, Code.ResourceExhausted);
  });

  it("a CPU profile that would add two series past the limit is rejected whole", async () => {
    const push = s.clients({ tenant: "t3" }).push;
    await push.push({ series: [goroutineSeries("a"), goroutineSeries("b")] });
    const err = await rejection(push.push({ series: [rawSeries({ __name__: "process_cpu", service_name: "cpu" }, bigProfile(1))] }));
    assert.equal(err.code, Code.ResourceExhausted);
    const types = (await s.clients({ tenant: "t3" }).querier.profileTypes({})).profileTypes.map((t) => t.ID);
    assert.deepEqual(types, ["goroutine:goroutine:count:goroutine:count"]);
  });
});
