import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Registry } from "prom-client";
import { buildPprof, cpuProfile } from "../../test/helpers/pprof.js";
import { defaultLimits } from "../config/limits.js";
import { sortLabels } from "../model/labels.js";
import { decodePprof } from "../model/pprof/index.js";
import { nopLogger } from "../server/logger.js";
import { Ingester } from "./ingester.js";
import type { IngesterStorageOptions } from "./ingester.js";
import { createIngesterMetrics } from "./metrics.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function ingester(storage: Partial<IngesterStorageOptions>): { ing: Ingester; dataPath: string } {
  const dataPath = mkdtempSync(join(tmpdir(), "phlare-ingester-"));
  dirs.push(dataPath);
  const ing = new Ingester({
    limits: () => defaultLimits(),
    ringSize: () => ({ ingesters: 1, replicationFactor: 1 }),
    logger: nopLogger(),
    metrics: createIngesterMetrics(new Registry()),
    storage: { dataPath, maxBlockDurationMs: 3_600_000, maxHeadBytes: 1 << 30, localRetentionMs: 0, ...storage },
  });
  return { ing, dataPath };
}

async function pushOne(ing: Ingester): Promise<void> {
  const raw = buildPprof(cpuProfile(1_700_000_000_000n * 1_000_000n, [{ frames: ["main"], values: [1, 10] }]));
  await ing.push("t1", [{ id: crypto.randomUUID(), labels: sortLabels([{ name: "__name__", value: "process_cpu" }, { name: "service_name", value: "svc" }]), profile: decodePprof(raw), raw }]);
}

describe("Ingester storage options", () => {
  it("writes a WAL by default", async () => {
    const { ing, dataPath } = ingester({});
    await pushOne(ing);
    assert.ok(existsSync(join(dataPath, "t1", "wal")), "wal directory");
    await ing.stop();
  });

  it("keeps profiles in memory only with wal: false", async () => {
    const { ing, dataPath } = ingester({ wal: false });
    await pushOne(ing);
    assert.equal(existsSync(join(dataPath, "t1", "wal")), false, "no wal directory");
    await ing.stop();
  });
});

describe("Ingester start", () => {
  it("opens tenant directories and leaves files beside them alone (a ring tokens file)", async () => {
    const { ing, dataPath } = ingester({});
    await pushOne(ing);
    await ing.stop();
    writeFileSync(join(dataPath, "tokens.json"), '{"tokens":[1,2,3]}');
    const again = new Ingester({
      limits: () => defaultLimits(),
      ringSize: () => ({ ingesters: 1, replicationFactor: 1 }),
      logger: nopLogger(),
      metrics: createIngesterMetrics(new Registry()),
      storage: { dataPath, maxBlockDurationMs: 3_600_000, maxHeadBytes: 1 << 30, localRetentionMs: 0 },
    });
    await again.start();
    const types = await again.profileTypes("t1", { selectors: [] });
    assert.deepEqual(types.map((t) => t.name), ["process_cpu", "process_cpu"]);
    assert.deepEqual(await again.profileTypes("tokens.json", { selectors: [] }), []);
    await again.stop();
  });
});
