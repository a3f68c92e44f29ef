/**
 * Test fixtures for the query-scheduler: real PhlareServers on 127.0.0.1, a real Querier
 * over an in-process Ingester holding a few hours of profiles, and a QuerierApi wrapper
 * that records the order queries start in and can hold them at a gate.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConnectRouter } from "@connectrpc/connect";
import { Registry } from "prom-client";
import { buildPprof, cpuProfile } from "../../test/helpers/pprof.js";
import { defaultLimits } from "../config/limits.js";
import { Ingester } from "../ingester/ingester.js";
import { createIngesterMetrics } from "../ingester/metrics.js";
import type { FunctionTree } from "../model/flamegraph/function-tree.js";
import { sortLabels } from "../model/labels.js";
import type { Labels } from "../model/labels.js";
import { decodePprof } from "../model/pprof/index.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import type { ProfileType } from "../model/profile-type.js";
import type { LabelQuery, SelectQuery } from "../model/query.js";
import type { QuerierApi, SeriesOptions, SeriesResult } from "../querier/api.js";
import { Querier } from "../querier/querier.js";
import { nopLogger } from "../server/logger.js";
import { createServerMetrics } from "../server/metrics.js";
import { PhlareServer } from "../server/server.js";

/** A started server. */
export interface TestServer {
  readonly server: PhlareServer;
  readonly port: number;
  /** "127.0.0.1:port". */
  readonly address: string;
  stop(): Promise<void>;
}

/** A PhlareServer on 127.0.0.1 that is not started yet (port 0 = any free one). */
export function newServer(opts: { port?: number; multitenancy?: boolean } = {}): PhlareServer {
  return new PhlareServer(
    {
      host: "127.0.0.1",
      port: opts.port ?? 0,
      pathPrefix: "",
      multitenancy: opts.multitenancy ?? false,
      rpcMaxBytes: 64 * 1024 * 1024,
      readTimeoutMs: 30_000,
      writeTimeoutMs: 30_000,
      idleTimeoutMs: 120_000,
      gracefulShutdownMs: 500,
    },
    createServerMetrics(false),
    nopLogger(),
  );
}

/** Starts a server serving the RPCs `register` adds. */
export async function startServer(register: (r: ConnectRouter) => void, opts: { port?: number; multitenancy?: boolean } = {}): Promise<TestServer> {
  const server = newServer(opts);
  server.rpc(register);
  const port = await server.start();
  return { server, port, address: `127.0.0.1:${port}`, stop: () => server.stop() };
}

/** Start of the test data, milliseconds: profiles every 20 minutes for three hours from here. */
export const DATA_START_MS = 1_700_000_000_000 - (1_700_000_000_000 % 3_600_000);
/** End of the test data, milliseconds. */
export const DATA_END_MS = DATA_START_MS + 3 * 3_600_000;

/** A Querier over an Ingester holding CPU profiles of tenants t1 and t2, two services each. */
export async function createTestQuerier(): Promise<{ querier: Querier; close: () => Promise<void> }> {
  const dataPath = mkdtempSync(join(tmpdir(), "phlare-scheduler-"));
  const ingester = new Ingester({
    limits: () => defaultLimits(),
    ringSize: () => ({ ingesters: 1, replicationFactor: 1 }),
    logger: nopLogger(),
    metrics: createIngesterMetrics(new Registry()),
    storage: { dataPath, maxBlockDurationMs: 24 * 3_600_000, maxHeadBytes: 1 << 30, localRetentionMs: 0, wal: false },
  });
  await ingester.start();
  let step = 0;
  for (let t = DATA_START_MS; t < DATA_END_MS; t += 20 * 60_000, step++) {
    for (const tenant of ["t1", "t2"]) {
      for (const service of ["svc-a", "svc-b"]) {
        const raw = buildPprof(
          cpuProfile(BigInt(t) * 1_000_000n, [
            { frames: ["main", `${service}.run`, "work"], values: [1 + step, (1 + step) * 10_000_000] },
            { frames: ["main", `${service}.run`, `io${step % 3}`], values: [2, 20_000_000] },
            { frames: ["main", "gc"], values: [step % 2, (step % 2) * 10_000_000] },
          ]),
        );
        const labels = sortLabels([
          { name: "__name__", value: "process_cpu" },
          { name: "service_name", value: service },
          { name: "region", value: step % 2 === 0 ? "eu" : "us" },
        ]);
        await ingester.push(tenant, [{ id: crypto.randomUUID(), labels, profile: decodePprof(raw), raw }]);
      }
    }
  }
  const querier = new Querier({ ingesters: () => [ingester], storeGateways: () => [] });
  return {
    querier,
    close: async () => {
      await ingester.stop();
      rmSync(dataPath, { recursive: true, force: true });
    },
  };
}

/** A QuerierApi that records `tenant:method` as each call starts and holds calls while its gate is shut. */
export class RecordingQuerier implements QuerierApi {
  /** `tenant:method`, in the order calls started. */
  readonly calls: string[] = [];
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  constructor(private readonly inner: QuerierApi) {}

  /** Calls starting from now wait until release(). */
  hold(): void {
    if (this.gate) return;
    this.gate = new Promise((resolve) => {
      this.openGate = resolve;
    });
  }

  /** Lets every held and later call through. */
  release(): void {
    this.openGate?.();
    this.gate = undefined;
    this.openGate = undefined;
  }

  profileTypes(tenant: string, q: LabelQuery): Promise<ProfileType[]> {
    return this.run(tenant, "profileTypes", () => this.inner.profileTypes(tenant, q));
  }

  labelNames(tenant: string, q: LabelQuery): Promise<string[]> {
    return this.run(tenant, "labelNames", () => this.inner.labelNames(tenant, q));
  }

  labelValues(tenant: string, name: string, q: LabelQuery): Promise<string[]> {
    return this.run(tenant, "labelValues", () => this.inner.labelValues(tenant, name, q));
  }

  series(tenant: string, q: LabelQuery, labelNames: readonly string[]): Promise<Labels[]> {
    return this.run(tenant, "series", () => this.inner.series(tenant, q, labelNames));
  }

  selectMergeTree(tenant: string, q: SelectQuery): Promise<FunctionTree> {
    return this.run(tenant, "selectMergeTree", () => this.inner.selectMergeTree(tenant, q));
  }

  selectMergeProfile(tenant: string, q: SelectQuery): Promise<FlatProfile> {
    return this.run(tenant, "selectMergeProfile", () => this.inner.selectMergeProfile(tenant, q));
  }

  selectSeries(tenant: string, q: SelectQuery, opts: SeriesOptions): Promise<SeriesResult[]> {
    return this.run(tenant, "selectSeries", () => this.inner.selectSeries(tenant, q, opts));
  }

  private async run<T>(tenant: string, method: string, call: () => Promise<T>): Promise<T> {
    this.calls.push(`${tenant}:${method}`);
    const gate = this.gate;
    if (gate) await gate;
    return call();
  }
}

/** Resolves once `cond()` holds, checking every few milliseconds; the test's own timeout bounds the wait. */
export async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}
