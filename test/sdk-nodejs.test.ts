/**
 * The real @pyroscope/nodejs SDK — 0.6.4 (raw `format=pprof`) and 0.6.1 (multipart) —
 * profiles a small workload in a child process and pushes to our server; its wall and
 * heap series are then found with the SDK's labels through /pyroscope/render (checked
 * against the flamebearer schema of @pyroscope/models) and the querier API.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FlamebearerProfileSchema } from "@pyroscope/models";
import { repoRoot } from "./helpers/child.js";
import { get } from "./helpers/api.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const WALL = "wall:wall:nanoseconds:wall:nanoseconds";

function runWorkload(pkg: string, url: string, app: string, tenant: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, "test", "fixtures", "sdk-workload.cjs"), pkg, url, app, tenant], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, DEBUG: "pyroscope" },
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`workload with ${pkg} exited with ${code}:\n${output}`));
    });
  });
}

describe("the real @pyroscope/nodejs SDK", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(["-auth.multitenancy-enabled"]);
  });
  after(() => server.stop());

  for (const [pkg, version] of [["@pyroscope/nodejs", "064"], ["pyroscope-nodejs-061", "061"]] as const) {
    it(`${pkg} (${version}) pushes wall and heap profiles we can render`, async () => {
      const app = `sdk-app-${version}`;
      const tenant = `sdk-${version}`;
      const started = Date.now();
      await runWorkload(pkg, server.url, app, tenant);

      const headers = { "x-scope-orgid": tenant };
      const types = (await server.clients({ tenant }).querier.profileTypes({})).profileTypes.map((t) => t.ID);
      assert.ok(types.includes(WALL), types.join(" "));
      assert.ok(types.some((t) => t.startsWith("memory:inuse_space:bytes")), types.join(" "));

      const series = await server.clients({ tenant }).querier.series({ matchers: [`{service_name="${app}"}`], labelNames: [] });
      const wall = series.labelsSet.map((s) => Object.fromEntries(s.labels.map((l) => [l.name, l.value]))).find((l) => l["__name__"] === "wall");
      assert.ok(wall, "a wall series");
      assert.equal(wall["region"], "eu-test");
      assert.equal(wall["pyroscope_spy"], "nodespy");
      assert.equal(wall["process_runtime_name"], "nodejs");

      const q = encodeURIComponent(`${WALL}{service_name="${app}",region="eu-test"}`);
      const res = await get(server.url, `/pyroscope/render?query=${q}&from=${started - 60_000}&until=${Date.now() + 60_000}&format=json`, headers);
      assert.equal(res.status, 200, res.text);
      const parsed = FlamebearerProfileSchema.safeParse(res.json);
      assert.ok(parsed.success, JSON.stringify(parsed.error?.issues ?? []).slice(0, 500));
      const fb = (res.json as { flamebearer: { names: string[]; numTicks: number } }).flamebearer;
      assert.ok(fb.numTicks > 0, "wall time was recorded");
      assert.ok(fb.names.some((n) => n.includes("busyWork")), `the workload's function is in the flame graph: ${fb.names.slice(0, 20).join(", ")}`);
      const timeline = (res.json as { timeline: { samples: number[] } }).timeline;
      assert.ok(timeline.samples.some((v) => v > 0), "the timeline shows the pushes");

      const heap = types.find((t) => t.startsWith("memory:inuse_space:bytes"))!;
      const hq = encodeURIComponent(`${heap}{service_name="${app}"}`);
      const hres = await get(server.url, `/pyroscope/render?query=${hq}&from=${started - 60_000}&until=${Date.now() + 60_000}`, headers);
      assert.equal(hres.status, 200, hres.text);
      assert.ok(FlamebearerProfileSchema.safeParse(hres.json).success);
      assert.ok((hres.json as { flamebearer: { numTicks: number } }).flamebearer.numTicks > 0, "heap in use was recorded");
    });
  }
});
