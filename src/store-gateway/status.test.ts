import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { NotFoundError } from "../model/errors.js";
import { createFilesystemBucket } from "../objstore/filesystem.js";
import { nopLogger } from "../server/logger.js";
import type { HttpRequest, HttpResponse, RouteHandler } from "../server/router.js";
import { BlockFileName } from "../storage/block/block-build.js";
import { esc, formatBytes, registerStoreGatewayStatus } from "./status.js";
import type { BlocksJson, TenantsJson } from "./status.js";
import { StoreGateway } from "./store-gateway.js";
import { fillHead, profileSpecs, uploadHead } from "./test-blocks.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const T0 = Date.UTC(2024, 0, 1);

/** A gateway over two tenants' blocks (one of them corrupt, one with markup in its meta) and its routes. */
async function fixture(): Promise<{ gw: StoreGateway; routes: Map<string, RouteHandler>; ids: Record<string, string> }> {
  const dir = mkdtempSync(join(tmpdir(), "phlare-store-gateway-status-"));
  dirs.push(dir);
  const bucket = await createFilesystemBucket({ dir });
  const a1 = await uploadHead(bucket, "team-a", fillHead(profileSpecs(T0, 10, "web")));
  const a2 = await uploadHead(bucket, "team-a", fillHead(profileSpecs(T0 + 3_600_000, 10, "api")), {
    editMeta: (t) => t.replace('"source": "ingester"', '"source": "<script>alert(1)</script>"'),
  });
  const bad = await uploadHead(bucket, "team-a", fillHead(profileSpecs(T0 + 7_200_000, 3, "web")), { replace: { [BlockFileName.Index]: new Uint8Array([1, 2, 3]) } });
  const b1 = await uploadHead(bucket, "team-b", fillHead(profileSpecs(T0, 4, "db")));
  const gw = new StoreGateway({ bucket, logger: nopLogger(), options: { syncIntervalMs: 3_600_000 } });
  await gw.start();
  const routes = new Map<string, RouteHandler>();
  registerStoreGatewayStatus({ route: (methods, path, handler) => routes.set(`${methods.join(",")} ${path}`, handler) }, gw, "/prefix/");
  return { gw, routes, ids: { a1: a1.meta.ulid, a2: a2.meta.ulid, bad: bad.meta.ulid, b1: b1.meta.ulid } };
}

function request(params: Record<string, string>, accept?: string): HttpRequest {
  return {
    method: "GET",
    url: new URL("http://localhost/"),
    params,
    header: (name) => (name.toLowerCase() === "accept" ? accept : undefined),
    body: async () => new Uint8Array(0),
    tenant: () => "anonymous",
  };
}

function bodyText(r: HttpResponse): string {
  return typeof r.body === "string" ? r.body : new TextDecoder().decode(r.body);
}

describe("store-gateway status pages", async () => {
  const { gw, routes, ids } = await fixture();
  after(() => gw.stop());
  const tenants = routes.get("GET /store-gateway/tenants")!;
  const blocks = routes.get("GET /store-gateway/tenant/{tenant}/blocks")!;

  it("registers Phlare's two paths", () => {
    assert.deepEqual([...routes.keys()].sort(), ["GET /store-gateway/tenant/{tenant}/blocks", "GET /store-gateway/tenants"]);
  });

  it("tenants page: HTML table with a row and a prefixed link per tenant", async () => {
    const r = await tenants(request({}));
    assert.equal(r.status, 200);
    assert.match(r.headers?.["content-type"] ?? "", /^text\/html/);
    const html = bodyText(r);
    assert.match(html, /<a href="\/prefix\/store-gateway\/tenant\/team-a\/blocks">team-a<\/a><\/td><td>2<\/td><td>0<\/td><td>0 B<\/td><td>1<\/td>/);
    assert.match(html, /<a href="\/prefix\/store-gateway\/tenant\/team-b\/blocks">team-b<\/a><\/td><td>1<\/td>/);
  });

  it("tenants page: JSON variant with the fields, loaded bytes after a query", async () => {
    await gw.mergeTree("team-b", { profileType: (await gw.profileTypes("team-b", { selectors: [] }))[0]!, matchers: [], startMs: 0, endMs: 4e12 });
    const r = await tenants(request({}, "application/json"));
    assert.match(r.headers?.["content-type"] ?? "", /^application\/json/);
    const d = JSON.parse(bodyText(r)) as TenantsJson;
    assert.equal(d.maxLoadedBytes, 1 << 30);
    assert.ok(d.loadedBytes > 0);
    assert.equal(typeof d.lastSyncTime, "string");
    assert.equal(d.lastSyncError, undefined);
    const byTenant = new Map(d.tenants.map((t) => [t.tenant, t]));
    assert.deepEqual(
      { ...byTenant.get("team-a")!, lastSyncTime: "x" },
      { tenant: "team-a", blocks: 2, loadedBlocks: 0, loadedBytes: 0, skippedBlocks: 1, lastSyncTime: "x" },
    );
    assert.equal(byTenant.get("team-b")!.loadedBlocks, 1);
    assert.equal(byTenant.get("team-b")!.loadedBytes, d.loadedBytes);
    assert.ok(!Number.isNaN(Date.parse(byTenant.get("team-b")!.lastSyncTime ?? "")));
  });

  it("blocks page: HTML lists every open block's ULID and the skipped one, markup escaped", async () => {
    const r = await blocks(request({ tenant: "team-a" }));
    assert.equal(r.status, 200);
    const html = bodyText(r);
    for (const id of [ids.a1!, ids.a2!]) assert.ok(html.includes(`<code>${id}</code>`), id);
    assert.ok(html.includes("Skipped blocks") && html.includes(ids.bad!));
    assert.ok(!html.includes("<script>"), "meta.json text is escaped");
    assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert.ok(html.includes(new Date(T0).toISOString()));
    assert.ok(html.includes("1m30s"), "duration of 10 profiles 10 s apart");
    assert.ok(!html.includes(ids.b1!), "another tenant's block is not listed");
  });

  it("blocks page: JSON variant with the fields", async () => {
    const d = JSON.parse(bodyText(await blocks(request({ tenant: "team-a" }, "application/json, text/plain")))) as BlocksJson;
    assert.equal(d.tenant, "team-a");
    assert.deepEqual(d.blocks.map((b) => b.ulid), [ids.a1, ids.a2]);
    const b = d.blocks[0]!;
    assert.equal(b.minTime, new Date(T0).toISOString());
    assert.equal(b.maxTime, new Date(T0 + 90_000).toISOString());
    assert.equal(b.durationMs, 90_000);
    assert.equal(b.level, 1);
    assert.equal(b.source, "ingester");
    assert.equal(b.series, 4, "two pods times two sample types");
    assert.equal(b.profiles, 10, "profiles, not rows per sample type");
    assert.ok(b.samples > 0 && b.sizeBytes > 0);
    assert.equal(b.loaded, false);
    assert.equal(b.loadedBytes, 0);
    assert.deepEqual(d.skipped.map((s) => s.ulid), [ids.bad]);
    assert.match(d.skipped[0]!.error, /index\.bin/);
  });

  it("blocks page: 404 for a tenant the gateway does not know", async () => {
    await assert.rejects(blocks(request({ tenant: "nobody" })), NotFoundError);
  });
});

describe("status helpers", () => {
  const escapes: [string, string][] = [
    ["plain", "plain"],
    ['<a href="x">&\'', "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"],
  ];
  for (const [input, want] of escapes) it(`esc ${JSON.stringify(input)}`, () => assert.equal(esc(input), want));
  const sizes: [number, string][] = [
    [0, "0 B"],
    [1023, "1023 B"],
    [1536, "1.5 KiB"],
    [1 << 30, "1.0 GiB"],
  ];
  for (const [n, want] of sizes) it(`formatBytes ${n}`, () => assert.equal(formatBytes(n), want));
});
