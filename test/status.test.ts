/**
 * The status, health and config endpoints of a real in-process server (reference
 * §2.2, §2.7): /ready, /metrics, build info, config dumps, the index page, 404/405,
 * -server.path-prefix, gzip, the runtime-config routes, HEAD and h2c.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { parse as parseYaml } from "yaml";
import { QuerierService } from "../src/gen/querier/v1/querier_pb.js";
import { h2cRequest, rawRequest } from "./helpers/http-raw.js";
import { buildPprofGz, cpuProfile } from "./helpers/pprof.js";
import { parsePromText } from "./helpers/prom-text.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

type Tree = Record<string, Record<string, unknown>>;

async function get(url: string, init: RequestInit = {}): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(url, init);
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
}

async function yamlAt(url: string): Promise<Tree> {
  const r = await get(url);
  assert.equal(r.status, 200, `${url}: ${r.text}`);
  assert.match(r.type, /^text\/plain/);
  return parseYaml(r.text) as Tree;
}

/** The status links of the HTML index at `pageUrl`, resolved as a browser would. */
async function indexLinks(pageUrl: string): Promise<string[]> {
  const r = await get(pageUrl);
  assert.equal(r.status, 200, pageUrl);
  assert.match(r.type, /^text\/html/);
  return [...r.text.matchAll(/href="([^"]*)"/g)].map((m) => new URL(m[1]!, pageUrl).pathname);
}

function pushOne(s: TestServer, service: string): Promise<unknown> {
  const t = BigInt(Date.now()) * 1_000_000n;
  return s.clients().push.push({
    series: [
      {
        labels: [
          { name: "__name__", value: "process_cpu" },
          { name: "service_name", value: service },
        ],
        samples: [{ rawProfile: buildPprofGz(cpuProfile(t, [{ frames: ["main", "work"], values: [3, 30_000_000] }])), ID: "" }],
      },
    ],
  });
}

const STATUS_PATHS = [
  "/ready",
  "/metrics",
  "/api/v1/status/buildinfo",
  "/api/v1/status/config",
  "/api/v1/status/config/diff",
  "/api/v1/status/config/default",
  "/ring",
  "/distributor/ring",
  "/store-gateway/ring",
  "/compactor/ring",
];

describe("a server with default flags", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.stop());

  it("/ready answers 200 ready", async () => {
    const r = await get(`${s.url}/ready`);
    assert.equal(r.status, 200);
    assert.equal(r.text.trim(), "ready");
  });

  it("HEAD /ready answers 200 without a body", async () => {
    const r = await rawRequest(`${s.url}/ready`, { method: "HEAD" });
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
  });

  it("GET /ready over h2c (HTTP/2 prior knowledge) on the same port", async () => {
    const r = await h2cRequest(s.url, "/ready");
    assert.equal(r.status, 200);
    assert.equal(r.body.toString().trim(), "ready");
    const cfg = await h2cRequest(s.url, "/api/v1/status/buildinfo");
    assert.equal(cfg.status, 200);
    assert.equal((JSON.parse(cfg.body.toString()) as { status: string }).status, "success");
  });

  it("/metrics is Prometheus text with the request histogram labelled by RPC route", async () => {
    await s.clients().querier.profileTypes({});
    await s.clients().querier.labelNames({ matchers: [] });
    const res = await fetch(`${s.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const prom = parsePromText(await res.text());
    assert.equal(prom.types.get("pyroscope_request_duration_seconds"), "histogram");
    const norm = (x: string): string => x.toLowerCase().replace(/[^a-z0-9]+/g, "_");
    for (const method of ["ProfileTypes", "LabelNames"]) {
      const counts = prom.samples.filter(
        (x) =>
          x.name === "pyroscope_request_duration_seconds_count" &&
          norm(x.labels["route"] ?? "").includes("querierservice") &&
          norm(x.labels["route"] ?? "").endsWith(norm(method)),
      );
      assert.equal(counts.length, 1, `one count series for ${method}`);
      assert.ok(counts[0]!.value >= 1);
      assert.equal(counts[0]!.labels["status_code"], "200");
      assert.equal(counts[0]!.labels["method"], "POST");
    }
  });

  it("/metrics shows distributor and ingester metrics after a push", async () => {
    await pushOne(s, "metrics-test");
    const prom = parsePromText(await (await fetch(`${s.url}/metrics`)).text());
    const positive = (prefix: string): boolean =>
      prom.samples.some((x) => x.name.startsWith(prefix) && x.labels["tenant"] === "anonymous" && x.value > 0);
    assert.ok(positive("pyroscope_distributor_received_compressed_bytes"), "distributor received bytes");
    assert.ok(positive("pyroscope_distributor_"), "distributor metrics");
    assert.ok(positive("pyroscope_ingester_"), "ingester metrics");
    const push = prom.samples.find(
      (x) => x.name === "pyroscope_request_duration_seconds_count" && (x.labels["route"] ?? "").toLowerCase().replace(/[^a-z0-9]+/g, "_").endsWith("pusherservice_push"),
    );
    assert.ok(push, "push route observed");
  });

  it("/api/v1/status/buildinfo has Phlare's JSON shape", async () => {
    const r = await get(`${s.url}/api/v1/status/buildinfo`);
    assert.equal(r.status, 200);
    assert.match(r.type, /^application\/json/);
    const body = JSON.parse(r.text) as { status: string; data: Record<string, unknown> };
    assert.equal(body.status, "success");
    assert.deepEqual(Object.keys(body.data).sort(), ["branch", "buildDate", "buildUser", "goVersion", "revision", "version"]);
    for (const [k, v] of Object.entries(body.data)) assert.ok(typeof v === "string" && v !== "", `${k} is a non-empty string`);
    assert.equal(body.data["version"], s.app.ctx.version.version);
  });

  it("/api/v1/status/config is the running config as YAML", async () => {
    const c = await yamlAt(`${s.url}/api/v1/status/config`);
    assert.equal(c["server"]!["http_listen_port"], 0);
    assert.equal(c["server"]!["http_listen_address"], "127.0.0.1");
    assert.equal(c["server"]!["http_server_read_timeout"], "30s");
    assert.equal(c["phlaredb"]!["data_path"], s.dataDir);
    assert.equal(c["limits"]!["max_label_names_per_series"], 30);
    assert.equal(c["multitenancy_enabled"] as unknown, false);
    assert.equal(c["target"] as unknown, "all");
  });

  it("/api/v1/status/config/default shows the defaults", async () => {
    const d = await yamlAt(`${s.url}/api/v1/status/config/default`);
    assert.equal(d["server"]!["http_listen_port"], 4100);
    assert.equal(d["server"]!["http_listen_address"], "");
    assert.equal(d["phlaredb"]!["data_path"], "./data");
    assert.equal(d["limits"]!["max_label_names_per_series"], 30);
    assert.equal(d["limits"]!["ingestion_rate_mb"], 4);
    assert.equal(d["target"] as unknown, "all");
  });

  it("/admin links to every status page, and every link works", async () => {
    const links = await indexLinks(`${s.url}/admin`);
    for (const p of STATUS_PATHS) assert.ok(links.includes(p), `index links ${p}: ${JSON.stringify(links)}`);
    for (const p of links) assert.equal((await get(`${s.url}${p}`)).status, 200, p);
    assert.ok(!links.includes("/runtime_config"), "no runtime config page without -runtime-config.file");
  });

  it("an unknown path is 404", async () => {
    for (const p of ["/nope", "/api/v1/status/nope", "/ready/extra", "/nope.v1.NopeService/Nope"]) {
      assert.equal((await get(`${s.url}${p}`)).status, 404, p);
    }
  });

  it("a wrong method on a known route is 405", async () => {
    for (const p of ["/ready", "/api/v1/status/config", "/metrics"]) {
      const r = await get(`${s.url}${p}`, { method: "POST", body: "x" });
      assert.equal(r.status, 405, p);
    }
    assert.equal((await get(`${s.url}/api/v1/status/buildinfo`, { method: "DELETE" })).status, 405);
  });

  it("a large plain response is gzipped when the client accepts gzip", async () => {
    for (const p of ["/api/v1/status/config", "/metrics"]) {
      const plain = await rawRequest(`${s.url}${p}`);
      assert.equal(plain.headers["content-encoding"], undefined, `${p} without Accept-Encoding`);
      assert.ok(plain.body.length > 1024, `${p} is large`);
      const gz = await rawRequest(`${s.url}${p}`, { headers: { "accept-encoding": "gzip" } });
      assert.equal(gz.status, 200);
      assert.equal(gz.headers["content-encoding"], "gzip", p);
      assert.ok(gz.body.length < plain.body.length);
      const text = gunzipSync(gz.body).toString();
      if (p === "/api/v1/status/config") assert.equal(text, plain.body.toString());
      else assert.doesNotThrow(() => parsePromText(text));
    }
  });

  it("no runtime-config routes without -runtime-config.file", async () => {
    assert.equal((await get(`${s.url}/runtime_config`)).status, 404);
    assert.equal((await get(`${s.url}/api/v1/tenant_limits`)).status, 404);
  });
});

describe("/api/v1/status/config/diff", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(["-validation.max-label-names-per-series=17", "-querier.query-store-after=90m"]);
  });
  after(() => s.stop());

  it("holds the values that differ from the defaults and nothing else", async () => {
    const d = await yamlAt(`${s.url}/api/v1/status/config/diff`);
    assert.equal(d["limits"]!["max_label_names_per_series"], 17);
    assert.equal(d["querier"]!["query_store_after"], "1h30m0s");
    assert.equal(d["limits"]!["max_label_value_length"], undefined);
    assert.equal(d["limits"]!["ingestion_rate_mb"], undefined);
    assert.equal(d["server"]!["http_server_read_timeout"], undefined);
    assert.equal(d["target"], undefined);
    assert.equal(d["multitenancy_enabled"], undefined);
    const defaults = await yamlAt(`${s.url}/api/v1/status/config/default`);
    const walk = (diff: unknown, dflt: unknown, path: string): void => {
      if (typeof diff === "object" && diff !== null && !Array.isArray(diff)) {
        for (const [k, v] of Object.entries(diff)) walk(v, (dflt as Record<string, unknown> | undefined)?.[k], `${path}.${k}`);
      } else {
        assert.notDeepEqual(diff, dflt, `${path} is in the diff but equals its default`);
      }
    };
    walk(d, defaults, "");
  });
});

describe("-server.path-prefix=/phlare", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(["-server.path-prefix=/phlare"]);
  });
  after(() => s.stop());

  it("serves plain routes under the prefix only", async () => {
    for (const p of STATUS_PATHS) {
      assert.equal((await get(`${s.url}/phlare${p}`)).status, 200, `/phlare${p}`);
      assert.equal((await get(`${s.url}${p}`)).status, 404, p);
    }
  });

  it("serves RPCs under the prefix only", async () => {
    const prefixed = createClient(QuerierService, createConnectTransport({ baseUrl: `${s.url}/phlare`, httpVersion: "1.1" }));
    const res = await prefixed.profileTypes({});
    assert.deepEqual(res.profileTypes, []);
    const bare = await get(`${s.url}/querier.v1.QuerierService/ProfileTypes`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(bare.status, 404);
  });

  it("the index page at /phlare/admin links to working pages", async () => {
    for (const page of ["/phlare/admin"]) {
      const links = await indexLinks(`${s.url}${page}`);
      for (const p of STATUS_PATHS) assert.ok(links.includes(`/phlare${p}`), `${page} links /phlare${p}: ${JSON.stringify(links)}`);
      for (const p of links) assert.equal((await get(`${s.url}${p}`)).status, 200, `${page} → ${p}`);
    }
  });

  it("h2c requests honour the prefix too", async () => {
    assert.equal((await h2cRequest(s.url, "/phlare/ready")).status, 200);
    assert.equal((await h2cRequest(s.url, "/ready")).status, 404);
  });
});

describe("-runtime-config.file", () => {
  let s: TestServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "phlare-status-"));
    const file = join(dir, "overrides.yaml");
    writeFileSync(file, "overrides:\n  team-a:\n    ingestion_rate_mb: 16\n    max_global_series_per_tenant: 77\n");
    s = await startTestServer([`-runtime-config.file=${file}`, "-auth.multitenancy-enabled"]);
  });
  after(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("/runtime_config shows each tenant's limits; ?mode=diff only the overrides", async () => {
    const all = await yamlAt(`${s.url}/runtime_config`);
    const teamA = (all["overrides"] as Record<string, Record<string, unknown>>)["team-a"]!;
    assert.equal(teamA["ingestion_rate_mb"], 16);
    assert.equal(teamA["max_label_names_per_series"], 30, "full limits with defaults");
    const diff = await yamlAt(`${s.url}/runtime_config?mode=diff`);
    assert.deepEqual(diff["overrides"], { "team-a": { ingestion_rate_mb: 16, max_global_series_per_tenant: 77 } });
  });

  it("/api/v1/tenant_limits needs a tenant and shows exactly Phlare's three fields", async () => {
    assert.equal((await get(`${s.url}/api/v1/tenant_limits`)).status, 401);
    const a = await get(`${s.url}/api/v1/tenant_limits`, { headers: { "X-Scope-OrgID": "team-a" } });
    assert.equal(a.status, 200);
    assert.deepEqual(JSON.parse(a.text), { ingestion_rate: 16, ingestion_burst_size: 2, max_global_series_per_user: 77 });
    const b = await get(`${s.url}/api/v1/tenant_limits`, { headers: { "X-Scope-OrgID": "team-b" } });
    assert.deepEqual(JSON.parse(b.text), { ingestion_rate: 4, ingestion_burst_size: 2, max_global_series_per_user: 5000 });
  });

  it("the index page links the runtime config", async () => {
    const links = await indexLinks(`${s.url}/admin`);
    assert.ok(links.includes("/runtime_config"));
  });

  it("status pages need no tenant even with multitenancy on", async () => {
    for (const p of STATUS_PATHS) assert.equal((await get(`${s.url}${p}`)).status, 200, p);
  });
});
