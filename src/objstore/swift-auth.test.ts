import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { defaultsOf } from "../config/field.js";
import { storageFields } from "./config.js";
import type { StorageConfig, SwiftConfig } from "./config.js";
import { keystoneV3Body, objectStoreUrl, swiftAuthenticate, swiftAuthVersion, SwiftHttpError } from "./swift-auth.js";
import type { SwiftSend } from "./swift-auth.js";

function swift(edit: Partial<SwiftConfig> = {}): SwiftConfig {
  const cfg = (defaultsOf(storageFields) as unknown as { storage: StorageConfig }).storage.swift;
  return { ...cfg, container_name: "c", password: "secret", ...edit };
}

const send: SwiftSend = async (url, method, headers, body) => {
  const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
};

describe("swiftAuthVersion", () => {
  const table: Array<[Partial<SwiftConfig>, number]> = [
    [{ auth_url: "http://s/auth/v1.0" }, 1],
    [{ auth_url: "https://keystone:5000/v3" }, 3],
    [{ auth_url: "https://keystone:5000/v3/" }, 3],
    [{ auth_url: "https://keystone:5000/v2.0" }, 2],
    [{ auth_url: "https://keystone:5000/v3", auth_version: 1 }, 1],
  ];
  for (const [cfg, want] of table) test(`${JSON.stringify(cfg)} → ${want}`, () => assert.equal(swiftAuthVersion(swift(cfg)), want));
});

describe("keystoneV3Body", () => {
  const table: Array<{ name: string; cfg: Partial<SwiftConfig>; user: unknown; scope: unknown }> = [
    {
      name: "user and project by name in one domain",
      cfg: { username: "u", domain_name: "Default", project_name: "p" },
      user: { name: "u", password: "secret", domain: { name: "Default" } },
      scope: { project: { name: "p", domain: { name: "Default" } } },
    },
    {
      name: "user domain id, project domain name",
      cfg: { username: "u", user_domain_id: "ud", project_name: "p", project_domain_name: "pd" },
      user: { name: "u", password: "secret", domain: { id: "ud" } },
      scope: { project: { name: "p", domain: { name: "pd" } } },
    },
    {
      name: "user id and project id",
      cfg: { user_id: "uid", project_id: "pid" },
      user: { id: "uid", password: "secret" },
      scope: { project: { id: "pid" } },
    },
    {
      name: "domain scope",
      cfg: { username: "u", user_domain_name: "d", domain_id: "did" },
      user: { name: "u", password: "secret", domain: { name: "d" } },
      scope: { domain: { id: "did" } },
    },
    { name: "unscoped", cfg: { username: "u" }, user: { name: "u", password: "secret" }, scope: undefined },
  ];
  for (const { name, cfg, user, scope } of table) {
    test(name, () => {
      const body = keystoneV3Body(swift(cfg)) as { auth: { identity: unknown; scope?: unknown } };
      assert.deepEqual(body.auth.identity, { methods: ["password"], password: { user } });
      assert.deepEqual(body.auth.scope, scope);
    });
  }
});

describe("objectStoreUrl", () => {
  const catalog = {
    token: {
      catalog: [
        { type: "identity", endpoints: [{ interface: "public", region: "r1", url: "http://k" }] },
        {
          type: "object-store",
          endpoints: [
            { interface: "internal", region: "r1", url: "http://internal/v1/AUTH_p" },
            { interface: "public", region: "r1", url: "http://r1/v1/AUTH_p/" },
            { interface: "public", region_id: "r2", url: "http://r2/v1/AUTH_p" },
          ],
        },
      ],
    },
  };
  test("picks the public endpoint, of the region when one is given", () => {
    assert.equal(objectStoreUrl(catalog, ""), "http://r1/v1/AUTH_p");
    assert.equal(objectStoreUrl(catalog, "r2"), "http://r2/v1/AUTH_p");
    assert.throws(() => objectStoreUrl(catalog, "r3"), /region r3/);
    assert.throws(() => objectStoreUrl({}, ""), /no service catalog/);
  });
});

describe("swiftAuthenticate against a stub identity endpoint", () => {
  let base = "";
  let lastBody: unknown;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/v3/auth/tokens" && req.method === "POST") {
        lastBody = JSON.parse(Buffer.concat(chunks).toString());
        const password = (lastBody as { auth: { identity: { password: { user: { password: string } } } } }).auth.identity.password.user.password;
        if (password !== "secret") {
          res.writeHead(401).end();
          return;
        }
        res.writeHead(201, { "X-Subject-Token": "tok3", "Content-Type": "application/json" });
        res.end(JSON.stringify({ token: { catalog: [{ type: "object-store", endpoints: [{ interface: "public", region: "r1", url: `${base}/v1/AUTH_p` }] }] } }));
      } else if (req.url === "/auth/v1.0" && req.headers["x-auth-user"] === "test:tester" && req.headers["x-auth-key"] === "secret") {
        res.writeHead(200, { "X-Auth-Token": "tok1", "X-Storage-Url": `${base}/v1/AUTH_test` }).end();
      } else if (req.url === "/auth/v1.0") {
        res.writeHead(401).end();
      } else {
        res.writeHead(503).end();
      }
    });
  });
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("v1: token and storage URL from the headers", async () => {
    const session = await swiftAuthenticate(swift({ auth_url: `${base}/auth/v1.0`, username: "test:tester" }), send);
    assert.deepEqual(session, { token: "tok1", storageUrl: `${base}/v1/AUTH_test` });
  });

  test("v3: POST /v3/auth/tokens, token from X-Subject-Token, URL from the catalog", async () => {
    const session = await swiftAuthenticate(swift({ auth_url: `${base}/v3`, username: "u", domain_name: "Default", project_name: "p" }), send);
    assert.deepEqual(session, { token: "tok3", storageUrl: `${base}/v1/AUTH_p` });
    assert.deepEqual((lastBody as { auth: { scope: unknown } }).auth.scope, { project: { name: "p", domain: { name: "Default" } } });
  });

  test("bad credentials: SwiftHttpError 401 (not transient)", async () => {
    for (const cfg of [{ auth_url: `${base}/auth/v1.0`, username: "x" }, { auth_url: `${base}/v3`, username: "u", password: "wrong" }]) {
      await assert.rejects(swiftAuthenticate(swift(cfg), send), (err: unknown) => err instanceof SwiftHttpError && err.status === 401);
    }
  });

  test("identity endpoint down: SwiftHttpError 503", async () => {
    await assert.rejects(
      swiftAuthenticate(swift({ auth_url: `${base}/other/v3`, username: "u" }), send),
      (err: unknown) => err instanceof SwiftHttpError && err.status === 503,
    );
  });
});
