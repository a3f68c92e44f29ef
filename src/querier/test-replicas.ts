/**
 * Test fixtures for replication: real Ingesters with temporary data directories, each
 * behind its own PhlareServer on 127.0.0.1 serving ingester.v1, CPU profiles whose totals
 * are computed from the profiles themselves, and a poll for conditions reached asynchronously.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { buildPprof, cpuProfile } from "../../test/helpers/pprof.js";
import { defaultLimits } from "../config/limits.js";
import { Ingester } from "../ingester/ingester.js";
import { createIngesterMetrics } from "../ingester/metrics.js";
import { registerIngesterService } from "../ingester/service.js";
import { sortLabels } from "../model/labels.js";
import { decodePprof } from "../model/pprof/index.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import { parseProfileType } from "../model/profile-type.js";
import type { IngestProfile, SelectQuery } from "../model/query.js";
import { startServer } from "../query-scheduler/test-cluster.js";
import type { TestServer } from "../query-scheduler/test-cluster.js";
import { nopLogger } from "../server/logger.js";

/** The CPU profile type the test profiles carry (values in nanoseconds). */
export const CPU_NS = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";

/** A selection of CPU nanoseconds over [startMs, endMs]. */
export function cpuQuery(startMs: number, endMs: number): SelectQuery {
  return { profileType: parseProfileType(CPU_NS), matchers: [], startMs, endMs };
}

/** An Ingester served over ingester.v1 by its own server. */
export interface IngesterNode {
  readonly ingester: Ingester;
  readonly server: TestServer;
  /** host:port. */
  readonly addr: string;
  /** Stops the server (if still running) and the ingester, and removes the data directory. */
  close(): Promise<void>;
}

/** Starts an Ingester in a fresh temporary directory behind a multitenant server. */
export async function startIngesterNode(): Promise<IngesterNode> {
  const dataPath = await mkdtemp(join(tmpdir(), "phlare-replica-"));
  const ingester = new Ingester({
    limits: () => defaultLimits(),
    ringSize: () => ({ ingesters: 3, replicationFactor: 3 }),
    logger: nopLogger(),
    metrics: createIngesterMetrics(new Registry()),
    storage: { dataPath, maxBlockDurationMs: 24 * 3_600_000, maxHeadBytes: 1 << 30, localRetentionMs: 0 },
  });
  await ingester.start();
  const server = await startServer((r) => registerIngesterService(r, ingester, (tenant) => ingester.view(tenant, new Set())), { multitenancy: true });
  return {
    ingester,
    server,
    addr: server.address,
    close: async () => {
      await server.stop();
      await ingester.stop();
      await rm(dataPath, { recursive: true, force: true });
    },
  };
}

/** Starts `n` ingester nodes. */
export async function startIngesterNodes(n: number): Promise<IngesterNode[]> {
  const nodes: IngesterNode[] = [];
  for (let i = 0; i < n; i++) nodes.push(await startIngesterNode());
  return nodes;
}

/** What one test profile is. */
export interface CpuSpec {
  /** UUID; a fresh one when absent. */
  id?: string;
  timeMs: number;
  service: string;
  pod: string;
  /** CPU nanoseconds of the one stack. */
  ns: number;
  /** Function names, root first. */
  frames?: string[];
}

/** A Go-style CPU profile (samples + nanoseconds) of one stack, as the distributor hands it on. */
export function cpuIngest(s: CpuSpec): IngestProfile {
  const raw = buildPprof(cpuProfile(BigInt(s.timeMs) * 1_000_000n, [{ frames: s.frames ?? ["main", `${s.service}.run`], values: [1, s.ns] }]));
  return {
    id: s.id ?? crypto.randomUUID(),
    labels: sortLabels([
      { name: "__name__", value: "process_cpu" },
      { name: "service_name", value: s.service },
      { name: "pod", value: s.pod },
    ]),
    profile: decodePprof(raw),
    raw,
  };
}

/** A UUID made from a number, so that tests can name profiles. */
export function uuidOf(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
}

/** Sum of the `cpu` sample type over every sample of `p`, read from the profile itself. */
export function cpuNanos(p: FlatProfile): number {
  let idx = -1;
  for (let i = 0; i < p.valuesPerSample; i++) if (p.strings[p.sampleTypes[2 * i]!] === "cpu") idx = i;
  if (idx < 0) throw new Error("profile has no cpu sample type");
  let sum = 0;
  for (let s = 0; s < p.sampleCount; s++) sum += p.values[s * p.valuesPerSample + idx]!;
  return sum;
}

/** Sum of the first sample type over every sample (a merged pprof carries only the query's type). */
export function firstTypeTotal(p: FlatProfile): number {
  let sum = 0;
  for (let s = 0; s < p.sampleCount; s++) sum += p.values[s * p.valuesPerSample]!;
  return sum;
}

/** Each profile once by ID (the first seen). */
export function distinctById(list: readonly IngestProfile[]): IngestProfile[] {
  const seen = new Map<string, IngestProfile>();
  for (const p of list) if (!seen.has(p.id)) seen.set(p.id, p);
  return [...seen.values()];
}

/** The value of label `name` in `p`'s series ("" when absent). */
export function labelOf(p: IngestProfile, name: string): string {
  return p.labels.find((l) => l.name === name)?.value ?? "";
}

/** Resolves once `cond()` holds, polling; the test's own timeout bounds the wait. */
export async function eventually(cond: () => Promise<boolean>): Promise<void> {
  while (!(await cond())) await new Promise((r) => setTimeout(r, 10));
}
