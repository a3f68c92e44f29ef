import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { nopLogger } from "./logger.js";
import { createServerMetrics } from "./metrics.js";
import { PhlareServer } from "./server.js";
import { registerUi } from "./ui.js";

const INDEX = '<!doctype html><html><head><script type="module" src="./assets/app-1a2b.js"></script></head><body></body></html>';
const APP = `console.log(${JSON.stringify("x".repeat(4096))});`;

async function serve(dir: string, prefix: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = new PhlareServer(
    { host: "127.0.0.1", port: 0, pathPrefix: prefix, multitenancy: false, rpcMaxBytes: 1 << 20, gracefulShutdownMs: 0, readTimeoutMs: 5000, writeTimeoutMs: 5000, idleTimeoutMs: 5000 },
    createServerMetrics(false),
    nopLogger(),
  );
  registerUi(server, prefix, dir);
  const port = await server.start();
  return { url: `http://127.0.0.1:${port}${prefix}`, stop: () => server.stop() };
}

describe("the web UI routes", () => {
  let dir: string;
  let ui: { url: string; stop: () => Promise<void> };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "phlare-ui-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), INDEX);
    writeFileSync(join(dir, "assets", "app-1a2b.js"), APP);
    ui = await serve(dir, "/phlare");
  });
  after(async () => {
    await ui.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("every page route answers index.html with a base naming /ui/ under the prefix", async () => {
    for (const page of ["/", "/explore", "/comparison", "/comparison-diff", "/ui/", "/ui/explore", "/ui/comparison-diff"]) {
      const res = await fetch(`${ui.url}${page}`);
      assert.equal(res.status, 200, page);
      assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
      assert.equal(res.headers.get("cache-control"), "no-cache");
      assert.match(await res.text(), /^<!doctype html><html><head><base href="\/phlare\/ui\/"><script/, page);
    }
  });

  test("/ui redirects to /ui/", async () => {
    const res = await fetch(`${ui.url}/ui`, { redirect: "manual" });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/phlare/ui/");
  });

  test("assets: type, long cache, gzip when accepted; a missing asset is 404", async () => {
    const res = await fetch(`${ui.url}/ui/assets/app-1a2b.js`, { headers: { "accept-encoding": "identity" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(await res.text(), APP);
    const raw = await import("node:http").then(
      (http) =>
        new Promise<{ enc: string | undefined; body: Buffer }>((resolve, reject) => {
          http.get(`${ui.url}/ui/assets/app-1a2b.js`, { headers: { "accept-encoding": "gzip" } }, (r) => {
            const chunks: Buffer[] = [];
            r.on("data", (c: Buffer) => chunks.push(c));
            r.on("end", () => resolve({ enc: r.headers["content-encoding"], body: Buffer.concat(chunks) }));
          }).on("error", reject);
        }),
    );
    assert.equal(raw.enc, "gzip");
    assert.equal(gunzipSync(raw.body).toString(), APP);
    assert.equal((await fetch(`${ui.url}/ui/assets/missing-1234.js`)).status, 404);
  });

  test("no path escapes the UI folder", async () => {
    for (const p of ["/ui/..%2f..%2fetc%2fpasswd", "/ui/%2e%2e/%2e%2e/etc/passwd", "/ui/assets/..%2f..%2f..%2fpackage.json"]) {
      const res = await fetch(`${ui.url}${p}`);
      const body = await res.text();
      assert.ok(!body.includes("root:") && !body.includes('"dependencies"'), `${p} leaked a file`);
    }
  });

  test("without a build, the pages say how to build the UI", async () => {
    const empty = mkdtempSync(join(tmpdir(), "phlare-ui-empty-"));
    const bare = await serve(empty, "");
    try {
      const res = await fetch(`${bare.url}/`);
      assert.equal(res.status, 503);
      assert.match(await res.text(), /npm run build --prefix web/);
    } finally {
      await bare.stop();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
