/**
 * The in-process distributor and ingester the end-to-end benchmarks push through,
 * with limits that never throttle a benchmark.
 */
import { Registry } from "prom-client";
import { defaultLimits } from "../src/config/limits.js";
import type { Limits } from "../src/config/limits.js";
import type { DecodePool } from "../src/distributor/decode-pool.js";
import { Distributor } from "../src/distributor/distributor.js";
import { createDistributorMetrics } from "../src/distributor/metrics.js";
import { Ingester } from "../src/ingester/ingester.js";
import { createIngesterMetrics } from "../src/ingester/metrics.js";
import { nopLogger } from "../src/server/logger.js";

/** Limits that never throttle or cap a benchmark. */
export function unthrottledLimits(): Limits {
  return { ...defaultLimits(), ingestion_rate_mb: 1e9, ingestion_burst_size_mb: 1e9, max_global_series_per_tenant: 0, max_local_series_per_tenant: 0 };
}

/** An ingester under `dataPath` whose head is never cut; `wal: false` keeps profiles in memory only. */
export function benchIngester(dataPath: string, wal: boolean, registry = new Registry()): Ingester {
  const limits = unthrottledLimits();
  return new Ingester({
    limits: () => limits,
    ringSize: () => ({ ingesters: 1, replicationFactor: 1 }),
    logger: nopLogger(),
    metrics: createIngesterMetrics(registry),
    storage: { dataPath, maxBlockDurationMs: 1e15, maxHeadBytes: Number.MAX_SAFE_INTEGER, localRetentionMs: 0, ...(wal ? {} : { wal: false as const }) },
  });
}

/** A distributor in front of `ingester`, decoding on `decoder`'s workers when given. */
export function benchDistributor(ingester: Ingester, registry = new Registry(), decoder?: DecodePool): Distributor {
  const limits = unthrottledLimits();
  return new Distributor({
    ingester,
    limits: () => limits,
    healthyDistributors: () => 1,
    metrics: createDistributorMetrics(registry),
    ...(decoder ? { decoder } : {}),
  });
}
