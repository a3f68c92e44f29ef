import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { defaultsOf } from "../config/field.js";
import { storageFields } from "./config.js";
import type { StorageConfig, SwiftConfig } from "./config.js";
import { createSwiftBucket, isTransientSwiftError } from "./swift.js";
import { SwiftHttpError } from "./swift-auth.js";

describe("isTransientSwiftError", () => {
  const table: Array<[string, unknown, boolean]> = [
    ["503", new SwiftHttpError(503, "x"), true],
    ["429", new SwiftHttpError(429, "x"), true],
    ["401", new SwiftHttpError(401, "x"), false],
    ["403", new SwiftHttpError(403, "x"), false],
    ["timeout", Object.assign(new Error("slow"), { name: "TimeoutError" }), true],
    ["fetch failed: ECONNREFUSED", new TypeError("fetch failed", { cause: Object.assign(new Error("r"), { code: "ECONNREFUSED" }) }), true],
    ["other", new Error("x"), false],
  ];
  for (const [name, err, want] of table) test(`${name} → ${want}`, () => assert.equal(isTransientSwiftError(err), want));
});

// Request mechanics that a healthy server never shows: revoked tokens and silent servers.
describe("swift bucket request handling (stub server)", () => {
  let base = "";
  let issued = 0;
  let valid = "";
  const seen: string[] = [];
  const hung: ServerResponse[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === "/auth/v1.0") {
      valid = `tok${++issued}`;
      res.writeHead(200, { "X-Auth-Token": valid, "X-Storage-Url": `${base}/v1/AUTH_t` }).end();
      return;
    }
    if (req.headers["x-auth-token"] !== valid) {
      res.writeHead(401).end();
      return;
    }
    if (req.url === "/v1/AUTH_t/c/hang") {
      hung.push(res);
      return;
    }
    res.writeHead(200, { "Content-Type": "application/octet-stream" }).end("data");
  });

  function config(edit: Partial<SwiftConfig> = {}): SwiftConfig {
    const cfg = (defaultsOf(storageFields) as unknown as { storage: StorageConfig }).storage.swift;
    return { ...cfg, auth_url: `${base}/auth/v1.0`, username: "u", password: "p", container_name: "c", ...edit };
  }

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const res of hung) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test("a 401 on a cached token logs in again once and repeats the request", async () => {
    const bucket = createSwiftBucket({ config: config() });
    assert.equal(Buffer.from(await bucket.get("k")).toString(), "data");
    valid = "revoked";
    seen.length = 0;
    assert.equal(Buffer.from(await bucket.get("k")).toString(), "data");
    assert.deepEqual(seen, ["GET /v1/AUTH_t/c/k", "GET /auth/v1.0", "GET /v1/AUTH_t/c/k"]);
  });

  test("a silent server times out after connect+request timeout and is retried max_retries times", async () => {
    const bucket = createSwiftBucket({ config: config({ connect_timeout: 100, request_timeout: 100, max_retries: 2 }) });
    await bucket.get("k");
    seen.length = 0;
    await assert.rejects(bucket.get("hang"), (err: unknown) => err instanceof Error && isTransientSwiftError(err.cause));
    assert.equal(seen.filter((s) => s === "GET /v1/AUTH_t/c/hang").length, 3);
  });
});
