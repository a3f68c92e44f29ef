/**
 * The agent as users run it: the shipped demo config scraping the server itself, the shipped
 * Kubernetes config discovering annotated pods through a Kubernetes API server, and `-target=agent`
 * pushing to another Phlare under a tenant.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { gzipWithTime } from "../bench/bench-profiles.js";
import { testdataDir } from "../src/model/pprof/test-corpus.js";
import { eventually, seriesOf, targetsJson } from "./helpers/agent-queries.js";
import { freePort, repoRoot } from "./helpers/child.js";
import { KubeApiServer, makePod } from "./helpers/kube-api.js";
import { startHttpTarget } from "./helpers/scrape-targets.js";
import type { RunningTarget } from "./helpers/scrape-targets.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

type Job = Record<string, unknown> & { static_configs?: { targets: string[] }[]; kubernetes_sd_configs?: Record<string, unknown>[] };

const ONLY_MEMORY = { pprof_config: { process_cpu: { enabled: false }, block: { enabled: false }, goroutine: { enabled: false }, mutex: { enabled: false } } };

/** A pprof endpoint serving the captured Go heap profile at /debug/pprof/allocs, stamped with the time of each request as Go does. */
function goHeapTarget(): Promise<RunningTarget> {
  const heap = gunzipSync(readFileSync(join(testdataDir, "captures/go-nethttp-pprof-heap.pb.gz")));
  return startHttpTarget((req, res) => {
    const body = gzipWithTime(heap, BigInt(Date.now()) * 1_000_000n);
    if (req.url?.startsWith("/debug/pprof/allocs")) res.writeHead(200, { "content-type": "application/octet-stream" }).end(body);
    else res.writeHead(404).end("404 page not found\n");
  });
}

describe("the demo config (examples/phlare.yaml)", { timeout: 120_000 }, () => {
  let s: TestServer;
  before(async () => {
    const port = await freePort();
    s = await startTestServer([`-config.file=${join(repoRoot, "examples/phlare.yaml")}`, `-server.http-listen-port=${port}`], {
      edit: (c) => {
        const job = c.scrape_configs[0] as Job;
        assert.deepEqual(job.static_configs?.[0]?.targets, ["127.0.0.1:4100"], "the example scrapes the default port");
        // The same job, on the port this test got and a shorter interval.
        job["scrape_interval"] = "3s";
        job.static_configs = [{ ...job.static_configs?.[0], targets: [`127.0.0.1:${port}`] }];
      },
    });
  });
  after(() => s?.stop());

  test("the server's own CPU, wall and heap profiles appear under service_name=phlare", async () => {
    const want = ["process_cpu:cpu:nanoseconds:wall:nanoseconds", "process_cpu:wall:nanoseconds:wall:nanoseconds", "memory:space:bytes:space:bytes"];
    const sets = await eventually("the server's own profiles", 60_000, async () => {
      const found = await seriesOf(s, '{service_name="phlare"}');
      const types = new Set(found.map((l) => l["__profile_type__"]));
      return want.every((t) => types.has(t)) ? found : undefined;
    });
    for (const l of sets) {
      assert.equal(l["job"], "default");
      assert.equal(l["instance"], `127.0.0.1:${s.app.port}`);
    }
    const t = await targetsJson(s);
    assert.equal(t.activeTargets.length, 2, "process_cpu and memory; the other types are disabled");
  });
});

describe("the Kubernetes config (examples/kubernetes.yaml)", { timeout: 120_000 }, () => {
  let kube: KubeApiServer;
  let target: RunningTarget;
  let s: TestServer;
  before(async () => {
    kube = new KubeApiServer();
    const apiUrl = await kube.start();
    target = await goHeapTarget();
    const port = target.address.split(":")[1] as string;
    const annotations = { "phlare.grafana.com/scrape": "true", "phlare.grafana.com/port": port };
    kube.put(makePod({ name: "checkout-1", namespace: "shop", ip: "127.0.0.1", labels: { app: "checkout" }, annotations }));
    kube.put(makePod({ name: "plain", namespace: "shop", ip: "127.0.0.2", labels: { app: "plain" } }));
    kube.put(makePod({ name: "batch-done", namespace: "shop", ip: "127.0.0.3", phase: "Succeeded", annotations }));
    s = await startTestServer([`-config.file=${join(repoRoot, "examples/kubernetes.yaml")}`], {
      edit: (c) => {
        const job = c.scrape_configs[0] as Job;
        job["scrape_interval"] = "2s";
        job["profiling_config"] = ONLY_MEMORY;
        job.kubernetes_sd_configs = [{ ...job.kubernetes_sd_configs?.[0], api_server: apiUrl }];
      },
    });
  });
  after(async () => {
    await s?.stop();
    await Promise.all([kube?.stop(), target?.stop()]);
  });

  test("the annotated running pod is scraped with its labels; the others are dropped", async () => {
    const sets = await eventually("the pod's heap profile", 60_000, async () => {
      const found = await seriesOf(s, '{job="kubernetes-pods"}');
      return found.length > 0 ? found : undefined;
    });
    for (const l of sets) {
      assert.equal(l["__name__"], "memory");
      assert.equal(l["namespace"], "shop");
      assert.equal(l["pod"], "checkout-1");
      assert.equal(l["app"], "checkout");
      assert.equal(l["instance"], target.address);
      assert.equal(l["service_name"], "shop/app", "namespace/container");
    }
    const t = await targetsJson(s);
    assert.deepEqual(t.activeTargets.map((x) => x.labels["pod"]), ["checkout-1"]);
    assert.equal(t.activeTargets[0]?.health, "HEALTH_UP");
    const dropped = new Set(t.droppedTargets.map((x) => x.discoveredLabels["__meta_kubernetes_pod_name"]));
    assert.deepEqual(dropped, new Set(["plain", "batch-done"]));
  });

  test("a deleted pod's target disappears", async () => {
    kube.delete("shop", "checkout-1");
    await eventually("no active target", 10_000, async () => ((await targetsJson(s)).activeTargets.length === 0 ? true : undefined));
  });
});

describe("-target=agent pushes to client.url under client.tenant_id", { timeout: 120_000 }, () => {
  let receiver: TestServer;
  let agent: TestServer;
  let target: RunningTarget;
  before(async () => {
    target = await goHeapTarget();
    receiver = await startTestServer(["-auth.multitenancy-enabled=true"]);
    agent = await startTestServer(["-target=agent", `-client.url=${receiver.url}`, "-client.tenant-id=team-a"], {
      edit: (c) => {
        c.scrape_configs = [{ job_name: "remote", scrape_interval: "2s", static_configs: [{ targets: [target.address], labels: { service_name: "billing" } }], profiling_config: ONLY_MEMORY }];
      },
    });
  });
  after(async () => {
    await agent?.stop();
    await receiver?.stop();
    await target?.stop();
  });

  test("the profiles land in the tenant, and the agent process serves its targets", async () => {
    const sets = await eventually("series in tenant team-a", 60_000, async () => {
      const found = await seriesOf(receiver, '{service_name="billing"}', "team-a");
      return found.length > 0 ? found : undefined;
    });
    assert.ok(sets.every((l) => l["job"] === "remote" && l["instance"] === target.address));
    assert.deepEqual(await seriesOf(receiver, '{service_name="billing"}', "someone-else"), []);
    const t = await targetsJson(agent);
    assert.equal(t.activeTargets[0]?.health, "HEALTH_UP");
  });
});
