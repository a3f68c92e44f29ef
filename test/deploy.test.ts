// The deployment files: the Helm chart (operations/helm/phlare), the Dockerfile and the Compose
// examples (deploy/compose). The chart is rendered with Go's text/template, the engine Helm runs
// (test/helpers/helm-render.ts), and everything Phlare is told (flags, the config file, the
// runtime config) goes through Phlare's own parsers, so a key or flag it does not know fails here.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { loadConfig } from "../src/config/load.js";
import { parseRuntimeConfig } from "../src/config/runtime-config.js";
import { eventually, targetsJson } from "./helpers/agent-queries.js";
import { repoRoot, runPhlare } from "./helpers/child.js";
import { isMap, renderChart } from "./helpers/helm-render.js";
import type { Manifest, Rendered, ValueMap } from "./helpers/helm-render.js";
import { KubeApiServer, makePod } from "./helpers/kube-api.js";
import { startTestServer } from "./helpers/server.js";

const CHART = join(repoRoot, "operations/helm/phlare");
const MICRO_VALUES = join(CHART, "values-micro-services.yaml");
const COMPOSE = join(repoRoot, "deploy/compose");

const COMPONENTS: Record<string, { kind: string; replicas: number }> = {
  querier: { kind: "Deployment", replicas: 3 },
  "query-frontend": { kind: "Deployment", replicas: 2 },
  "query-scheduler": { kind: "Deployment", replicas: 2 },
  distributor: { kind: "Deployment", replicas: 2 },
  ingester: { kind: "StatefulSet", replicas: 3 },
  "store-gateway": { kind: "StatefulSet", replicas: 3 },
  compactor: { kind: "Deployment", replicas: 1 },
  agent: { kind: "Deployment", replicas: 1 },
};

/** The value at `path` under `v`, or undefined. */
function at(v: unknown, ...path: (string | number)[]): unknown {
  let cur = v;
  for (const p of path) {
    if (typeof p === "number") cur = Array.isArray(cur) ? cur[p] : undefined;
    else cur = isMap(cur) ? cur[p] : undefined;
  }
  return cur;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function strings(v: unknown): string[] {
  return list(v).map((x) => String(x));
}

let knownFlags = new Set<string>();
let knownModules = new Set<string>();
let tmp = "";

before(async () => {
  const help = await runPhlare(["-help-all"]);
  assert.equal(help.code, 0, help.stderr);
  knownFlags = new Set([...(help.stdout + help.stderr).matchAll(/^ {2}-([A-Za-z0-9][\w.-]*)/gm)].map((m) => m[1] ?? ""));
  const modules = await runPhlare(["-modules"]);
  assert.equal(modules.code, 0, modules.stderr);
  knownModules = new Set(modules.stdout.split("\n").map((l) => l.replace(/ \*$/, "").trim()).filter((l) => l !== "" && !l.includes(" ")));
  tmp = mkdtempSync(join(tmpdir(), "phlare-deploy-"));
});

after(() => {
  if (tmp !== "") rmSync(tmp, { recursive: true, force: true });
});

/** `-name=value` / `-name` arguments as [name, value]; others are not flags. */
function flagsOf(args: readonly string[]): [string, string][] {
  return args.filter((a) => /^-[A-Za-z]/.test(a)).map((a) => {
    const eq = a.indexOf("=");
    return eq < 0 ? [a.slice(1), ""] : [a.slice(1, eq), a.slice(eq + 1)];
  });
}

/** Fails unless every flag is one bin/phlare knows, and every target a module. */
function assertKnownFlags(args: readonly string[], where: string): void {
  for (const [name, value] of flagsOf(args)) {
    assert.ok(knownFlags.has(name), `${where}: bin/phlare has no flag -${name}`);
    if (name !== "target") continue;
    for (const t of value.split(",")) assert.ok(knownModules.has(t), `${where}: -target=${t} is no module`);
  }
}

/**
 * Loads a Phlare config file with the container's own flags, through Phlare's loader: the file
 * named by -config.file is replaced by `configText`.
 */
function loadWithArgs(args: readonly string[], configText: string, name: string): ValueMap {
  const file = join(tmp, `${name}.yaml`);
  writeFileSync(file, configText);
  const argv = args.map((a) => (a.startsWith("-config.file=") ? `-config.file=${file}` : a));
  const r = loadConfig(argv, {});
  assert.equal(r.kind, "run");
  if (r.kind !== "run") throw new Error("not run");
  const config: unknown = r.config;
  assert.ok(isMap(config));
  return config;
}

function ofKind(r: Rendered, kind: string): ValueMap[] {
  return r.manifests.filter((m) => m.doc["kind"] === kind).map((m) => m.doc);
}

function named(r: Rendered, kind: string, name: string): ValueMap {
  const doc = ofKind(r, kind).find((d) => at(d, "metadata", "name") === name);
  assert.ok(doc, `no ${kind} ${name}; have ${r.manifests.map((m: Manifest) => `${String(m.doc["kind"])}/${String(at(m.doc, "metadata", "name"))}`).join(", ")}`);
  return doc;
}

/** Phlare's workloads: Deployments and StatefulSets other than etcd and MinIO. */
function phlareWorkloads(r: Rendered): ValueMap[] {
  return r.manifests
    .map((m) => m.doc)
    .filter((d) => d["kind"] === "Deployment" || d["kind"] === "StatefulSet")
    .filter((d) => !["etcd", "minio"].includes(String(at(d, "metadata", "labels", "app.kubernetes.io/component"))));
}

function containerOf(workload: ValueMap): ValueMap {
  const c = at(workload, "spec", "template", "spec", "containers", 0);
  assert.ok(isMap(c), "workload has no container");
  return c;
}

function argsOf(workload: ValueMap): string[] {
  return strings(containerOf(workload)["args"]);
}

function configText(r: Rendered): string {
  const text = at(named(r, "ConfigMap", "phlare-dev-config"), "data", "config.yaml");
  assert.equal(typeof text, "string");
  return String(text);
}

describe("helm chart", () => {
  let mono: Rendered;
  let micro: Rendered;
  before(() => {
    mono = renderChart(CHART);
    micro = renderChart(CHART, { valuesFiles: [MICRO_VALUES] });
  });

  it("Chart.yaml is a v2 chart named phlare whose appVersion is package.json's version", () => {
    const chart: unknown = parseYaml(readFileSync(join(CHART, "Chart.yaml"), "utf8"));
    const pkg: unknown = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    assert.equal(at(chart, "apiVersion"), "v2");
    assert.equal(at(chart, "name"), "phlare");
    assert.equal(at(chart, "appVersion"), at(pkg, "version"));
  });

  it("monolithic: one StatefulSet runs -target=all with its data on a volume at /data", () => {
    const workloads = phlareWorkloads(mono);
    assert.equal(workloads.length, 1);
    const sts = named(mono, "StatefulSet", "phlare-dev");
    assert.equal(at(sts, "spec", "replicas"), 1);
    assert.equal(at(sts, "spec", "serviceName"), "phlare-dev-headless");
    const args = argsOf(sts);
    assert.ok(args.includes("-target=all"), args.join(" "));
    assert.ok(args.includes("-phlaredb.data-path=/data"));
    assert.ok(args.includes("-config.file=/etc/phlare/config.yaml"));
    const c = containerOf(sts);
    assert.equal(c["image"], "phlare:0.1.0");
    assert.deepEqual(at(c, "ports", 0), { name: "http2", containerPort: 4100, protocol: "TCP" });
    assert.equal(at(c, "readinessProbe", "httpGet", "path"), "/ready");
    assert.equal(at(c, "readinessProbe", "httpGet", "port"), "http2");
    assert.ok(isMap(at(c, "resources", "requests")));
    const mount = list(c["volumeMounts"]).find((m) => at(m, "name") === "data");
    assert.equal(at(mount, "mountPath"), "/data");
    assert.equal(at(sts, "spec", "volumeClaimTemplates", 0, "metadata", "name"), "data");
    assert.equal(at(sts, "spec", "volumeClaimTemplates", 0, "spec", "resources", "requests", "storage"), "10Gi");
    const annotations = at(sts, "spec", "template", "metadata", "annotations");
    assert.equal(at(annotations, "phlare.grafana.com/scrape"), "true");
    assert.equal(at(annotations, "phlare.grafana.com/port"), "4100");
    assert.equal(at(sts, "spec", "template", "spec", "serviceAccountName"), "phlare-dev");
    assert.equal(at(sts, "spec", "template", "spec", "securityContext", "runAsNonRoot"), true);
  });

  it("monolithic: Services, RBAC for pod discovery, ConfigMaps; no etcd or MinIO", () => {
    const svc = named(mono, "Service", "phlare-dev");
    assert.deepEqual(at(svc, "spec", "ports", 0), { port: 4100, targetPort: "http2", protocol: "TCP", name: "http2" });
    assert.equal(at(svc, "spec", "selector", "app.kubernetes.io/component"), "phlare");
    assert.equal(at(named(mono, "Service", "phlare-dev-headless"), "spec", "clusterIP"), "None");
    named(mono, "ServiceAccount", "phlare-dev");
    const role = named(mono, "ClusterRole", "default-phlare-dev");
    assert.deepEqual(at(role, "rules", 0), { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] });
    const binding = named(mono, "ClusterRoleBinding", "default-phlare-dev");
    assert.deepEqual(at(binding, "roleRef"), { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "default-phlare-dev" });
    assert.deepEqual(at(binding, "subjects", 0), { kind: "ServiceAccount", name: "phlare-dev", namespace: "default" });
    named(mono, "ConfigMap", "phlare-dev-overrides-config");
    const kinds = new Set(mono.manifests.map((m) => m.doc["kind"]));
    assert.deepEqual([...kinds].sort(), ["ClusterRole", "ClusterRoleBinding", "ConfigMap", "Service", "ServiceAccount", "StatefulSet"]);
    assert.match(mono.files.get("phlare/templates/NOTES.txt") ?? "", /port-forward svc\/phlare-dev 4100:4100/);
  });

  it("monolithic: Phlare loads the config with the container's flags (filesystem storage, both annotation schemes)", () => {
    const config = loadWithArgs(argsOf(named(mono, "StatefulSet", "phlare-dev")), configText(mono), "mono");
    assert.equal(at(config, "storage", "backend"), "filesystem");
    assert.equal(at(config, "phlaredb", "data_path"), "/data");
    const jobs = list(config["scrape_configs"]);
    const names = jobs.map((j) => at(j, "job_name"));
    const types = ["memory", "cpu", "block", "mutex", "goroutine"];
    assert.deepEqual(names, ["kubernetes-pods", ...types.flatMap((t) => [`kubernetes-pods-${t}-default-name`, `kubernetes-pods-${t}-custom-name`])]);
    const old = JSON.stringify(jobs[0]);
    for (const a of ["phlare_grafana_com_scrape", "phlare_grafana_com_port"]) assert.ok(old.includes(`__meta_kubernetes_pod_annotation_${a}`), a);
    for (const job of jobs.slice(1)) {
      const type = String(at(job, "job_name")).split("-")[2] ?? "";
      const text = JSON.stringify(job);
      for (const a of ["scrape", "port", "port_name", "scheme", "path"]) {
        assert.ok(text.includes(`__meta_kubernetes_pod_annotation_profiles_grafana_com_${type}_${a}`), `${String(at(job, "job_name"))}: ${a}`);
      }
      const pprof = at(job, "profiling_config", "pprof_config");
      const name = type === "cpu" ? "process_cpu" : type;
      for (const p of ["memory", "block", "mutex", "goroutine", "process_cpu"]) {
        const enabled = at(pprof, p, "enabled");
        assert.equal(enabled ?? true, p === name, `${String(at(job, "job_name"))}: ${p}`);
      }
      assert.deepEqual(at(job, "kubernetes_sd_configs"), [{ role: "pod" }]);
    }
  });

  it("monolithic: the rendered scrape jobs find pods by both annotation schemes", { timeout: 60_000 }, async () => {
    const kube = new KubeApiServer();
    const apiServer = await kube.start();
    const pod = (name: string, ip: string, annotations: Record<string, string>, ports: [string, number][]): void => {
      const containers = [{ name: "app", ports: ports.map(([n, containerPort]) => ({ name: n, containerPort, protocol: "TCP" })) }];
      kube.put(makePod({ name, namespace: "shop", ip, labels: { app: name }, annotations, containers }));
    };
    const sts = named(mono, "StatefulSet", "phlare-dev");
    const own = at(sts, "spec", "template", "metadata", "annotations");
    pod("phlare-0", "127.0.0.2", { "phlare.grafana.com/scrape": String(at(own, "phlare.grafana.com/scrape")), "phlare.grafana.com/port": String(at(own, "phlare.grafana.com/port")) }, [["http2", 4100]]);
    pod("cpu", "127.0.0.3", { "profiles.grafana.com/cpu.scrape": "true" }, [["app-profiles", 6060], ["web", 8080]]);
    const mem = { scrape: "true", port_name: "pprof", scheme: "https", path: "/custom/heap" };
    pod("mem", "127.0.0.4", Object.fromEntries(Object.entries(mem).map(([k, v]) => [`profiles.grafana.com/memory.${k}`, v])), [["pprof", 7070], ["web", 8080]]);
    pod("goroutine", "127.0.0.5", { "profiles.grafana.com/goroutine.scrape": "true", "profiles.grafana.com/goroutine.port": "9999" }, [["http-metrics", 8080]]);
    pod("plain", "127.0.0.6", {}, [["http2", 4100]]);
    const file = join(tmp, "scrape.yaml");
    writeFileSync(file, configText(mono));
    const s = await startTestServer([`-config.file=${file}`], {
      edit: (c) => {
        for (const job of c.scrape_configs as unknown as ValueMap[]) job["kubernetes_sd_configs"] = [{ role: "pod", api_server: apiServer }];
      },
    });
    try {
      const want = [
        ...["allocs", "block", "goroutine", "mutex", "profile"].map((p) => `kubernetes-pods http://127.0.0.2:4100/debug/pprof/${p}`),
        "kubernetes-pods-cpu-default-name http://127.0.0.3:6060/debug/pprof/profile",
        "kubernetes-pods-memory-custom-name https://127.0.0.4:7070/custom/heap",
        "kubernetes-pods-goroutine-default-name http://127.0.0.5:9999/debug/pprof/goroutine",
      ].sort();
      const active = await eventually("the annotated pods' targets", 30_000, async () => {
        const t = (await targetsJson(s)).activeTargets;
        return t.length >= want.length ? t : undefined;
      });
      assert.deepEqual(active.map((t) => `${t.scrapePool} ${t.scrapeUrl.split("?")[0] ?? ""}`).sort(), want);
      const memTarget = active.find((t) => t.scrapePool === "kubernetes-pods-memory-custom-name");
      assert.deepEqual([memTarget?.labels["namespace"], memTarget?.labels["pod"], memTarget?.labels["container"], memTarget?.labels["app"]], ["shop", "mem", "app", "mem"]);
    } finally {
      await s.stop();
      await kube.stop();
    }
  });

  it("the runtime config holds tenantOverrides in Phlare's overrides format", () => {
    const text = (r: Rendered): string => String(at(named(r, "ConfigMap", "phlare-dev-overrides-config"), "data", "overrides.yaml"));
    assert.deepEqual(parseRuntimeConfig(text(mono), "overrides.yaml"), {});
    const withTenant = renderChart(CHART, { set: { phlare: { tenantOverrides: { "team-a": { ingestion_rate_mb: 16 } } } } });
    const overrides = parseRuntimeConfig(text(withTenant), "overrides.yaml");
    assert.equal(at(overrides, "team-a", "ingestion_rate_mb"), 16);
  });

  it("micro-services: a workload per component with its -target, replicas and kind", () => {
    const workloads = phlareWorkloads(micro);
    assert.deepEqual(workloads.map((w) => at(w, "metadata", "name")).sort(), Object.keys(COMPONENTS).map((c) => `phlare-dev-${c}`).sort());
    for (const [component, want] of Object.entries(COMPONENTS)) {
      const w = named(micro, want.kind, `phlare-dev-${component}`);
      assert.equal(at(w, "spec", "replicas"), want.replicas, component);
      const args = argsOf(w);
      assert.deepEqual(args.filter((a) => a.startsWith("-target=")), [`-target=${component}`]);
      for (const f of ["-ring.store=etcd", "-etcd.endpoints=phlare-dev-etcd:2379", "-distributor.replication-factor=3", "-storage.s3.secret-access-key=$(PHLARE_S3_SECRET_ACCESS_KEY)"]) {
        assert.ok(args.includes(f), `${component}: ${f}`);
      }
      const env = list(containerOf(w)["env"]);
      assert.equal(at(env.find((e) => at(e, "name") === "PHLARE_S3_SECRET_ACCESS_KEY"), "valueFrom", "secretKeyRef", "name"), "phlare-dev-storage");
      assert.equal(at(w, "spec", "template", "metadata", "labels", "app.kubernetes.io/component"), component);
    }
    const ingester = named(micro, "StatefulSet", "phlare-dev-ingester");
    assert.equal(at(ingester, "spec", "volumeClaimTemplates", 0, "metadata", "name"), "data");
    assert.equal(at(ingester, "spec", "serviceName"), "phlare-dev-ingester-headless");
    const gateway = named(micro, "StatefulSet", "phlare-dev-store-gateway");
    assert.equal(at(gateway, "spec", "volumeClaimTemplates"), undefined);
    assert.ok(list(at(gateway, "spec", "template", "spec", "volumes")).some((v) => at(v, "name") === "data" && isMap(at(v, "emptyDir"))));
    assert.ok(argsOf(named(micro, "Deployment", "phlare-dev-agent")).includes("-client.url=http://phlare-dev-distributor.default.svc.cluster.local:4100"));
  });

  it("micro-services: every address a component is given is a rendered Service", () => {
    const services = new Set(ofKind(micro, "Service").map((s) => String(at(s, "metadata", "name"))));
    for (const c of Object.keys(COMPONENTS)) assert.ok(services.has(`phlare-dev-${c}`), c);
    for (const c of ["ingester", "store-gateway", "query-scheduler", "etcd"]) {
      assert.equal(at(named(micro, "Service", `phlare-dev-${c}-headless`), "spec", "clusterIP"), "None", c);
    }
    for (const w of phlareWorkloads(micro)) {
      for (const [name, value] of flagsOf(argsOf(w))) {
        if (!/(endpoints|address|url)$/.test(name)) continue;
        const host = value.replace(/^https?:\/\//, "").split(/[:.]/)[0] ?? "";
        assert.ok(services.has(host), `-${name}=${value}: no Service ${host}`);
      }
    }
  });

  it("micro-services: etcd and MinIO are deployed, and the bucket is MinIO's", () => {
    const etcd = named(micro, "StatefulSet", "phlare-dev-etcd");
    assert.equal(at(etcd, "spec", "replicas"), 3);
    assert.match(String(at(containerOf(etcd), "image")), /^quay\.io\/coreos\/etcd:v3\.5\.\d+$/);
    const cluster = argsOf(etcd).find((a) => a.startsWith("--initial-cluster="));
    assert.equal(cluster?.split(",").length, 3);
    named(micro, "Service", "phlare-dev-etcd");
    named(micro, "StatefulSet", "phlare-dev-minio");
    named(micro, "Service", "phlare-dev-minio");
    assert.match(JSON.stringify(named(micro, "Job", "phlare-dev-minio-make-bucket")), /mc mb --ignore-existing \\"phlare\/phlare-data\\"/);
    const secret = named(micro, "Secret", "phlare-dev-storage");
    assert.equal(Buffer.from(String(at(secret, "data", "access-key-id")), "base64").toString(), "phlare");
    const text = configText(micro);
    assert.doesNotMatch(text, /supersecret|access_key/);
    const config = loadWithArgs(argsOf(named(micro, "StatefulSet", "phlare-dev-ingester")), text, "micro");
    assert.deepEqual(
      [at(config, "storage", "backend"), at(config, "storage", "s3", "endpoint"), at(config, "storage", "s3", "bucket_name"), at(config, "storage", "s3", "insecure")],
      ["s3", "phlare-dev-minio:9000", "phlare-data", true],
    );
    assert.equal(at(config, "storage", "s3", "secret_access_key"), "$(PHLARE_S3_SECRET_ACCESS_KEY)");
  });

  it("every flag a Phlare container gets is one bin/phlare knows", () => {
    for (const [what, r] of [["values.yaml", mono], ["values-micro-services.yaml", micro]] as const) {
      for (const w of phlareWorkloads(r)) assertKnownFlags(argsOf(w), `${what} ${String(at(w, "metadata", "name"))}`);
    }
  });

  it("values: release naming, Deployments without volumes, external S3, existing Secret, no RBAC", () => {
    const plain = renderChart(CHART, {
      releaseName: "phlare",
      set: { phlare: { components: { phlare: { kind: "Deployment" } }, persistence: { enabled: false }, rbac: { create: false } } },
    });
    const dep = named(plain, "Deployment", "phlare");
    assert.equal(at(dep, "spec", "volumeClaimTemplates"), undefined);
    assert.ok(list(at(dep, "spec", "template", "spec", "volumes")).some((v) => at(v, "name") === "data" && isMap(at(v, "emptyDir"))));
    assert.equal(ofKind(plain, "ClusterRole").length, 0);
    assert.equal(ofKind(plain, "Service").length, 1);

    const s3 = { backend: "s3", s3: { endpoint: "s3.eu-west-2.amazonaws.com", bucket_name: "profiles", region: "eu-west-2" } };
    const keyed = renderChart(CHART, { set: { storage: { ...s3, s3Credentials: { accessKeyId: "AKIA1", secretAccessKey: "s3cr3t" } } } });
    assert.equal(Buffer.from(String(at(named(keyed, "Secret", "phlare-dev-storage"), "data", "secret-access-key")), "base64").toString(), "s3cr3t");
    const config = loadWithArgs(argsOf(named(keyed, "StatefulSet", "phlare-dev")), configText(keyed), "keyed");
    assert.deepEqual(at(config, "storage", "s3", "region"), "eu-west-2");
    assert.equal(at(config, "storage", "s3", "insecure"), false);

    const existing = renderChart(CHART, { set: { storage: { ...s3, s3Credentials: { existingSecret: "mine" } } } });
    assert.equal(ofKind(existing, "Secret").length, 0);
    const env = list(containerOf(named(existing, "StatefulSet", "phlare-dev"))["env"]);
    assert.ok(env.every((e) => at(e, "valueFrom", "secretKeyRef", "name") === "mine"));

    const perType = { "phlare.grafana.com/scrape": null, "phlare.grafana.com/port": null, "profiles.grafana.com/cpu.scrape": "true" };
    const annotated = renderChart(CHART, { set: { phlare: { podAnnotations: perType } } });
    const annotations = at(named(annotated, "StatefulSet", "phlare-dev"), "spec", "template", "metadata", "annotations");
    assert.deepEqual(Object.keys(isMap(annotations) ? annotations : {}).sort(), ["checksum/config", "profiles.grafana.com/cpu.scrape"]);

    const ambient = renderChart(CHART, { set: { storage: s3 } });
    assert.equal(containerOf(named(ambient, "StatefulSet", "phlare-dev"))["env"], undefined);
    assert.ok(!argsOf(named(ambient, "StatefulSet", "phlare-dev")).some((a) => a.startsWith("-storage.s3.access-key-id")));
  });
});

/** Dockerfile instructions, continuation lines joined. */
function dockerfile(): { op: string; rest: string }[] {
  const text = readFileSync(join(repoRoot, "Dockerfile"), "utf8").replace(/\\\n/g, " ");
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const sp = l.indexOf(" ");
      return { op: l.slice(0, sp).toUpperCase(), rest: l.slice(sp + 1).trim() };
    });
}

describe("Dockerfile", () => {
  it("builds on node:20-bookworm-slim, exposes 4100 and runs bin/phlare as a non-root user", () => {
    const ins = dockerfile();
    const arg = ins.find((i) => i.op === "ARG" && i.rest.startsWith("NODE_IMAGE="));
    assert.equal(arg?.rest, "NODE_IMAGE=node:20-bookworm-slim");
    assert.ok(ins.filter((i) => i.op === "FROM").every((i) => i.rest.startsWith("${NODE_IMAGE}")));
    assert.deepEqual(ins.filter((i) => i.op === "EXPOSE").map((i) => i.rest), ["4100"]);
    const user = ins.filter((i) => i.op === "USER").at(-1)?.rest ?? "root";
    assert.ok(!/^(root|0)(:|$)/.test(user), user);
    const entry: unknown = JSON.parse(ins.find((i) => i.op === "ENTRYPOINT")?.rest ?? "null");
    assert.deepEqual(entry, ["node", "bin/phlare"]);
    const cmd = strings(JSON.parse(ins.find((i) => i.op === "CMD")?.rest ?? "[]"));
    assertKnownFlags(cmd, "Dockerfile CMD");
    const config = loadWithArgs(cmd, readFileSync(join(repoRoot, "examples/phlare.yaml"), "utf8"), "docker");
    assert.equal(at(config, "phlaredb", "data_path"), "/data");
    assert.ok(ins.some((i) => i.op === "COPY" && i.rest === "examples/phlare.yaml /etc/phlare/config.yaml"));
  });

  it("installs the runtime packages only, takes web/dist from a build stage, and copies paths that exist", () => {
    const ins = dockerfile();
    const runs = ins.filter((i) => i.op === "RUN").map((i) => i.rest);
    assert.ok(runs.some((r) => r.includes("npm ci --omit=dev")));
    assert.ok(runs.some((r) => r.includes("npm run build")));
    const pkg: unknown = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    assert.ok(isMap(at(pkg, "dependencies")) && at(pkg, "dependencies", "tsx") !== undefined, "tsx must be a runtime dependency");
    const webPkg: unknown = JSON.parse(readFileSync(join(repoRoot, "web/package.json"), "utf8"));
    assert.equal(at(webPkg, "scripts", "build"), "vite build");
    assert.ok(ins.some((i) => i.op === "COPY" && /^--from=web \S*web\/dist \.\/web\/dist$/.test(i.rest)));
    const ignored = readFileSync(join(repoRoot, ".dockerignore"), "utf8").split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
    assert.ok(ignored.includes("**/node_modules") && ignored.includes("web/dist"));
    const copied = ins.filter((i) => i.op === "COPY" && !i.rest.startsWith("--from=")).flatMap((i) => i.rest.split(/\s+/).slice(0, -1));
    assert.ok(copied.includes("src/") && copied.includes("bin/") && copied.includes("package-lock.json"));
    for (const src of copied) {
      assert.ok(existsSync(join(repoRoot, src)), `COPY ${src}: no such path`);
      assert.ok(!ignored.some((p) => p.replace(/\/$/, "") === src.replace(/\/$/, "")), `COPY ${src}: excluded by .dockerignore`);
    }
  });
});

/** A Compose service's Phlare arguments: entrypoint after `node bin/phlare`, then command. */
function composeArgs(service: ValueMap): string[] {
  const entry = strings(service["entrypoint"]);
  const command = strings(service["command"]);
  if (entry.length === 0) return command;
  assert.deepEqual(entry.slice(0, 2), ["node", "bin/phlare"]);
  return [...entry.slice(2), ...command];
}

function compose(file: string): { services: Map<string, ValueMap>; volumes: Set<string> } {
  const doc: unknown = parseYaml(readFileSync(join(COMPOSE, file), "utf8"), { merge: true });
  assert.ok(isMap(at(doc, "services")), `${file}: no services`);
  const services = new Map<string, ValueMap>();
  for (const [k, v] of Object.entries(at(doc, "services") as ValueMap)) if (isMap(v)) services.set(k, v);
  const vols = at(doc, "volumes");
  return { services, volumes: new Set(isMap(vols) ? Object.keys(vols) : []) };
}

describe("docker compose", () => {
  for (const file of ["docker-compose.yaml", "docker-compose.monolithic.yaml"]) {
    it(`${file}: Phlare services get known flags and a config Phlare loads; references resolve`, () => {
      const { services, volumes } = compose(file);
      const phlare = [...services].filter(([, s]) => String(s["image"]).startsWith("phlare:"));
      assert.ok(phlare.length > 0);
      for (const [name, s] of phlare) {
        assert.equal(at(s, "build", "context"), "../..", name);
        const args = composeArgs(s);
        assertKnownFlags(args, `${file} ${name}`);
        assert.ok(args.includes("-phlaredb.data-path=/data"), name);
        const mount = strings(s["volumes"]).find((v) => v.split(":")[1] === "/etc/phlare/config.yaml");
        const text = mount ? readFileSync(join(COMPOSE, mount.split(":")[0] ?? ""), "utf8") : readFileSync(join(repoRoot, "examples/phlare.yaml"), "utf8");
        loadWithArgs(args, text, `compose-${name}`);
      }
      for (const [name, s] of services) {
        const deps = isMap(s["depends_on"]) ? Object.keys(s["depends_on"]) : strings(s["depends_on"]);
        for (const d of deps) assert.ok(services.has(d), `${name} depends on unknown ${d}`);
        for (const v of strings(s["volumes"])) {
          const src = v.split(":")[0] ?? "";
          if (src.startsWith(".")) assert.ok(existsSync(join(COMPOSE, src)), `${name}: ${src}`);
          else assert.ok(volumes.has(src), `${name}: undeclared volume ${src}`);
        }
        assert.doesNotMatch(String(s["image"]), /:latest$|^[^:]+$/, `${name}: pin the image tag`);
      }
    });
  }

  it("docker-compose.yaml runs every component against etcd and MinIO", () => {
    const { services } = compose("docker-compose.yaml");
    const targets = [...services.values()].filter((s) => String(s["image"]).startsWith("phlare:")).flatMap((s) => composeArgs(s).filter((a) => a.startsWith("-target=")).map((a) => a.slice(8)));
    assert.deepEqual([...new Set(targets)].sort(), Object.keys(COMPONENTS).sort());
    assert.equal(targets.filter((t) => t === "ingester").length, 3);
    const args = composeArgs(services.get("querier") ?? {});
    assert.ok(args.includes("-ring.store=etcd") && args.includes("-etcd.endpoints=etcd:2379") && args.includes("-distributor.replication-factor=3"));
    assert.match(String(services.get("etcd")?.["image"]), /^quay\.io\/coreos\/etcd:v3\.5\./);
    assert.match(String(services.get("minio")?.["image"]), /^minio\/minio:RELEASE\./);
    const config = loadWithArgs(args, readFileSync(join(COMPOSE, "config.yaml"), "utf8"), "compose-micro");
    assert.equal(at(config, "storage", "s3", "endpoint"), "minio:9000");
    assert.ok(composeArgs(services.get("agent") ?? {}).includes("-client.url=http://distributor:4100"));
  });
});

describe("flag listing", () => {
  it("the -help-all output was parsed", () => {
    assert.ok(knownFlags.has("target") && knownFlags.has("storage.s3.bucket-name") && knownFlags.has("ring.store"));
    assert.ok(knownModules.has("query-scheduler"));
  });
});
