import assert from "node:assert/strict";
import { test } from "node:test";
import type { HttpRequest, HttpResponse } from "../server/router.js";
import type { RingDesc } from "./desc.js";
import { ringPage } from "./http.js";
import type { RingPageJson } from "./http.js";
import { createInMemoryKV } from "./inmemory-kv.js";
import { startRing } from "./ring.js";
import { member } from "./test-kv-contract.js";

function request(method: string, path: string, opts: { accept?: string; body?: string } = {}): HttpRequest {
  const url = new URL(path, "http://localhost");
  return {
    method,
    url,
    params: {},
    header: (name) => (name.toLowerCase() === "accept" ? opts.accept : undefined),
    body: async () => new TextEncoder().encode(opts.body ?? ""),
    tenant: () => "anonymous",
  };
}

function bodyText(r: HttpResponse): string {
  return typeof r.body === "string" ? r.body : new TextDecoder().decode(r.body ?? new Uint8Array());
}

async function fixture() {
  const kv = createInMemoryKV();
  const nowSec = Math.floor(Date.now() / 1000);
  const desc: RingDesc = {
    ingesters: {
      "ingester-b": member("10.0.0.2:4100", [2 ** 31], { zone: "zone-<b>" }),
      "ingester-a": member("10.0.0.1:4100", [2 ** 30, 3 * 2 ** 30]),
      dead: member("10.0.0.9:4100", [], { timestamp: nowSec - 600, state: "LEAVING" }),
    },
  };
  await kv.cas("ring", () => desc);
  const watcher = await startRing(kv, "ring", { replicationFactor: 1, heartbeatTimeoutMs: 60_000 });
  return { kv, watcher, handler: ringPage(watcher.ring, kv, "ring", "Ingester ring") };
}

test("JSON: dskit's keys, members by id, unhealthy marked, ownership in percent", async () => {
  const { watcher, handler } = await fixture();
  const r = await handler(request("GET", "/ring", { accept: "application/json" }));
  assert.equal(r.status, 200);
  assert.equal(r.headers?.["content-type"], "application/json");
  const data = JSON.parse(bodyText(r)) as RingPageJson;
  assert.deepEqual(data.shards.map((s) => [s.id, s.state, s.address, s.num_tokens]), [
    ["dead", "Unhealthy", "10.0.0.9:4100", 0],
    ["ingester-a", "ACTIVE", "10.0.0.1:4100", 2],
    ["ingester-b", "ACTIVE", "10.0.0.2:4100", 1],
  ]);
  const [, a, b] = data.shards;
  assert.ok(Math.abs(a!.ownership - 75) < 1e-6, `a owns ${a!.ownership}`);
  assert.ok(Math.abs(b!.ownership - 25) < 1e-6, `b owns ${b!.ownership}`);
  assert.equal(b!.zone, "zone-<b>");
  assert.equal(a!.registered_timestamp, new Date(1_700_000_000_000).toISOString());
  assert.ok(!Number.isNaN(Date.parse(data.now)));
  await watcher.stop();
});

test("HTML: a table row per member with a Forget form, text escaped, tokens on request", async () => {
  const { watcher, handler } = await fixture();
  const r = await handler(request("GET", "/ring"));
  assert.equal(r.headers?.["content-type"], "text/html; charset=utf-8");
  const html = bodyText(r);
  assert.match(html, /<h1>Ingester ring<\/h1>/);
  assert.equal(html.match(/<tr[ >]/g)?.length, 4);
  assert.match(html, /<td>ingester-a<\/td><td><\/td><td>ACTIVE<\/td><td>10\.0\.0\.1:4100<\/td>/);
  assert.match(html, /<td>Unhealthy<\/td>/);
  assert.match(html, /zone-&lt;b&gt;/);
  assert.match(html, /name="forget" value="dead"/);
  assert.match(html, /75\.00%/);
  assert.doesNotMatch(html, /1073741824 3221225472/);
  assert.match(bodyText(await handler(request("GET", "/ring?tokens=true"))), /1073741824 3221225472/);
  await watcher.stop();
});

test("POST forget removes the member and redirects back", async () => {
  const { kv, watcher, handler } = await fixture();
  const r = await handler(request("POST", "/ring", { body: "forget=dead" }));
  assert.equal(r.status, 302);
  assert.equal(r.headers?.["location"], "#");
  assert.deepEqual(Object.keys((await kv.get("ring"))!.ingesters).sort(), ["ingester-a", "ingester-b"]);
  assert.equal(watcher.ring.instancesCount(), 2);
  // Forgetting an unknown member changes nothing and is not an error.
  assert.equal((await handler(request("POST", "/ring", { body: "forget=nobody" }))).status, 302);
  await assert.rejects(handler(request("POST", "/ring", { body: "x=1" })), { name: "InvalidArgumentError" });
  await watcher.stop();
});

test("a failed forget names the member", async () => {
  const { kv, watcher, handler } = await fixture();
  await kv.close();
  await assert.rejects(handler(request("POST", "/ring", { body: "forget=dead" })), /error forgetting instance 'dead'/);
  await watcher.stop();
});
