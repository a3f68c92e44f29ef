/**
 * The agent against real targets: a Go program serving net/http/pprof (built here), a Node process
 * exporting @datadog/pprof profiles, and targets that hang, send garbage, send a huge body, answer
 * 500 or refuse connections. Their series must appear with the expected labels and profile types,
 * CPU must cover the scrape interval, and /api/v1/targets and GetTargets must say which target is up
 * and why another is down.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AgentService, Health, State } from "../src/gen/agent/v1/agent_pb.js";
import { freePort } from "./helpers/child.js";
import { eventually, seriesOf, targetsJson } from "./helpers/agent-queries.js";
import { goAvailable, startBadTargets, startDatadogTarget, startGoTarget } from "./helpers/scrape-targets.js";
import type { RunningTarget } from "./helpers/scrape-targets.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const HOUR = 3_600_000;

const ONLY_MEMORY = { pprof_config: { process_cpu: { enabled: false }, block: { enabled: false }, goroutine: { enabled: false }, mutex: { enabled: false } } };

describe("agent scraping real targets", { skip: goAvailable ? false : "go is not installed", timeout: 240_000 }, () => {
  let go: RunningTarget;
  let node: RunningTarget;
  let bad: Awaited<ReturnType<typeof startBadTargets>>;
  let deadAddress: string;
  let s: TestServer;

  before(async () => {
    [go, node, bad] = await Promise.all([startGoTarget(), startDatadogTarget(), startBadTargets()]);
    deadAddress = `127.0.0.1:${await freePort()}`;
    s = await startTestServer([], {
      edit: (c) => {
        c.scrape_configs = [
          { job_name: "go", scrape_interval: "3s", static_configs: [{ targets: [go.address], labels: { env: "test" } }] },
          {
            job_name: "node",
            scrape_interval: "3s",
            static_configs: [{ targets: [node.address], labels: { service_name: "node-app" } }],
            profiling_config: { pprof_config: { block: { enabled: false }, goroutine: { enabled: false }, mutex: { enabled: false }, memory: { path: "/debug/pprof/heap" } } },
          },
          {
            job_name: "bad",
            scrape_interval: "2s",
            scrape_timeout: "3s",
            static_configs: [{ targets: [bad.slow.address, bad.garbage.address, bad.huge.address, bad.failing.address, deadAddress] }],
            profiling_config: ONLY_MEMORY,
          },
          {
            job_name: "dropped",
            static_configs: [{ targets: ["10.0.0.1:6060"] }],
            relabel_configs: [{ source_labels: ["__address__"], regex: "10\\..*", action: "drop" }],
          },
        ];
      },
    });
  });

  after(async () => {
    await s?.stop();
    await Promise.all([go?.stop(), node?.stop(), bad?.slow.stop(), bad?.garbage.stop(), bad?.huge.stop(), bad?.failing.stop()]);
  });

  test("the Go target's five profile types arrive with job, instance and service_name", async () => {
    // alloc_* are cumulative in Go: the server keeps the first profile as the base of its delta, so they come with the second scrape.
    const want = [
      "process_cpu:cpu:nanoseconds:cpu:nanoseconds",
      "process_cpu:samples:count:cpu:nanoseconds",
      "memory:alloc_space:bytes:space:bytes",
      "memory:inuse_space:bytes:space:bytes",
      "goroutine:goroutine:count:goroutine:count",
      "mutex:delay:nanoseconds:contentions:count",
      "block:delay:nanoseconds:contentions:count",
    ];
    const sets = await eventually("every Go profile type", 60_000, async () => {
      const found = await seriesOf(s, '{job="go"}');
      const have = new Set(found.map((l) => l["__profile_type__"]));
      return want.every((t) => have.has(t)) ? found : undefined;
    });
    assert.deepEqual(new Set(sets.map((l) => l["__name__"])), new Set(["block", "goroutine", "memory", "mutex", "process_cpu"]));
    const internal = new Set(["__name__", "__profile_type__", "__type__", "__unit__", "__period_type__", "__period_unit__", "__delta__", "__service_name__"]);
    for (const l of sets) {
      assert.equal(l["job"], "go");
      assert.equal(l["instance"], go.address);
      assert.equal(l["service_name"], "unspecified");
      assert.equal(l["env"], "test");
      const leaked = Object.keys(l).filter((k) => k.startsWith("__") && !internal.has(k));
      assert.deepEqual(leaked, [], JSON.stringify(l));
    }
  });

  test("each Go CPU profile covers interval − 1 s of one busy goroutine", async () => {
    const res = await eventually("three CPU profiles", 60_000, async () => {
      const now = Date.now();
      const r = await s.clients().querier.selectSeries({ profileTypeID: "process_cpu:cpu:nanoseconds:cpu:nanoseconds", labelSelector: '{job="go"}', start: BigInt(now - HOUR), end: BigInt(now + 60_000), step: 1 });
      const points = r.series.flatMap((x) => x.points);
      return points.length >= 3 ? points : undefined;
    });
    // seconds=2 for a 3 s interval: one busy goroutine gives at most about 2 s of CPU per profile (a
    // 30 s profile, or overlapping ones, would give more). How much of a core it got depends on the
    // load on the box, so the lower bound only asks for a profile that saw it run.
    for (const p of res) assert.ok(p.value > 0.05 * 2e9 && p.value <= 1.25 * 2e9, `CPU ${p.value} ns outside (0.1 s, 2.5 s]`);
  });

  test("the Node target's @datadog/pprof wall and heap profiles arrive", async () => {
    const sets = await eventually("node wall and heap", 60_000, async () => {
      const found = await seriesOf(s, '{job="node"}');
      const names = new Set(found.map((l) => l["__name__"]));
      return names.has("process_cpu") && names.has("memory") ? found : undefined;
    });
    for (const l of sets) {
      assert.equal(l["service_name"], "node-app");
      assert.equal(l["instance"], node.address);
    }
    const types = new Set(sets.map((l) => l["__profile_type__"]));
    assert.ok(types.has("process_cpu:wall:nanoseconds:wall:nanoseconds"), [...types].join(", "));
    assert.ok(types.has("memory:space:bytes:space:bytes"), [...types].join(", "));
  });

  test("/api/v1/targets: good targets up, each bad one down with its own error, dropped ones listed", async () => {
    const errors = await eventually("every bad target down", 60_000, async () => {
      const t = await targetsJson(s);
      const badOnes = t.activeTargets.filter((x) => x.scrapePool === "bad");
      return badOnes.length === 5 && badOnes.every((x) => x.health === "HEALTH_DOWN") ? new Map(badOnes.map((x) => [x.labels["instance"], x.lastError])) : undefined;
    });
    assert.match(errors.get(bad.slow.address) ?? "", /timeout/);
    assert.match(errors.get(bad.garbage.address) ?? "", /push: .*(invalid|decode|profile)/i);
    assert.match(errors.get(bad.huge.address) ?? "", /exceeds the limit of 33554432 bytes/);
    assert.match(errors.get(bad.failing.address) ?? "", /server returned HTTP status 500/);
    assert.match(errors.get(deadAddress) ?? "", /ECONNREFUSED/);

    const t = await eventually("the go targets up", 30_000, async () => {
      const all = await targetsJson(s);
      const goOnes = all.activeTargets.filter((x) => x.scrapePool === "go");
      return goOnes.length === 5 && goOnes.every((x) => x.health === "HEALTH_UP") ? all : undefined;
    });
    const cpu = t.activeTargets.find((x) => x.scrapePool === "go" && x.labels["__name__"] === "process_cpu");
    assert.ok(cpu);
    assert.equal(cpu.scrapeUrl, `http://${go.address}/debug/pprof/profile?seconds=2`);
    assert.equal(cpu.scrapeInterval, "3s");
    assert.equal(cpu.scrapeTimeout, "6s");
    assert.equal(cpu.lastError, "");
    assert.ok(cpu.lastScrape !== null && Date.parse(cpu.lastScrape) > Date.now() - 60_000);
    assert.equal(cpu.discoveredLabels["__address__"], go.address);
    assert.equal(cpu.labels["job"], "go");
    assert.equal(t.droppedTargets.length, 5, "the dropped job's five profile types");
    assert.ok(t.droppedTargets.every((x) => x.discoveredLabels["__address__"] === "10.0.0.1:6060" && x.scrapePool === "dropped"));

    const active = await targetsJson(s, "STATE_ACTIVE");
    assert.equal(active.droppedTargets.length, 0);
    assert.ok(active.activeTargets.length > 0);
    const dropped = await targetsJson(s, "STATE_DROPPED");
    assert.equal(dropped.activeTargets.length, 0);
    assert.equal(dropped.droppedTargets.length, 5);
    const badState = await fetch(`${s.url}/api/v1/targets?state=BOGUS`);
    assert.equal(badState.status, 400);
    assert.match(await badState.text(), /invalid state "BOGUS"/);
  });

  test("agent.v1.AgentService/GetTargets answers over Connect", async () => {
    const client = createClient(AgentService, createConnectTransport({ baseUrl: s.url, httpVersion: "1.1" }));
    const res = await client.getTargets({ state: State.ACTIVE });
    assert.equal(res.droppedTargets.length, 0);
    const goCpu = res.activeTargets.find((x) => x.scrapePool === "go" && x.labels["__name__"] === "process_cpu");
    assert.ok(goCpu);
    assert.equal(goCpu.health, Health.UP);
    assert.equal(goCpu.scrapeInterval?.seconds, 3n);
  });
});
