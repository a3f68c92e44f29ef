import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, test } from "node:test";
import { ConfigError } from "../../model/errors.js";
import type { Logger } from "../../server/logger.js";
import { nopLogger } from "../../server/logger.js";
import { YamlObject } from "../yaml-object.js";
import { DEFAULT_HTTP_SD_REFRESH_INTERVAL_MS, HttpDiscoverer, parseHttpSdConfig } from "./http-sd.js";
import type { HttpDiscovererOptions, HttpSdConfig } from "./http-sd.js";
import { Collector, configErrorOf, waitFor } from "./test-discovery.js";

const AT = "scrape_configs.0.http_sd_configs.0";
const parse = (raw: unknown): HttpSdConfig => parseHttpSdConfig(YamlObject.of(raw, AT));

function configError(raw: unknown): ConfigError {
  return configErrorOf(() => parse(raw));
}

describe("parseHttpSdConfig", () => {
  test("defaults", () => {
    const cfg = parse({ url: "http://sd.example:8080/targets" });
    assert.equal(cfg.url, "http://sd.example:8080/targets");
    assert.equal(cfg.refreshIntervalMs, DEFAULT_HTTP_SD_REFRESH_INTERVAL_MS);
    assert.equal(cfg.httpClient.basicAuth, undefined);
    assert.equal(cfg.httpClient.followRedirects, true);
  });

  test("refresh interval and inline HTTP client keys", () => {
    const cfg = parse({
      url: "https://sd.example/targets",
      refresh_interval: "15s",
      basic_auth: { username: "u", password: "p" },
      tls_config: { insecure_skip_verify: true },
      follow_redirects: false,
    });
    assert.equal(cfg.refreshIntervalMs, 15_000);
    assert.deepEqual(cfg.httpClient.basicAuth, { username: "u", password: "p", passwordFile: undefined });
    assert.equal(cfg.httpClient.tls.insecureSkipVerify, true);
    assert.equal(cfg.httpClient.followRedirects, false);
    assert.deepEqual(parse({ url: "http://a/", bearer_token: "t" }).httpClient.authorization, { type: "Bearer", credentials: "t", credentialsFile: undefined });
    // A null HTTP client key is accepted as absent.
    assert.equal(parse({ url: "http://a/", basic_auth: null }).httpClient.basicAuth, undefined);
  });

  test("errors carry the YAML path", () => {
    assert.deepEqual([configError({}).path, configError({}).message], [`${AT}.url`, `${AT}.url: URL is missing`]);
    assert.match(configError({ url: "ftp://a/" }).message, /URL scheme must be 'http' or 'https'/);
    assert.match(configError({ url: "not a url" }).message, /invalid URL/);
    const unknown = configError({ url: "http://a/", refresh: "1m" });
    assert.equal(unknown.path, `${AT}.refresh`);
    assert.match(unknown.message, /unknown key/);
    assert.equal(configError({ url: "http://a/", refresh_interval: "0s" }).path, `${AT}.refresh_interval`);
    assert.equal(configError({ url: "http://a/", basic_auth: { username: "u", bogus: 1 } }).path, `${AT}.basic_auth.bogus`);
    assert.equal(configError({ url: "http://a/", bearer_token: "a", authorization: { credentials: "b" } }).path, `${AT}.authorization`);
  });
});

interface Reply {
  status?: number;
  contentType?: string;
  body: string | Buffer;
  /** Never answer (timeouts). */
  hang?: boolean;
}

let server: Server;
let base: string;
let reply: Reply;
const requests: { url: string; headers: IncomingHttpHeaders }[] = [];
const hanging: ServerResponse[] = [];

before(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? "", headers: req.headers });
    if (reply.hang === true) {
      hanging.push(res);
      return;
    }
    res.writeHead(reply.status ?? 200, { "content-type": reply.contentType ?? "application/json" });
    res.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests.length = 0;
  reply = { body: "[]" };
});

const serve = (groups: unknown): void => {
  reply = { body: JSON.stringify(groups) };
};

function discoverer(path: string, raw: Record<string, unknown> = {}, opts: HttpDiscovererOptions = {}, logger: Logger = nopLogger()): HttpDiscoverer {
  return new HttpDiscoverer(parse({ url: `${base}${path}`, ...raw }), logger, { timeoutMs: 2000, ...opts });
}

describe("HttpDiscoverer", () => {
  test("fetches groups with sources, __meta_url and Prometheus' request headers", async () => {
    serve([{ targets: ["a:1", "a:2"], labels: { env: "prod", __meta_url: "overridden" } }, { targets: ["b:1"] }]);
    const d = discoverer("/sd?x=1", { refresh_interval: "30s" });
    const url = `${base}/sd?x=1`;
    const groups = await d.poll();
    assert.deepEqual(
      groups?.map((g) => g.source),
      [`${url}:0`, `${url}:1`],
    );
    assert.deepEqual(
      groups?.[0]?.targets.map((t) => [...t]),
      [[["__address__", "a:1"]], [["__address__", "a:2"]]],
    );
    assert.deepEqual([...(groups?.[0]?.labels ?? [])], [
      ["env", "prod"],
      ["__meta_url", url],
    ]);
    assert.equal(groups?.[1]?.labels.get("__meta_url"), url);
    assert.equal(requests[0]?.url, "/sd?x=1");
    assert.equal(requests[0]?.headers.accept, "application/json");
    assert.equal(requests[0]?.headers["x-prometheus-refresh-interval-seconds"], "30");
    assert.equal(requests[0]?.headers["user-agent"], "phlare");
    assert.equal(d.failures, 0);
    assert.equal(d.lastError, undefined);
  });

  test("sends only changes, and empties groups that vanished", async () => {
    const d = discoverer("/sd");
    const url = `${base}/sd`;
    serve([{ targets: ["a:1"] }, { targets: ["b:1"] }, { targets: ["c:1"] }]);
    assert.equal((await d.poll())?.length, 3);
    assert.deepEqual(await d.poll(), []);
    serve([{ targets: ["a:1"] }, { targets: ["b:2"] }]);
    const changes = await d.poll();
    assert.deepEqual(
      changes?.map((g) => [g.source, g.targets.length]),
      [
        [`${url}:1`, 1],
        [`${url}:2`, 0],
      ],
    );
    serve([]);
    assert.deepEqual(
      (await d.poll())?.map((g) => [g.source, g.targets.length]),
      [
        [`${url}:0`, 0],
        [`${url}:1`, 0],
      ],
    );
  });

  test("a failed poll keeps the previous state and records the error", async () => {
    const logs: string[] = [];
    const logger: Logger = { ...nopLogger(), warn: (msg, fields) => logs.push(`${msg} ${String(fields?.err)}`) };
    const d = discoverer("/sd", {}, { maxBytes: 4096 }, logger);
    serve([{ targets: ["a:1"] }, { targets: ["b:1"] }]);
    assert.equal((await d.poll())?.length, 2);

    const failures: [Reply, RegExp][] = [
      [{ body: "[]", contentType: "text/plain" }, /unsupported content type "text\/plain"/],
      [{ body: "[]", contentType: "application/jsonx" }, /unsupported content type/],
      [{ body: "oops", status: 500 }, /server returned HTTP status 500 Internal Server Error/],
      [{ body: "[]", status: 204 }, /server returned HTTP status 204/],
      [{ body: "<html>garbage" }, /invalid JSON/],
      [{ body: '[{"targets": ["a:1"], "labels": {"bad-name": "x"}}]' }, /"bad-name" is not a valid label name/],
      [{ body: "[null]" }, /nil target group item found/],
      [{ body: JSON.stringify([{ targets: Array.from({ length: 1000 }, (_, i) => `host-${i}:1`) }]) }, /exceeds the limit of 4096 bytes/],
    ];
    for (const [i, [r, re]] of failures.entries()) {
      reply = r;
      assert.equal(await d.poll(), undefined, String(re));
      assert.equal(d.failures, i + 1);
      assert.match(d.lastError ?? "", re);
      assert.match(logs.at(-1) ?? "", re);
    }
    // The state survived: the same answer as before the failures is no change at all.
    serve([{ targets: ["a:1"] }, { targets: ["b:1"] }]);
    assert.deepEqual(await d.poll(), []);
    assert.equal(d.lastError, undefined);
    assert.equal(d.failures, failures.length);
  });

  test("content types Prometheus accepts", async () => {
    for (const contentType of ["application/json", "Application/JSON; charset=utf-8", 'application/json;charset="UTF-8"']) {
      reply = { body: '[{"targets": ["a:1"]}]', contentType };
      assert.equal((await discoverer("/sd").poll())?.length, 1, contentType);
    }
  });

  test("a connection failure and a timeout are failures", async () => {
    const closed = new HttpDiscoverer(parse({ url: "http://127.0.0.1:1/sd" }), nopLogger(), { timeoutMs: 2000 });
    assert.equal(await closed.poll(), undefined);
    assert.equal(closed.failures, 1);
    reply = { body: "", hang: true };
    const slow = discoverer("/slow", {}, { timeoutMs: 100 });
    assert.equal(await slow.poll(), undefined);
    assert.match(slow.lastError ?? "", /timeout after 100 ms/);
  });

  test("sends basic auth and bearer credentials", async () => {
    await discoverer("/sd", { basic_auth: { username: "user", password: "secret" } }).poll();
    assert.equal(requests.at(-1)?.headers.authorization, `Basic ${Buffer.from("user:secret").toString("base64")}`);
    await discoverer("/sd", { authorization: { credentials: "tok" } }).poll();
    assert.equal(requests.at(-1)?.headers.authorization, "Bearer tok");
    await discoverer("/sd", { bearer_token: "old-style" }).poll();
    assert.equal(requests.at(-1)?.headers.authorization, "Bearer old-style");
    await discoverer("/sd").poll();
    assert.equal(requests.at(-1)?.headers.authorization, undefined);
  });

  test("run polls every interval and sends changes", async () => {
    const d = discoverer("/sd", { refresh_interval: "50ms" });
    const url = `${base}/sd`;
    const c = new Collector();
    const ac = new AbortController();
    serve([{ targets: ["a:1"] }, { targets: ["b:1"] }]);
    const done = d.run(ac.signal, c.sink);
    try {
      await waitFor("the first batch", () => c.state.size === 2);
      serve([{ targets: ["a:2"] }]);
      await waitFor("the change", () => c.addresses(`${url}:0`)?.[0] === "a:2" && !c.state.has(`${url}:1`));
      const batches = c.batches.length;
      reply = { body: "down", status: 503 };
      await waitFor("failures", () => d.failures >= 2);
      assert.equal(c.batches.length, batches, "a failure sends nothing");
      assert.deepEqual(c.addresses(`${url}:0`), ["a:2"]);
    } finally {
      ac.abort();
      await done;
    }
    const n = c.batches.length;
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(c.batches.length, n, "nothing is sent after the abort");
  });

  test("a first poll that fails sends an empty state, then the groups once they come", async () => {
    const d = discoverer("/sd", { refresh_interval: "30ms" });
    const c = new Collector();
    const ac = new AbortController();
    reply = { body: "no", status: 500 };
    const done = d.run(ac.signal, c.sink);
    try {
      await waitFor("the first batch", () => c.batches.length === 1);
      assert.deepEqual(c.batches[0], []);
      serve([{ targets: ["a:1"] }]);
      await waitFor("the groups", () => c.state.size === 1);
    } finally {
      ac.abort();
      await done;
    }
  });

  test("an abort interrupts a hanging poll", async () => {
    reply = { body: "", hang: true };
    const d = discoverer("/hang", {}, { timeoutMs: 60_000 });
    const ac = new AbortController();
    const batches: unknown[] = [];
    const done = d.run(ac.signal, (g) => batches.push(g));
    await waitFor("the request", () => requests.length > 0);
    const t0 = Date.now();
    ac.abort();
    await done;
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(batches.length, 0);
    assert.equal(d.failures, 0, "an abort is not a failure");
  });
});
