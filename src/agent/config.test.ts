import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { configYaml } from "../config/dump.js";
import { loadConfig } from "../config/load.js";
import type { Config } from "../config/config.js";
import { ConfigError } from "../model/errors.js";
import { parseScrapeConfigs } from "./config.js";
import { targetsFromGroup, pushLabels } from "./target.js";

function load(yaml: string): Config {
  const dir = mkdtempSync(join(tmpdir(), "phlare-agent-config-"));
  try {
    const file = join(dir, "phlare.yaml");
    writeFileSync(file, yaml);
    const res = loadConfig([`-config.file=${file}`], {});
    assert.equal(res.kind, "run");
    return res.config;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("scrape_configs", () => {
  test("defaults: 10s interval, timeout interval + 3s, http, Phlare's five profile types", () => {
    const [c] = parseScrapeConfigs([{ job_name: "j", static_configs: [{ targets: ["a:1"] }] }]);
    assert.ok(c);
    assert.equal(c.scrapeIntervalMs, 10_000);
    assert.equal(c.scrapeTimeoutMs, 13_000);
    assert.equal(c.scheme, "http");
    assert.deepEqual(Object.fromEntries(c.profiles), {
      memory: { enabled: true, path: "/debug/pprof/allocs", delta: false },
      block: { enabled: true, path: "/debug/pprof/block", delta: false },
      goroutine: { enabled: true, path: "/debug/pprof/goroutine", delta: false },
      mutex: { enabled: true, path: "/debug/pprof/mutex", delta: false },
      process_cpu: { enabled: true, path: "/debug/pprof/profile", delta: true },
    });
  });

  test("pprof_config merges per key; a new entry is enabled; path_prefix is joined", () => {
    const [c] = parseScrapeConfigs([
      {
        job_name: "j",
        profiling_config: { path_prefix: "/app/", pprof_config: { memory: { path: "/debug/pprof/heap" }, fgprof: { path: "/debug/fgprof", delta: true }, block: { enabled: false } } },
      },
    ]);
    assert.ok(c);
    assert.deepEqual(c.profiles.get("memory"), { enabled: true, path: "/debug/pprof/heap", delta: false });
    assert.deepEqual(c.profiles.get("fgprof"), { enabled: true, path: "/debug/fgprof", delta: true });
    assert.equal(c.profiles.get("block")?.enabled, false);
    const t = targetsFromGroup(c, { source: "0", targets: [new Map([["__address__", "host"]])], labels: new Map() });
    const urls = t.active.map((x) => x.url).sort();
    assert.deepEqual(urls, [
      "http://host:80/app/debug/fgprof?seconds=9",
      "http://host:80/app/debug/pprof/goroutine",
      "http://host:80/app/debug/pprof/heap",
      "http://host:80/app/debug/pprof/mutex",
      "http://host:80/app/debug/pprof/profile?seconds=9",
    ]);
  });

  const bad: Array<{ name: string; yaml: string; message: RegExp }> = [
    { name: "no job name", yaml: "scrape_configs:\n  - scrape_interval: 5s\n", message: /phlare\.yaml:2:5: scrape_configs\.0\.job_name: is required$/ },
    { name: "duplicate job", yaml: "scrape_configs:\n  - job_name: a\n  - job_name: a\n", message: /scrape_configs\.1\.job_name: found multiple scrape configs with job name "a"/ },
    { name: "unknown key", yaml: "scrape_configs:\n  - job_name: a\n    scrape_intervall: 5s\n", message: /phlare\.yaml:3:5: scrape_configs\.0\.scrape_intervall: unknown key$/ },
    { name: "timeout not above the interval", yaml: "scrape_configs:\n  - job_name: a\n    scrape_interval: 10s\n    scrape_timeout: 5s\n", message: /:4:5: scrape_configs\.0\.scrape_timeout: must be greater than scrape_interval/ },
    { name: "CPU needs 2s", yaml: "scrape_configs:\n  - job_name: a\n    scrape_interval: 1s\n", message: /scrape_configs\.0\.scrape_interval: must be at least 2s when the process_cpu profile is enabled/ },
    { name: "bad duration", yaml: "scrape_configs:\n  - job_name: a\n    scrape_interval: soon\n", message: /scrape_configs\.0\.scrape_interval: .*soon/ },
    { name: "bad scheme", yaml: "scrape_configs:\n  - job_name: a\n    scheme: ftp\n", message: /scrape_configs\.0\.scheme: unknown scheme "ftp"/ },
    {
      name: "bad relabel action, with its position",
      yaml: "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: keep\n        source_labels: [x]\n      - action: rename\n",
      message: /phlare\.yaml:6:9: scrape_configs\.0\.relabel_configs\.1\.action: unknown relabel action "rename"/,
    },
    { name: "profile path without /", yaml: "scrape_configs:\n  - job_name: a\n    profiling_config:\n      pprof_config:\n        memory:\n          path: heap\n", message: /pprof_config\.memory\.path: path "heap" must start with \// },
    { name: "not a list", yaml: "scrape_configs:\n  job_name: a\n", message: /scrape_configs: expected a sequence/ },
    { name: "bearer token and file", yaml: "scrape_configs:\n  - job_name: a\n    bearer_token: x\n    bearer_token_file: /f\n", message: /at most one of bearer_token & bearer_token_file/ },
  ];
  for (const c of bad) {
    test(`rejected: ${c.name}`, () => {
      assert.throws(() => load(c.yaml), (err: unknown) => err instanceof ConfigError && c.message.test(err.message));
    });
  }

  test("loaded as written and shown as written by the config dump", () => {
    const config = load("scrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: [127.0.0.1:4100]\n");
    assert.deepEqual(config.scrape_configs, [{ job_name: "self", static_configs: [{ targets: ["127.0.0.1:4100"] }] }]);
    assert.match(configYaml(config), /^scrape_configs:\n- job_name: self\n {2}static_configs:\n {2}- targets:\n {4}- 127\.0\.0\.1:4100\n/m);
  });
});

describe("targets", () => {
  const [cfg] = parseScrapeConfigs([
    {
      job_name: "pods",
      scrape_interval: "15s",
      params: { debug: ["0"] },
      profiling_config: { pprof_config: { block: { enabled: false }, goroutine: { enabled: false }, mutex: { enabled: false }, memory: { enabled: false } } },
      relabel_configs: [{ source_labels: ["__meta_team"], target_label: "team" }],
    },
  ]);
  assert.ok(cfg);
  const group = (target: Record<string, string>, labels: Record<string, string> = {}) => ({
    source: "g",
    targets: [new Map(Object.entries(target))],
    labels: new Map(Object.entries(labels)),
  });

  test("labels, URL with seconds=interval−1 and params, and pushed labels without __*", () => {
    const { active, dropped } = targetsFromGroup(cfg, group({ __address__: "10.1.2.3:6060", __meta_team: "red" }, { env: "prod" }));
    assert.equal(dropped.length, 0);
    const [t] = active;
    assert.ok(t);
    assert.equal(t.url, "http://10.1.2.3:6060/debug/pprof/profile?debug=0&seconds=14");
    assert.equal(t.intervalMs, 15_000);
    assert.equal(t.timeoutMs, 18_000);
    assert.deepEqual(Object.fromEntries(t.labels), {
      __address__: "10.1.2.3:6060",
      __name__: "process_cpu",
      __profile_path__: "/debug/pprof/profile",
      __scheme__: "http",
      __scrape_interval__: "15s",
      __scrape_timeout__: "18s",
      __param_debug: "0",
      env: "prod",
      instance: "10.1.2.3:6060",
      job: "pods",
      service_name: "unspecified",
      team: "red",
    });
    assert.equal(t.discoveredLabels.get("__meta_team"), "red");
    assert.deepEqual(pushLabels(t), [
      { name: "__name__", value: "process_cpu" },
      { name: "env", value: "prod" },
      { name: "instance", value: "10.1.2.3:6060" },
      { name: "job", value: "pods" },
      { name: "service_name", value: "unspecified" },
      { name: "team", value: "red" },
    ]);
  });

  test("service_name: label, then the pyroscope.io annotation, then namespace/container, then docker", () => {
    const name = (labels: Record<string, string>): string | undefined =>
      targetsFromGroup(cfg, group({ __address__: "h:1", ...labels })).active[0]?.labels.get("service_name");
    assert.equal(name({ service_name: "given", __meta_kubernetes_pod_annotation_pyroscope_io_service_name: "ann" }), "given");
    assert.equal(name({ __meta_kubernetes_pod_annotation_pyroscope_io_service_name: "ann", __meta_kubernetes_namespace: "ns" }), "ann");
    assert.equal(name({ __meta_kubernetes_namespace: "ns", __meta_kubernetes_pod_container_name: "c" }), "ns/c");
    assert.equal(name({ __meta_docker_container_name: "/web" }), "/web");
  });

  test("the scheme's port is added to a portless address; IPv6 keeps its brackets", () => {
    const url = (address: string): string | undefined => targetsFromGroup(cfg, group({ __address__: address })).active[0]?.url;
    assert.equal(url("host"), "http://host:80/debug/pprof/profile?debug=0&seconds=14");
    assert.equal(url("[::1]"), "http://[::1]:80/debug/pprof/profile?debug=0&seconds=14");
    assert.equal(url("[::1]:6060"), "http://[::1]:6060/debug/pprof/profile?debug=0&seconds=14");
  });

  test("a target without an address, or with a path in it, is dropped with the reason", () => {
    assert.equal(targetsFromGroup(cfg, group({ foo: "bar" })).dropped[0]?.reason, "no address");
    assert.match(targetsFromGroup(cfg, group({ __address__: "h:1/x" })).dropped[0]?.reason ?? "", /invalid address/);
  });

  test("one target per enabled profile type, each with its own key", () => {
    const [all] = parseScrapeConfigs([{ job_name: "all" }]);
    assert.ok(all);
    const { active } = targetsFromGroup(all, group({ __address__: "h:1" }));
    assert.deepEqual(active.map((t) => t.labels.get("__name__")), ["block", "goroutine", "memory", "mutex", "process_cpu"]);
    assert.equal(new Set(active.map((t) => t.key)).size, 5);
  });
});
