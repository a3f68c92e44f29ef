/**
 * The ingester: one head per tenant, created on first push. It enforces the
 * per-tenant active-series limit and answers queries over its heads.
 */
import type { Limits } from "../config/limits.js";
import { FunctionTree } from "../model/flamegraph/function-tree.js";
import type { Labels } from "../model/labels.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import type { ProfileType } from "../model/profile-type.js";
import type { IngestProfile, LabelQuery, ProfileTotals, SelectQuery } from "../model/query.js";
import type { Logger } from "../server/logger.js";
import { Head } from "../storage/head/head.js";
import { MemBlockReader } from "../storage/query/mem-block-reader.js";
import { PprofBuilder } from "../storage/query/pprof-builder.js";
import type { IngesterApi } from "./api.js";
import type { IngesterMetrics } from "./metrics.js";

/** What the ingester needs from the rest of the process. */
export interface IngesterDeps {
  limits: (tenant: string) => Limits;
  /** Ingesters in the ring and the replication factor, for the global series limit. */
  ringSize: () => { ingesters: number; replicationFactor: number };
  logger: Logger;
  metrics: IngesterMetrics;
  nowMs?: () => number;
}

/** How often inactive series are swept out of the active count. */
const SWEEP_INTERVAL_MS = 60_000;

interface Instance {
  head: Head;
  reader: MemBlockReader;
}

/** The in-process ingester. */
export class Ingester implements IngesterApi {
  private readonly instances = new Map<string, Instance>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly deps: IngesterDeps) {}

  /** Starts background work (inactive-series sweeping). */
  start(): void {
    this.sweeper = setInterval(() => {
      for (const [tenant, inst] of this.instances) {
        inst.head.sweepInactive();
        this.deps.metrics.activeSeries.set({ tenant }, inst.head.activeSeriesCount);
      }
    }, SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  /** Stops background work. */
  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  async push(tenant: string, profiles: IngestProfile[]): Promise<void> {
    const inst = this.instance(tenant);
    for (const p of profiles) {
      inst.head.ingest(p);
      this.deps.metrics.ingestedProfiles.inc({ tenant });
    }
    this.deps.metrics.activeSeries.set({ tenant }, inst.head.activeSeriesCount);
  }

  async profileTypes(tenant: string, q: LabelQuery): Promise<ProfileType[]> {
    return (await this.reader(tenant)?.profileTypes(q)) ?? [];
  }

  async labelNames(tenant: string, q: LabelQuery): Promise<string[]> {
    return (await this.reader(tenant)?.labelNames(q)) ?? [];
  }

  async labelValues(tenant: string, name: string, q: LabelQuery): Promise<string[]> {
    return (await this.reader(tenant)?.labelValues(name, q)) ?? [];
  }

  async series(tenant: string, q: LabelQuery, labelNames: readonly string[]): Promise<Labels[]> {
    return (await this.reader(tenant)?.series(q, labelNames)) ?? [];
  }

  async mergeTree(tenant: string, q: SelectQuery): Promise<FunctionTree> {
    const tree = new FunctionTree();
    await this.reader(tenant)?.mergeTree(q, tree);
    return tree;
  }

  async mergePprof(tenant: string, q: SelectQuery): Promise<FlatProfile> {
    const builder = new PprofBuilder();
    await this.reader(tenant)?.mergePprof(q, builder);
    return builder.build(q.profileType, BigInt(q.endMs) * 1_000_000n, BigInt(q.endMs - q.startMs) * 1_000_000n, 0);
  }

  async profileTotals(tenant: string, q: SelectQuery, by: readonly string[]): Promise<ProfileTotals> {
    const r = this.reader(tenant);
    if (!r) return { groups: [], group: new Uint32Array(0), timeMs: new Float64Array(0), value: new Float64Array(0) };
    return r.profileTotals(q, by);
  }

  /** The tenant's maximum active series on this ingester (0 = unlimited), as Phlare's limiter computes it. */
  maxSeries(tenant: string): number {
    const l = this.deps.limits(tenant);
    const { ingesters, replicationFactor } = this.deps.ringSize();
    const local = l.max_local_series_per_tenant;
    const global = l.max_global_series_per_tenant > 0 ? Math.floor((l.max_global_series_per_tenant / Math.max(1, ingesters)) * replicationFactor) : 0;
    if (local > 0 && global > 0) return Math.min(local, global);
    return local > 0 ? local : global;
  }

  private instance(tenant: string): Instance {
    let inst = this.instances.get(tenant);
    if (!inst) {
      const head = new Head({ maxSeries: () => this.maxSeries(tenant), nowMs: this.deps.nowMs ?? (() => Date.now()) });
      inst = { head, reader: new MemBlockReader(head) };
      this.instances.set(tenant, inst);
      this.deps.logger.info("created tenant head", { tenant });
    }
    return inst;
  }

  private reader(tenant: string): MemBlockReader | undefined {
    return this.instances.get(tenant)?.reader;
  }
}
