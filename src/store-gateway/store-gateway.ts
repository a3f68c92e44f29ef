/**
 * The store-gateway: answers queries over the blocks in object storage. Per
 * tenant it keeps the visible blocks (complete, not marked for deletion, not
 * replaced by a compacted block) open, which costs only meta.json and index.bin
 * each; a block's profiles, samples and symbols are loaded on the first merge
 * that selects something in it and unloaded, least recently used first, when the
 * loaded data of all blocks together passes `maxLoadedBytes`.
 */
import { CorruptionError } from "../model/errors.js";
import { FunctionTree } from "../model/flamegraph/function-tree.js";
import type { Labels } from "../model/labels.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import type { ProfileType } from "../model/profile-type.js";
import type { LabelQuery, ProfileTotals, SelectedProfile, SelectQuery } from "../model/query.js";
import type { Bucket } from "../objstore/bucket.js";
import type { Logger } from "../server/logger.js";
import { bucketSource, listBucketBlocks, listBucketTenants, visibleBlocks } from "../storage/block/bucket-blocks.js";
import type { BucketBlock } from "../storage/block/bucket-blocks.js";
import type { BlockMeta } from "../storage/block/meta.js";
import type { BlockWorkers } from "../storage/block/block-workers.js";
import { OpenBlock } from "../storage/block/open-block.js";
import type { LoadListener } from "../storage/block/open-block.js";
import { MultiReader } from "../storage/query/multi-reader.js";
import type { BlockReader } from "../storage/block-reader.js";
import { PprofBuilder } from "../storage/query/pprof-builder.js";
import type { StoreGatewayApi } from "./api.js";

/** Tuning of a store-gateway. */
export interface StoreGatewayOptions {
  /** How often the bucket is listed for new and removed blocks. */
  syncIntervalMs: number;
  /** Blocks whose maxTime is within this much of now are not opened; 0 opens every block. */
  ignoreBlocksWithinMs: number;
  /** Bound on the loaded data of all blocks together (bytes). */
  maxLoadedBytes: number;
}

/** Phlare's sync interval, no age filter, 1 GiB of loaded block data. */
export function defaultStoreGatewayOptions(): StoreGatewayOptions {
  return { syncIntervalMs: 15 * 60_000, ignoreBlocksWithinMs: 0, maxLoadedBytes: 1 << 30 };
}

/** What a store-gateway needs from the rest of the process. */
export interface StoreGatewayDeps {
  bucket: Bucket;
  logger: Logger;
  options?: Partial<StoreGatewayOptions>;
  /** Wall clock (ms), injectable for tests. */
  nowMs?: () => number;
  /** Where loaded blocks are decoded (inline when not given). */
  workers?: BlockWorkers;
  /** Whether this store-gateway answers for a block (its ring shard); all blocks when absent. */
  owns?: (ulid: string) => boolean;
}

/** One tenant as the status pages show it. */
export interface TenantStatus {
  tenant: string;
  blocks: number;
  loadedBlocks: number;
  loadedBytes: number;
  /** Blocks left out because they could not be opened. */
  skippedBlocks: number;
  /** End of the last successful sync (ms since epoch). */
  lastSyncMs?: number;
  /** Why the last sync failed; absent when it succeeded. */
  lastSyncError?: string;
}

/** One open block as the status pages show it. */
export interface BlockStatus {
  meta: BlockMeta;
  /** Sum of the sizes of its files, from meta.json. */
  sizeBytes: number;
  /** Bytes of its loaded data; 0 when not loaded. */
  loadedBytes: number;
}

/** A block that could not be opened, and why. */
export interface SkippedBlock {
  ulid: string;
  error: string;
}

interface BlockEntry {
  readonly block: OpenBlock;
  /** Recency of the last query that selected the block's time range; the smallest is evicted first. */
  useSeq: number;
}

interface TenantState {
  /** By ULID; replaced as a whole by a sync, so a query sees one consistent set. */
  blocks: Map<string, BlockEntry>;
  /** The same blocks ordered by minTime, then ULID. */
  ordered: BlockEntry[];
  /**
   * Blocks whose files are corrupt. Objects are immutable, so they are not
   * retried until they leave the bucket; other open failures are retried each sync.
   */
  corrupt: Map<string, string>;
  lastSyncMs?: number;
  lastSyncError?: string;
}

// Phlare's -blocks-storage.bucket-store.tenant-sync-concurrency default.
const TENANT_SYNC_CONCURRENCY = 10;
// Each open reads meta.json's sibling index.bin: a few requests in flight keep the sync short without a burst.
const BLOCK_OPEN_CONCURRENCY = 8;

/** The in-process store-gateway. */
export class StoreGateway implements StoreGatewayApi {
  private readonly options: StoreGatewayOptions;
  private readonly tenants = new Map<string, TenantState>();
  /** Every block of every tenant, for the cache bound. */
  private readonly entries = new Map<OpenBlock, BlockEntry>();
  private useCounter = 0;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Blocks unloaded to honour the bound since start. */
  evictions = 0;
  /** End of the last sync whose tenant listing succeeded (ms since epoch). */
  lastSyncMs: number | undefined;
  /** Why the last tenant listing failed; absent when it succeeded. */
  lastSyncError: string | undefined;

  constructor(private readonly deps: StoreGatewayDeps) {
    this.options = { ...defaultStoreGatewayOptions(), ...deps.options };
  }

  /** Syncs once (a failure is logged, not thrown), then every syncIntervalMs. */
  async start(): Promise<void> {
    await this.sync();
    if (this.stopped) return;
    this.timer = setInterval(() => void this.sync(), this.options.syncIntervalMs);
    this.timer.unref();
  }

  /** Stops syncing, waits for a sync in progress, and unloads every block. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.queued;
    await this.running;
    for (const e of this.entries.values()) e.block.unload();
    this.entries.clear();
    this.tenants.clear();
  }

  /**
   * Lists the bucket and brings every tenant's blocks up to date. A call during a
   * sync runs one more sync after it, so blocks uploaded before the call are seen.
   */
  sync(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.queued ??= this.running.then(() => {
        this.queued = undefined;
        return this.sync();
      });
      return this.queued;
    }
    this.running = this.syncOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Loaded bytes of all blocks together. */
  get loadedBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.block.loadedBytes;
    return n;
  }

  /** The configured bound on loaded bytes. */
  get maxLoadedBytes(): number {
    return this.options.maxLoadedBytes;
  }

  async profileTypes(tenant: string, q: LabelQuery): Promise<ProfileType[]> {
    return this.labelReader(tenant, q).profileTypes(q);
  }

  async labelNames(tenant: string, q: LabelQuery): Promise<string[]> {
    return (await this.labelReader(tenant, q).labelNames(q)).sort();
  }

  async labelValues(tenant: string, name: string, q: LabelQuery): Promise<string[]> {
    return (await this.labelReader(tenant, q).labelValues(name, q)).sort();
  }

  async series(tenant: string, q: LabelQuery, labelNames: readonly string[]): Promise<Labels[]> {
    return this.labelReader(tenant, q).series(q, labelNames);
  }

  async mergeTree(tenant: string, q: SelectQuery): Promise<FunctionTree> {
    const tree = new FunctionTree();
    await this.selectReader(tenant, q).mergeTree(q, tree);
    return tree;
  }

  async mergePprof(tenant: string, q: SelectQuery): Promise<FlatProfile> {
    const builder = new PprofBuilder();
    await this.selectReader(tenant, q).mergePprof(q, builder);
    return builder.build(q.profileType, BigInt(q.endMs) * 1_000_000n, BigInt(q.endMs - q.startMs) * 1_000_000n, 0);
  }

  async profileTotals(tenant: string, q: SelectQuery, by: readonly string[]): Promise<ProfileTotals> {
    return this.selectReader(tenant, q).profileTotals(q, by);
  }

  /**
   * The tenant's blocks as they are now, for one query: the ULIDs whose data they
   * hold (their own and their compaction sources, so that a querier can tell an
   * ingester to leave those out), and a reader over exactly these blocks, whatever
   * a sync changes meanwhile.
   */
  view(tenant: string): { covered: ReadonlySet<string>; reader: BlockReader } {
    const entries = this.tenants.get(tenant)?.ordered ?? [];
    const covered = new Set<string>();
    for (const e of entries) {
      covered.add(e.block.meta.ulid);
      for (const src of e.block.meta.compaction.sources) covered.add(src);
      for (const p of e.block.meta.compaction.parents) covered.add(p.ulid);
    }
    return { covered, reader: new EntriesReader(entries, () => ++this.useCounter) };
  }

  /** Every known tenant, sorted. */
  tenantStatuses(): TenantStatus[] {
    return [...this.tenants.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([tenant, t]) => {
        let loadedBlocks = 0;
        let loadedBytes = 0;
        for (const e of t.ordered) {
          if (e.block.loadedBytes > 0) loadedBlocks++;
          loadedBytes += e.block.loadedBytes;
        }
        const s: TenantStatus = { tenant, blocks: t.ordered.length, loadedBlocks, loadedBytes, skippedBlocks: t.corrupt.size };
        if (t.lastSyncMs !== undefined) s.lastSyncMs = t.lastSyncMs;
        if (t.lastSyncError !== undefined) s.lastSyncError = t.lastSyncError;
        return s;
      });
  }

  /** A tenant's open and skipped blocks; undefined for a tenant the gateway does not know. */
  tenantBlocks(tenant: string): { blocks: BlockStatus[]; skipped: SkippedBlock[] } | undefined {
    const t = this.tenants.get(tenant);
    if (!t) return undefined;
    return {
      blocks: t.ordered.map((e) => ({
        meta: e.block.meta,
        sizeBytes: e.block.meta.files.reduce((n, f) => n + (f.sizeBytes ?? 0), 0),
        loadedBytes: e.block.loadedBytes,
      })),
      skipped: [...t.corrupt.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([ulid, error]) => ({ ulid, error })),
    };
  }

  /** The tenant's blocks overlapping [startMs, endMs], in time order. */
  private overlapping(tenant: string, startMs: number | undefined, endMs: number | undefined): BlockEntry[] {
    const t = this.tenants.get(tenant);
    if (!t) return [];
    return t.ordered.filter((e) => e.block.overlaps(startMs, endMs));
  }

  private labelReader(tenant: string, q: LabelQuery): MultiReader {
    const blocks = this.overlapping(tenant, q.startMs, q.endMs).map((e) => e.block);
    return new MultiReader(() => blocks);
  }

  /** A reader over the blocks a merge may load; marks them used so the cache keeps them over older ones. */
  private selectReader(tenant: string, q: SelectQuery): MultiReader {
    const entries = this.overlapping(tenant, q.startMs, q.endMs);
    for (const e of entries) e.useSeq = ++this.useCounter;
    const blocks = entries.map((e) => e.block);
    return new MultiReader(() => blocks);
  }

  /**
   * Keeps the loaded bytes of all blocks within the bound after `block` loaded,
   * unloading the least recently used others. The block that just loaded is kept
   * even alone over the bound: the query that loaded it needs it. A query already
   * holding an unloaded block's data finishes with it; only the next one reloads.
   */
  private readonly onLoad: LoadListener = (block, deltaBytes) => {
    if (deltaBytes <= 0) return;
    const self = this.entries.get(block);
    // A block dropped by a sync while it was loading: nobody keeps its data after the query.
    if (!self) return;
    let total = 0;
    const others: BlockEntry[] = [];
    for (const e of this.entries.values()) {
      // loadedBytes is set only once a load completed, so a load in flight is never cut short here.
      if (e.block.loadedBytes <= 0) continue;
      total += e.block.loadedBytes;
      if (e !== self) others.push(e);
    }
    if (total <= this.options.maxLoadedBytes) return;
    others.sort((a, b) => a.useSeq - b.useSeq);
    for (const e of others) {
      if (total <= this.options.maxLoadedBytes) break;
      total -= e.block.loadedBytes;
      e.block.unload();
      this.evictions++;
    }
  };

  private async syncOnce(): Promise<void> {
    const { bucket, logger } = this.deps;
    let names: string[];
    try {
      names = await listBucketTenants(bucket);
    } catch (err) {
      this.lastSyncError = errorMessage(err);
      logger.error("listing tenants in the bucket failed, keeping the blocks known so far", { err: this.lastSyncError });
      return;
    }
    const listed = new Set(names);
    for (const [tenant, t] of this.tenants) {
      if (listed.has(tenant)) continue;
      for (const e of t.ordered) this.forget(e);
      this.tenants.delete(tenant);
    }
    await forEachLimit(names, TENANT_SYNC_CONCURRENCY, (tenant) => this.syncTenant(tenant));
    this.lastSyncError = undefined;
    this.lastSyncMs = this.now();
  }

  private async syncTenant(tenant: string): Promise<void> {
    const { bucket, logger } = this.deps;
    let t = this.tenants.get(tenant);
    if (!t) {
      t = { blocks: new Map(), ordered: [], corrupt: new Map() };
      this.tenants.set(tenant, t);
    }
    let listed: BucketBlock[];
    const badMeta = new Set<string>();
    try {
      listed = await listBucketBlocks(bucket, tenant, (ulid, err) => {
        if (!t!.corrupt.has(ulid)) logger.error("block meta.json is corrupt, skipping the block", { tenant, block: ulid, err: err.message });
        t!.corrupt.set(ulid, err.message);
        badMeta.add(ulid);
      });
    } catch (err) {
      t.lastSyncError = errorMessage(err);
      logger.error("listing blocks failed, keeping the blocks known so far", { tenant, err: t.lastSyncError });
      return;
    }
    const cutoffMs = this.now() - this.options.ignoreBlocksWithinMs;
    const owns = this.deps.owns ?? (() => true);
    const wanted = visibleBlocks(listed).filter((b) => (this.options.ignoreBlocksWithinMs <= 0 || b.meta.maxTimeMs <= cutoffMs) && owns(b.meta.ulid));
    const wantedIds = new Set(wanted.map((b) => b.meta.ulid));
    for (const id of t.corrupt.keys()) if (!wantedIds.has(id) && !badMeta.has(id)) t.corrupt.delete(id);

    const next = new Map<string, BlockEntry>();
    const opened: BlockEntry[] = [];
    const toOpen: BucketBlock[] = [];
    for (const b of wanted) {
      const have = t.blocks.get(b.meta.ulid);
      if (have) next.set(b.meta.ulid, have);
      else if (!t.corrupt.has(b.meta.ulid)) toOpen.push(b);
    }
    const state = t;
    await forEachLimit(toOpen, BLOCK_OPEN_CONCURRENCY, async (b) => {
      const id = b.meta.ulid;
      try {
        const block = await OpenBlock.open(bucketSource(bucket, tenant, id), { meta: b.meta, onLoad: this.onLoad, workers: this.deps.workers });
        const e: BlockEntry = { block, useSeq: 0 };
        next.set(id, e);
        opened.push(e);
      } catch (err) {
        const message = errorMessage(err);
        if (err instanceof CorruptionError) state.corrupt.set(id, message);
        logger.error("opening block failed, skipping it", { tenant, block: id, err: message });
      }
    });
    if (this.stopped) return;
    // Swap in one step: a compacted block and the sources it replaces are never queried together.
    const dropped = [...t.blocks.values()].filter((e) => !next.has(e.block.meta.ulid));
    t.blocks = next;
    t.ordered = [...next.values()].sort(
      (a, b) => a.block.meta.minTimeMs - b.block.meta.minTimeMs || (a.block.meta.ulid < b.block.meta.ulid ? -1 : 1),
    );
    for (const e of opened) this.entries.set(e.block, e);
    for (const e of dropped) this.forget(e);
    t.lastSyncMs = this.now();
    delete t.lastSyncError;
    if (opened.length > 0 || dropped.length > 0) {
      logger.info("synced blocks", { tenant, blocks: next.size, opened: opened.length, dropped: dropped.length });
    }
  }

  private forget(e: BlockEntry): void {
    this.entries.delete(e.block);
    e.block.unload();
  }

  private now(): number {
    return this.deps.nowMs?.() ?? Date.now();
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** A BlockReader over a fixed list of a tenant's blocks; merges mark the blocks they may load as used. */
class EntriesReader extends MultiReader {
  constructor(
    private readonly entries: readonly BlockEntry[],
    private readonly nextUse: () => number,
  ) {
    super(() => entries.map((e) => e.block));
  }

  override async mergeTree(q: SelectQuery, tree: FunctionTree): Promise<void> {
    this.touch(q);
    return super.mergeTree(q, tree);
  }

  override async mergePprof(q: SelectQuery, builder: PprofBuilder): Promise<void> {
    this.touch(q);
    return super.mergePprof(q, builder);
  }

  override async selectProfiles(q: SelectQuery): Promise<SelectedProfile[]> {
    this.touch(q);
    return super.selectProfiles(q);
  }

  override async profileTotals(q: SelectQuery, by: readonly string[]): Promise<ProfileTotals> {
    this.touch(q);
    return super.profileTotals(q, by);
  }

  private touch(q: SelectQuery): void {
    for (const e of this.entries) if (e.block.overlaps(q.startMs, q.endMs)) e.useSeq = this.nextUse();
  }
}
