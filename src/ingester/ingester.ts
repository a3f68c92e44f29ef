/**
 * The ingester: one TenantDb per tenant (WAL, head, local blocks), created on
 * first push or found on disk at start-up; a loop cuts heads into blocks by age
 * and size; a shipper per tenant uploads finished blocks, after which their WAL
 * segments are deleted and, once out of the query window, the local copies.
 */
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Limits } from "../config/limits.js";
import { FunctionTree } from "../model/flamegraph/function-tree.js";
import type { Labels } from "../model/labels.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import type { ProfileType } from "../model/profile-type.js";
import type { IngestProfile, LabelQuery, ProfileTotals, SelectQuery } from "../model/query.js";
import type { Bucket } from "../objstore/bucket.js";
import type { Logger } from "../server/logger.js";
import { validateTenantId } from "../server/tenant.js";
import type { BlockReader } from "../storage/block-reader.js";
import { PprofBuilder } from "../storage/query/pprof-builder.js";
import type { BlockWorkers } from "../storage/block/block-workers.js";
import type { WalOptions } from "../storage/wal/index.js";
import type { IngesterApi } from "./api.js";
import type { IngesterMetrics } from "./metrics.js";
import { Shipper } from "./shipper.js";
import { TenantDb } from "./tenant-db.js";
import type { LocalBlock } from "./tenant-db.js";

/** Where and how the ingester keeps data. */
export interface IngesterStorageOptions {
  /** `-phlaredb.data-path`: one directory per tenant below it. */
  dataPath: string;
  maxBlockDurationMs: number;
  maxHeadBytes: number;
  /** How long an uploaded local block stays for queries (the ingester answers the recent window). */
  localRetentionMs: number;
  /**
   * How long a block must have been in the bucket before its local copy is dropped: long
   * enough for the store-gateways to have synced it, so that it never falls out of queries.
   */
  dropAfterUploadMs?: number;
  /** WAL settings; false keeps profiles in memory only (a benchmark baseline, never a server setting). */
  wal?: Partial<WalOptions> | false;
}

/** What the ingester needs from the rest of the process. */
export interface IngesterDeps {
  limits: (tenant: string) => Limits;
  /** Ingesters in the ring and the replication factor, for the global series limit. */
  ringSize: () => { ingesters: number; replicationFactor: number };
  logger: Logger;
  metrics: IngesterMetrics;
  storage: IngesterStorageOptions;
  /** Object storage blocks are shipped to; none keeps them local only. */
  bucket?: Bucket;
  /** Where blocks are encoded and decoded (inline when not given). */
  workers?: BlockWorkers;
  nowMs?: () => number;
}

const NO_BLOCKS: ReadonlySet<string> = new Set();

/** How often heads are checked for a cut and uploaded blocks for removal. */
const TICK_MS = 5_000;

interface Tenant {
  db: TenantDb;
  shipper: Shipper | undefined;
}

/** The in-process ingester. */
export class Ingester implements IngesterApi {
  private readonly tenants = new Map<string, Promise<Tenant>>();
  private ticker: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(private readonly deps: IngesterDeps) {}

  /** Opens every tenant found on disk (replaying its WAL), then starts the cut/ship loop. */
  async start(): Promise<void> {
    let names: string[] = [];
    try {
      // Tenants are directories; files beside them (a ring tokens file, say) are not.
      names = (await readdir(this.deps.storage.dataPath, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      // No data directory yet: nothing to replay.
    }
    for (const name of names) {
      if (!isTenantDir(name)) continue;
      try {
        await this.tenant(name);
      } catch (err) {
        this.deps.logger.error("opening tenant data failed", { tenant: name, err: (err as Error).message });
        throw err;
      }
    }
    this.ticker = setInterval(() => void this.tick(), TICK_MS);
    this.ticker.unref();
  }

  /** Flushes every head into a block, tries to ship, and closes the WALs (graceful shutdown). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.ticker) clearInterval(this.ticker);
    for (const t of await Promise.all(this.tenants.values())) {
      await t.db.close();
      if (t.shipper) {
        // One attempt: what cannot be uploaded now stays local with its WAL and ships at the next start.
        await t.shipper.sync();
        t.shipper.stop();
      }
    }
  }

  /** Cuts every tenant's head into a block now and uploads it (ingester.v1 Flush). */
  async flush(): Promise<void> {
    for (const t of await Promise.all(this.tenants.values())) {
      await t.db.flush();
      await t.shipper?.sync();
    }
  }

  async push(tenant: string, profiles: IngestProfile[]): Promise<void> {
    const t = await this.tenant(tenant);
    await t.db.push(profiles);
    this.deps.metrics.ingestedProfiles.inc({ tenant }, profiles.length);
  }

  async profileTypes(tenant: string, q: LabelQuery): Promise<ProfileType[]> {
    return (await this.reader(tenant))?.profileTypes(q) ?? [];
  }

  async labelNames(tenant: string, q: LabelQuery): Promise<string[]> {
    return (await this.reader(tenant))?.labelNames(q) ?? [];
  }

  async labelValues(tenant: string, name: string, q: LabelQuery): Promise<string[]> {
    return (await this.reader(tenant))?.labelValues(name, q) ?? [];
  }

  async series(tenant: string, q: LabelQuery, labelNames: readonly string[]): Promise<Labels[]> {
    return (await this.reader(tenant))?.series(q, labelNames) ?? [];
  }

  async mergeTree(tenant: string, q: SelectQuery): Promise<FunctionTree> {
    const tree = new FunctionTree();
    await (await this.reader(tenant))?.mergeTree(q, tree);
    return tree;
  }

  async mergePprof(tenant: string, q: SelectQuery): Promise<FlatProfile> {
    const builder = new PprofBuilder();
    await (await this.reader(tenant))?.mergePprof(q, builder);
    return builder.build(q.profileType, BigInt(q.endMs) * 1_000_000n, BigInt(q.endMs - q.startMs) * 1_000_000n, 0);
  }

  async profileTotals(tenant: string, q: SelectQuery, by: readonly string[]): Promise<ProfileTotals> {
    const r = await this.reader(tenant);
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

  /** Tenants with data on this ingester. */
  async tenantIds(): Promise<string[]> {
    return [...this.tenants.keys()].sort();
  }

  private tenant(id: string): Promise<Tenant> {
    let t = this.tenants.get(id);
    if (!t) {
      t = this.openTenant(id);
      this.tenants.set(id, t);
      t.catch(() => this.tenants.delete(id));
    }
    return t;
  }

  private async openTenant(tenant: string): Promise<Tenant> {
    const dir = join(this.deps.storage.dataPath, tenant);
    let shipper: Shipper | undefined;
    const db = await TenantDb.open({
      dir,
      maxBlockDurationMs: this.deps.storage.maxBlockDurationMs,
      maxHeadBytes: this.deps.storage.maxHeadBytes,
      maxSeries: () => this.maxSeries(tenant),
      logger: this.deps.logger.with({ tenant }),
      ...(this.deps.storage.wal !== undefined ? { wal: this.deps.storage.wal } : {}),
      ...(this.deps.nowMs ? { nowMs: this.deps.nowMs } : {}),
      onBlock: (b) => shipper?.enqueue(b),
      ...(this.deps.workers ? { workers: this.deps.workers } : {}),
    });
    if (this.deps.bucket) {
      shipper = await Shipper.open(this.deps.bucket, tenant, join(dir, "local"), db.localBlocks, this.deps.logger, (b) => this.afterUpload(db, shipper!, b));
      void shipper.sync();
    }
    return { db, shipper };
  }

  /** Deletes the WAL segments every uploaded block (in order) covers. */
  private async afterUpload(db: TenantDb, shipper: Shipper, _b: LocalBlock): Promise<void> {
    let upTo = 0;
    for (const b of [...db.localBlocks].sort((x, y) => x.walLast - y.walLast)) {
      if (!shipper.isUploaded(b.block.meta.ulid)) break;
      upTo = Math.max(upTo, b.walLast);
    }
    if (upTo > 0) await db.deleteWalBefore(upTo + 1);
  }

  private async tick(): Promise<void> {
    if (this.stopping) return;
    const now = this.deps.nowMs?.() ?? Date.now();
    for (const [id, p] of this.tenants) {
      let t: Tenant;
      try {
        t = await p;
      } catch {
        continue;
      }
      try {
        t.db.sweepInactive();
        this.deps.metrics.activeSeries.set({ tenant: id }, t.db.activeSeriesCount);
        if (t.db.due()) await t.db.flush();
        for (const b of [...t.db.localBlocks]) {
          const shipped = t.shipper?.uploadedFor(b.block.meta.ulid, this.deps.storage.dropAfterUploadMs ?? 0, now) ?? false;
          if (shipped && b.block.meta.maxTimeMs < now - this.deps.storage.localRetentionMs) {
            await t.db.dropBlock(b, (dir) => rm(dir, { recursive: true, force: true }));
          }
        }
      } catch (err) {
        this.deps.logger.error("flushing head failed", { tenant: id, err: (err as Error).message });
      }
    }
  }

  /**
   * A reader over the tenant's head and local blocks, leaving out the blocks in
   * `exclude` (those a store-gateway answers for); undefined for an unknown tenant.
   */
  async view(tenant: string, exclude: ReadonlySet<string>): Promise<BlockReader | undefined> {
    const t = this.tenants.get(tenant);
    return t ? (await t).db.readerExcluding(exclude) : undefined;
  }

  private async reader(tenant: string): Promise<BlockReader | undefined> {
    return this.view(tenant, NO_BLOCKS);
  }
}

/** Whether a directory name under the data path is a tenant's (not the bucket or other files). */
function isTenantDir(name: string): boolean {
  if (name === "bucket" || name.startsWith(".")) return false;
  try {
    validateTenantId(name);
    return true;
  } catch {
    return false;
  }
}
