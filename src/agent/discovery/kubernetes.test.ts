import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { EventEmitter } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { TestContext } from "node:test";
import { parse } from "yaml";
import { KubeApiServer, makePod } from "../../../test/helpers/kube-api.js";
import type { KubeApiOptions } from "../../../test/helpers/kube-api.js";
import { ConfigError } from "../../model/errors.js";
import type { Logger } from "../../server/logger.js";
import { YamlObject } from "../yaml-object.js";
import { KubeConfigError, kubeconfigConnection } from "./kubeconfig.js";
import type { InClusterOptions } from "./kubeconfig.js";
import { KubernetesDiscoverer, parseKubernetesSdConfig } from "./kubernetes.js";
import type { KubernetesDiscoveryOptions } from "./kubernetes.js";
import { podTargetGroup, sanitizeLabelName } from "./kubernetes-pods.js";
import type { TargetGroup } from "./target-group.js";

const PATH = "scrape_configs.0.kubernetes_sd_configs.0";

function parseConfig(text: string) {
  return parseKubernetesSdConfig(YamlObject.of(parse(text), PATH));
}

/** Resolves once `pred` holds, re-checking whenever one of `sources` emits. */
function waitFor(what: string, pred: () => boolean, pairs: [EventEmitter, string][], ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!pred()) return;
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => (cleanup(), reject(new Error(`timed out waiting for ${what}`))), ms);
    const cleanup = (): void => {
      clearTimeout(timer);
      for (const [e, n] of pairs) e.off(n, check);
    };
    for (const [e, n] of pairs) e.on(n, check);
    check();
  });
}

/** Collects what a discoverer sends: every call, and the latest group per source. */
class Collector extends EventEmitter {
  readonly calls: TargetGroup[][] = [];
  readonly groups = new Map<string, TargetGroup>();
  readonly sink = (groups: readonly TargetGroup[]): void => {
    this.calls.push([...groups]);
    for (const g of groups) this.groups.set(g.source, g);
    this.emit("update");
  };

  addresses(source: string): string[] | undefined {
    return this.groups.get(source)?.targets.map((t) => t.get("__address__") ?? "");
  }
}

type LogLine = { level: string; msg: string; fields: Record<string, unknown> };

function captureLogger(lines: LogLine[], emitter: EventEmitter, base: Record<string, unknown> = {}): Logger {
  const at =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}): void => {
      lines.push({ level, msg, fields: { ...base, ...fields } });
      emitter.emit("log");
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), with: (f) => captureLogger(lines, emitter, { ...base, ...f }) };
}

/** Starts a test API server (unless given one) and a discoverer against it; both stop after the test. */
async function harness(
  t: TestContext,
  o: { server?: KubeApiOptions; started?: { server: KubeApiServer; url: string }; yaml?: (url: string) => string; opts?: KubernetesDiscoveryOptions; before?: (s: KubeApiServer) => void },
) {
  const server = o.started?.server ?? new KubeApiServer(o.server);
  const url = o.started?.url ?? (await server.start());
  o.before?.(server);
  const out = new Collector();
  const logs: LogLine[] = [];
  const logEvents = new EventEmitter();
  const cfg = parseConfig(o.yaml?.(url) ?? `role: pod\napi_server: ${url}\n`);
  const discoverer = new KubernetesDiscoverer(cfg, captureLogger(logs, logEvents), { minBackoffMs: 5, maxBackoffMs: 50, ...o.opts });
  const abort = new AbortController();
  const done = discoverer.run(abort.signal, out.sink);
  t.after(async () => {
    abort.abort();
    await done.catch(() => {});
    await server.stop();
  });
  const ev = server.events;
  const sources: [EventEmitter, string][] = [[out, "update"], [ev, "request"], [ev, "watch-open"], [ev, "watch-close"], [logEvents, "log"]];
  return { server, out, logs, abort, done, wait: (what: string, pred: () => boolean) => waitFor(what, pred, sources) };
}

const M = "__meta_kubernetes_";

test("the initial list gives one group per pod with Prometheus' pod labels and targets", async (t) => {
  const h = await harness(t, {
    before: (s) => {
      s.put(
        makePod({
          name: "web-7d4b9c-x2x9z",
          namespace: "shop",
          ip: "10.1.2.3",
          labels: { app: "web", "app.kubernetes.io/name": "web" },
          annotations: { "phlare.grafana.com/scrape": "true", "phlare.grafana.com/port": "6060" },
          controller: { kind: "ReplicaSet", name: "web-7d4b9c" },
          containers: [
            { name: "app", image: "shop/web:2", ports: [{ name: "pprof", containerPort: 6060, protocol: "TCP" }, { containerPort: 8080 }] },
            { name: "sidecar", image: "envoy:1" },
          ],
          initContainers: [{ name: "migrate", image: "shop/migrate:2" }],
        }),
      );
      s.put(makePod({ name: "pending", namespace: "shop", phase: "Pending" }));
    },
  });
  await h.wait("the initial list", () => h.out.calls.length > 0);
  assert.equal(h.out.calls[0]?.length, 2, "the whole list in one update");
  const g = h.out.groups.get("pod/shop/web-7d4b9c-x2x9z");
  assert.ok(g);
  const uid = g.labels.get(`${M}pod_uid`) ?? "";
  assert.match(uid, /^[0-9a-f-]{36}$/);
  assert.deepEqual(Object.fromEntries(g.labels), {
    [`${M}namespace`]: "shop",
    [`${M}pod_name`]: "web-7d4b9c-x2x9z",
    [`${M}pod_ip`]: "10.1.2.3",
    [`${M}pod_ipv4`]: "10.1.2.3",
    [`${M}pod_ready`]: "true",
    [`${M}pod_phase`]: "Running",
    [`${M}pod_node_name`]: "node-1",
    [`${M}pod_host_ip`]: "10.0.0.1",
    [`${M}pod_uid`]: uid,
    [`${M}pod_controller_kind`]: "ReplicaSet",
    [`${M}pod_controller_name`]: "web-7d4b9c",
    [`${M}pod_label_app`]: "web",
    [`${M}pod_labelpresent_app`]: "true",
    [`${M}pod_label_app_kubernetes_io_name`]: "web",
    [`${M}pod_labelpresent_app_kubernetes_io_name`]: "true",
    [`${M}pod_annotation_phlare_grafana_com_scrape`]: "true",
    [`${M}pod_annotationpresent_phlare_grafana_com_scrape`]: "true",
    [`${M}pod_annotation_phlare_grafana_com_port`]: "6060",
    [`${M}pod_annotationpresent_phlare_grafana_com_port`]: "true",
  });
  const container = (name: string, image: string, init: boolean) => ({
    [`${M}pod_container_name`]: name,
    [`${M}pod_container_id`]: `containerd://${name}-web-7d4b9c-x2x9z`,
    [`${M}pod_container_image`]: image,
    [`${M}pod_container_init`]: String(init),
  });
  const port = (number: string, name: string, protocol: string) => ({
    [`${M}pod_container_port_number`]: number,
    [`${M}pod_container_port_name`]: name,
    [`${M}pod_container_port_protocol`]: protocol,
  });
  assert.deepEqual(
    g.targets.map((x) => Object.fromEntries(x)),
    [
      { __address__: "10.1.2.3:6060", ...container("app", "shop/web:2", false), ...port("6060", "pprof", "TCP") },
      { __address__: "10.1.2.3:8080", ...container("app", "shop/web:2", false), ...port("8080", "", "") },
      { __address__: "10.1.2.3", ...container("sidecar", "envoy:1", false) },
      { __address__: "10.1.2.3", ...container("migrate", "shop/migrate:2", true) },
    ],
  );
  assert.deepEqual(h.out.groups.get("pod/shop/pending"), { source: "pod/shop/pending", targets: [], labels: new Map() });

  await h.wait("a watch", () => h.server.openWatches === 1);
  const [list, watch] = h.server.requests;
  assert.equal(list?.path, "/api/v1/pods");
  assert.equal(list?.query.get("limit"), "500");
  assert.equal(list?.watch, false);
  assert.equal(watch?.path, "/api/v1/pods");
  assert.equal(watch?.query.get("watch"), "true");
  assert.equal(watch?.query.get("resourceVersion"), h.server.resourceVersion);
  assert.equal(watch?.query.get("allowWatchBookmarks"), "true");
});

test("pod labels: sanitizing, IPv6 addresses, dual-stack IPs, unknown readiness", () => {
  assert.equal(sanitizeLabelName("phlare.grafana.com/scrape"), "phlare_grafana_com_scrape");
  assert.equal(sanitizeLabelName("a-b_c9/ä"), "a_b_c9__");
  const pod = makePod({ name: "v6", ip: "fd00::1", containers: [{ name: "a", ports: [{ containerPort: 6060 }] }, { name: "b" }] });
  pod.status.podIPs = [{ ip: "fd00::1" }, { ip: "10.0.0.9" }];
  pod.status.conditions = [];
  const g = podTargetGroup(pod);
  assert.deepEqual(g.targets.map((x) => x.get("__address__")), ["[fd00::1]:6060", "[fd00::1]"]);
  assert.equal(g.labels.get(`${M}pod_ipv6`), "fd00::1");
  assert.equal(g.labels.get(`${M}pod_ipv4`), "10.0.0.9");
  assert.equal(g.labels.get(`${M}pod_ready`), "unknown");
  assert.equal(g.labels.has(`${M}pod_controller_kind`), false);
});

test("watch: added, modified and deleted pods update their groups", async (t) => {
  const h = await harness(t, { before: (s) => s.put(makePod({ name: "a", ip: "10.0.0.1" })) });
  await h.wait("a watch", () => h.server.openWatches === 1);
  h.server.put(makePod({ name: "b", ip: "10.0.0.2" }));
  await h.wait("pod b", () => h.out.addresses("pod/default/b")?.[0] === "10.0.0.2:8080");
  h.server.put(makePod({ name: "b", ip: "10.0.0.3" }));
  await h.wait("pod b's new IP", () => h.out.addresses("pod/default/b")?.[0] === "10.0.0.3:8080");
  h.server.delete("default", "b");
  await h.wait("pod b's removal", () => h.out.groups.get("pod/default/b")?.targets.length === 0);
  assert.deepEqual(h.out.addresses("pod/default/a"), ["10.0.0.1:8080"]);
  assert.equal(h.server.requests.filter((r) => !r.watch).length, 1, "one list only");
});

test("lists are paged with limit and continue, and sent as one update", async (t) => {
  const h = await harness(t, {
    opts: { pageSize: 2 },
    before: (s) => {
      for (let i = 0; i < 5; i++) s.put(makePod({ name: `p${i}`, ip: `10.0.0.${i + 1}` }));
    },
  });
  await h.wait("the list", () => h.out.calls.length > 0);
  assert.equal(h.out.calls[0]?.length, 5);
  const lists = h.server.requests.filter((r) => !r.watch);
  assert.equal(lists.length, 3);
  assert.equal(lists[0]?.query.get("continue"), null);
  assert.ok(lists[1]?.query.get("continue"));
});

test("an ended watch resumes from the last resourceVersion (bookmarks included) without listing", async (t) => {
  const h = await harness(t, { yaml: (url) => `role: pod\napi_server: ${url}\nnamespaces: { names: [a] }\n` });
  await h.wait("a watch", () => h.server.openWatches === 1);
  h.server.put(makePod({ name: "elsewhere", namespace: "b", ip: "10.0.0.9" }));
  const rv = h.server.resourceVersion;
  h.server.bookmark();
  await new Promise((r) => setImmediate(r));
  h.server.endWatches();
  await h.wait("a watch from the bookmark", () => h.server.requests.some((r) => r.watch && r.query.get("resourceVersion") === rv));
  h.server.put(makePod({ name: "x", namespace: "a", ip: "10.0.0.7" }));
  await h.wait("pod x", () => h.out.groups.has("pod/a/x"));
  assert.equal(h.server.requests.filter((r) => !r.watch).length, 1);
});

for (const goneAs of ["event", "http"] as const) {
  test(`410 Gone (${goneAs === "event" ? "ERROR event" : "HTTP status"}) lists again and sends the full state`, async (t) => {
    const h = await harness(t, {
      server: { goneAs },
      before: (s) => {
        s.put(makePod({ name: "stays", ip: "10.0.0.1" }));
        s.put(makePod({ name: "vanishes", ip: "10.0.0.2" }));
      },
    });
    await h.wait("a watch", () => h.server.openWatches === 1);
    // Changes whose events are lost to compaction: only a new list shows them.
    h.server.delete("default", "vanishes", { notify: false });
    h.server.put(makePod({ name: "appears", ip: "10.0.0.3" }), { notify: false });
    h.server.put(makePod({ name: "stays", ip: "10.0.0.4" }), { notify: false });
    h.server.expireWatches();
    await h.wait("the second list", () => h.out.calls.length >= 2);
    const relist = h.out.calls[1] ?? [];
    assert.deepEqual(relist.map((g) => [g.source, g.targets.map((x) => x.get("__address__"))]).sort(), [
      ["pod/default/appears", ["10.0.0.3:8080"]],
      ["pod/default/stays", ["10.0.0.4:8080"]],
      ["pod/default/vanishes", []],
    ]);
    await h.wait("a new watch", () => h.server.openWatches === 1);
    h.server.put(makePod({ name: "later", ip: "10.0.0.5" }));
    await h.wait("pod later", () => h.out.groups.has("pod/default/later"));
    assert.equal(h.server.requests.filter((r) => !r.watch).length, 2);
  });
}

test("namespaces: only the named ones are listed and watched", async (t) => {
  const h = await harness(t, {
    yaml: (url) => `role: pod\napi_server: ${url}\nnamespaces:\n  names: [a, b]\n`,
    before: (s) => {
      for (const ns of ["a", "b", "c"]) s.put(makePod({ name: "p", namespace: ns, ip: "10.0.0.1" }));
    },
  });
  await h.wait("two watches", () => h.server.openWatches === 2);
  h.server.put(makePod({ name: "q", namespace: "c", ip: "10.0.0.2" }));
  h.server.put(makePod({ name: "q", namespace: "b", ip: "10.0.0.3" }));
  await h.wait("pod b/q", () => h.out.groups.has("pod/b/q"));
  assert.deepEqual([...h.out.groups.keys()].sort(), ["pod/a/p", "pod/b/p", "pod/b/q"]);
  assert.deepEqual([...new Set(h.server.requests.map((r) => r.path))].sort(), ["/api/v1/namespaces/a/pods", "/api/v1/namespaces/b/pods"]);
});

test("selectors are sent as labelSelector and fieldSelector; a pod leaving the selection is removed", async (t) => {
  const h = await harness(t, {
    yaml: (url) => `role: pod\napi_server: ${url}\nselectors:\n  - role: pod\n    label: app=web\n    field: spec.nodeName=node-1\n`,
    before: (s) => {
      s.put(makePod({ name: "web1", ip: "10.0.0.1", labels: { app: "web" } }));
      s.put(makePod({ name: "web2", ip: "10.0.0.2", labels: { app: "web" }, nodeName: "node-2" }));
      s.put(makePod({ name: "db", ip: "10.0.0.3", labels: { app: "db" } }));
    },
  });
  await h.wait("a watch", () => h.server.openWatches === 1);
  assert.deepEqual([...h.out.groups.keys()], ["pod/default/web1"]);
  for (const r of h.server.requests) {
    assert.equal(r.query.get("labelSelector"), "app=web");
    assert.equal(r.query.get("fieldSelector"), "spec.nodeName=node-1");
  }
  h.server.put(makePod({ name: "web1", ip: "10.0.0.1", labels: { app: "db" } }));
  await h.wait("web1's removal", () => h.out.groups.get("pod/default/web1")?.targets.length === 0);
});

test("a bearer token file is read per request: rotation is picked up, and a 401 is retried", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "kube-sd-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tokenFile = join(dir, "token");
  writeFileSync(tokenFile, "t1\n");
  const h = await harness(t, { server: { token: "t1" }, yaml: (url) => `role: pod\napi_server: ${url}\nbearer_token_file: ${tokenFile}\n` });
  await h.wait("a watch", () => h.server.openWatches === 1);
  assert.equal(h.server.requests[0]?.authorization, "Bearer t1");

  writeFileSync(tokenFile, "t2\n");
  h.server.token = "t2";
  h.server.endWatches();
  await h.wait("a watch with the new token", () => h.server.openWatches === 1 && h.server.requests.at(-1)?.authorization === "Bearer t2");

  h.server.token = "t3";
  h.server.endWatches();
  await h.wait("a warning about the 401", () => h.logs.some((l) => l.level === "warn" && String(l.fields.err).includes("HTTP 401")));
  writeFileSync(tokenFile, "t3");
  await h.wait("a watch with the third token", () => h.server.openWatches === 1);
  h.server.put(makePod({ name: "after", ip: "10.0.0.8" }));
  await h.wait("pod after", () => h.out.groups.has("pod/default/after"));
});

test("failed requests are logged and retried with backoff", async (t) => {
  const h = await harness(t, { before: (s) => (s.put(makePod({ name: "a", ip: "10.0.0.1" })), s.failNext(2, 503)) });
  await h.wait("the list", () => h.out.groups.has("pod/default/a"));
  const warns = h.logs.filter((l) => l.level === "warn");
  assert.equal(warns.length, 2);
  assert.match(String(warns[0]?.fields.err), /HTTP 503: injected failure/);
  assert.deepEqual([warns[0]?.fields.retry_in_ms, warns[1]?.fields.retry_in_ms], [5, 10]);
});

test("an oversized watch event is refused; a new list recovers", async (t) => {
  const h = await harness(t, { opts: { maxEventBytes: 4096 } });
  await h.wait("a watch", () => h.server.openWatches === 1);
  h.server.put(makePod({ name: "big", ip: "10.0.0.1", annotations: { blob: "x".repeat(8192) } }));
  await h.wait("the warning", () => h.logs.some((l) => String(l.fields.err).includes("exceeds the limit of 4096 bytes")));
  await h.wait("pod big from the list", () => h.out.groups.get("pod/default/big")?.targets.length === 1);
});

function openssl(dir: string): { cert: string; key: string } | undefined {
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
    return { cert: readFileSync(join(dir, "cert.pem"), "utf8"), key: readFileSync(join(dir, "key.pem"), "utf8") };
  } catch {
    return undefined;
  }
}

const tlsDir = mkdtempSync(join(tmpdir(), "kube-sd-tls-"));
process.on("exit", () => rmSync(tlsDir, { recursive: true, force: true }));
const tls = openssl(tlsDir);
const b64 = (s: string): string => Buffer.from(s).toString("base64");

function kubeconfig(server: string, cluster: string, user: string): string {
  return `apiVersion: v1\nkind: Config\ncurrent-context: dev\ncontexts:\n  - name: other\n    context: { cluster: nope, user: nope }\n  - name: dev\n    context: { cluster: c1, user: u1, namespace: ignored }\nclusters:\n  - name: c1\n    cluster:\n      server: ${server}\n${cluster}users:\n  - name: u1\n    user:\n${user}`;
}

test("kubeconfig: the current context's server and token (plain HTTP)", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "kube-sd-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const server = new KubeApiServer({ token: "kc" });
  const url = await server.start();
  server.put(makePod({ name: "a", ip: "10.0.0.1" }));
  writeFileSync(join(dir, "config"), kubeconfig(url, "", "      token: kc\n"));
  const h = await harness(t, { started: { server, url }, yaml: () => `role: pod\nkubeconfig_file: ${join(dir, "config")}\n` });
  await h.wait("pod a", () => h.out.groups.has("pod/default/a"));
  assert.equal(server.requests[0]?.authorization, "Bearer kc");
});

test("kubeconfig over TLS: CA and client certificate data, then files relative to the kubeconfig", { skip: tls ? false : "openssl is not available" }, async (t) => {
  if (!tls) return;
  const dir = mkdtempSync(join(tmpdir(), "kube-sd-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const server = new KubeApiServer({ token: "kc", tls: { ...tls, ca: tls.cert } });
  const url = await server.start();
  server.put(makePod({ name: "a", ip: "10.0.0.1" }));
  const withData = kubeconfig(url, `      certificate-authority-data: ${b64(tls.cert)}\n`, `      token: kc\n      client-certificate-data: ${b64(tls.cert)}\n      client-key-data: ${b64(tls.key)}\n`);
  writeFileSync(join(dir, "data.yaml"), withData);
  const h = await harness(t, { started: { server, url }, yaml: () => `role: pod\nkubeconfig_file: ${join(dir, "data.yaml")}\n` });
  await h.wait("pod a", () => h.out.groups.has("pod/default/a"));
  assert.equal(server.requests[0]?.clientCert, "127.0.0.1");
  assert.equal(server.requests[0]?.authorization, "Bearer kc");

  writeFileSync(join(dir, "ca.pem"), tls.cert);
  writeFileSync(join(dir, "token"), "kc\n");
  writeFileSync(join(dir, "files.yaml"), kubeconfig(url, "      certificate-authority: ca.pem\n", "      tokenFile: token\n"));
  const conn = kubeconfigConnection(join(dir, "files.yaml"));
  assert.equal(conn.http.tls.caFile, join(dir, "ca.pem"));
  assert.deepEqual(conn.http.authorization, { type: "Bearer", credentialsFile: join(dir, "token") });
  const h2 = await harness(t, { started: { server, url }, yaml: () => `role: pod\nkubeconfig_file: ${join(dir, "files.yaml")}\n` });
  await h2.wait("pod a again", () => h2.out.groups.has("pod/default/a"));
});

test("kubeconfig errors name the missing context, cluster or user", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "kube-sd-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cases: [string, RegExp][] = [
    ["apiVersion: v1\nclusters: []\n", /current-context is not set/],
    ["current-context: x\ncontexts: []\n", /context "x" \(the current-context\) not found/],
    ["current-context: x\ncontexts: [{ name: x, context: { cluster: c, user: u } }]\n", /cluster "c" \(of context "x"\) not found/],
    ["current-context: x\ncontexts: [{ name: x, context: { cluster: c, user: u } }]\nclusters: [{ name: c, cluster: { server: 'https://k:6443' } }]\n", /user "u" \(of context "x"\) not found/],
    ["current-context: x\ncontexts: [{ name: x, context: { cluster: c } }]\nclusters: [{ name: c, cluster: {} }]\n", /cluster "c": has no server/],
    [kubeconfig("https://k:6443", "", "      exec: { command: aws }\n"), /exec credential plugins are not supported/],
    [kubeconfig("https://k:6443", "", "      token: a\n      username: b\n"), /more than one authentication method/],
  ];
  for (const [i, [text, re]] of cases.entries()) {
    writeFileSync(join(dir, `c${i}`), text);
    assert.throws(() => kubeconfigConnection(join(dir, `c${i}`)), (err: unknown) => err instanceof KubeConfigError && re.test(err.message));
  }
  assert.throws(() => kubeconfigConnection(join(dir, "missing")), /ENOENT/);
});

test("in-cluster: service host and port from the environment, token and CA from the service account", { skip: tls ? false : "openssl is not available" }, async (t) => {
  if (!tls) return;
  const dir = mkdtempSync(join(tmpdir(), "kube-sd-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "token"), "sa-token");
  writeFileSync(join(dir, "ca.crt"), tls.cert);
  writeFileSync(join(dir, "namespace"), "team-a");
  const server = new KubeApiServer({ token: "sa-token", tls });
  const url = await server.start();
  server.put(makePod({ name: "mine", namespace: "team-a", ip: "10.0.0.1" }));
  server.put(makePod({ name: "theirs", namespace: "team-b", ip: "10.0.0.2" }));
  const inCluster: InClusterOptions = {
    env: { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: new URL(url).port },
    tokenFile: join(dir, "token"),
    caFile: join(dir, "ca.crt"),
    namespaceFile: join(dir, "namespace"),
  };
  const h = await harness(t, { started: { server, url }, yaml: () => "role: pod\nnamespaces: { own_namespace: true }\n", opts: { inCluster } });
  await h.wait("the own namespace's pod", () => h.out.groups.has("pod/team-a/mine"));
  assert.deepEqual([...h.out.groups.keys()], ["pod/team-a/mine"]);
  assert.equal(server.requests[0]?.path, "/api/v1/namespaces/team-a/pods");
  assert.equal(server.requests[0]?.authorization, "Bearer sa-token");
});

test("in-cluster without the environment or the token: run rejects with the reason", async () => {
  const cfg = parseConfig("role: pod\n");
  const run = (inCluster: InClusterOptions) => new KubernetesDiscoverer(cfg, captureLogger([], new EventEmitter()), { inCluster }).run(AbortSignal.abort(), () => {});
  await assert.rejects(run({ env: {} }), /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined/);
  await assert.rejects(run({ env: { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" }, tokenFile: "/nonexistent/token" }), /service account token/);
});

test("config: Prometheus' keys, defaults and validation with YAML paths", () => {
  const c = parseConfig(
    "role: pod\napi_server: https://k8s.example:6443\nbearer_token: abc\ntls_config: { insecure_skip_verify: true }\nnamespaces: { names: [a, b] }\nselectors: [{ role: pod, label: 'app in (a,b),!canary', field: 'spec.nodeName=n1' }]\nattach_metadata: { node: true }\n",
  );
  assert.equal(c.apiServer, "https://k8s.example:6443");
  assert.deepEqual(c.namespaces, { names: ["a", "b"], ownNamespace: false });
  assert.deepEqual(c.selectors, [{ role: "pod", label: "app in (a,b),!canary", field: "spec.nodeName=n1" }]);
  assert.deepEqual(c.attachMetadata, { node: true });
  assert.deepEqual(c.httpClient.authorization, { type: "Bearer", credentials: "abc", credentialsFile: undefined });
  assert.equal(c.httpClient.tls.insecureSkipVerify, true);

  const bad: [string, string, RegExp][] = [
    ["role: foo\n", "role", /unknown Kubernetes SD role "foo": only role pod is supported by this agent/],
    ["role: endpoints\n", "role", /only role pod is supported by this agent/],
    ["api_server: http://k\n", "role", /is required/],
    ["role: pod\nfoo: 1\n", "foo", /unknown key/],
    ["role: pod\nnamespaces: { name: [a] }\n", "namespaces.name", /unknown key/],
    ["role: pod\napi_server: http://k\nkubeconfig_file: /k\n", "kubeconfig_file", /cannot use 'kubeconfig_file' and 'api_server' simultaneously/],
    ["role: pod\nkubeconfig_file: /k\nbearer_token: x\n", "kubeconfig_file", /custom HTTP client configuration together with 'kubeconfig_file'/],
    ["role: pod\nbearer_token: x\n", "api_server", /provide the 'api_server' URL explicitly/],
    ["role: pod\napi_server: http://k\nnamespaces: { own_namespace: true }\n", "namespaces.own_namespace", /'api_server' and 'namespaces.own_namespace'/],
    ["role: pod\nkubeconfig_file: /k\nnamespaces: { own_namespace: true }\n", "namespaces.own_namespace", /'kubeconfig_file' and 'namespaces.own_namespace'/],
    ["role: pod\nselectors: [{ role: service }]\n", "selectors.0.role", /pod role supports only pod selectors/],
    ["role: pod\nselectors: [{ role: pod }, { role: pod }]\n", "selectors.1.role", /duplicated selector role: pod/],
    ["role: pod\nselectors: [{ role: pod, label: 'app in (a' }]\n", "selectors.0.label", /invalid selector term/],
    ["role: pod\nselectors: [{ role: pod, field: 'nodeName' }]\n", "selectors.0.field", /invalid selector term/],
    ["role: pod\napi_server: k8s:6443\n", "api_server", /not an http or https URL/],
    ["role: pod\nattach_metadata: { pods: true }\n", "attach_metadata.pods", /unknown key/],
  ];
  for (const [text, path, re] of bad) {
    assert.throws(
      () => parseConfig(text),
      (err: unknown) => err instanceof ConfigError && err.path === `${PATH}.${path}` && re.test(err.message),
      `${JSON.stringify(text)} should fail at ${path} with ${re}`,
    );
  }
});

test("abort ends run promptly: open watches are closed and nothing is sent afterwards", async (t) => {
  const h = await harness(t, { yaml: (url) => `role: pod\napi_server: ${url}\nnamespaces: { names: [a, b, c] }\n` });
  await h.wait("three watches", () => h.server.openWatches === 3);
  const calls = h.out.calls.length;
  h.abort.abort();
  await h.done;
  await h.wait("the watches closed", () => h.server.openWatches === 0);
  h.server.put(makePod({ name: "late", namespace: "a", ip: "10.0.0.1" }));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(h.out.calls.length, calls);
});

test("abort during a backoff wait ends run promptly", async (t) => {
  const h = await harness(t, { opts: { minBackoffMs: 60_000 }, before: (s) => s.failNext(1, 500) });
  await h.wait("the warning", () => h.logs.some((l) => l.level === "warn"));
  const start = Date.now();
  h.abort.abort();
  await h.done;
  assert.ok(Date.now() - start < 1000);
});
