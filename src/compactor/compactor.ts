/**
 * The compactor: for every tenant in the bucket, enforces retention, merges the blocks of each
 * planned window into one (dropping replica duplicates), and deletes blocks marked for deletion
 * once the deletion delay has passed.
 *
 * Crash safety rests on the order of writes. A merged block is uploaded data files first and
 * meta.json last, so a half-uploaded block is invisible; once its meta.json is there, readers hide
 * its sources (visibleBlocks), so a crash before the sources are marked counts nothing twice, and
 * the next run marks the sources it finds replaced. Marked blocks stay readable for the deletion
 * delay, so store-gateways that still hold them finish their queries before they go.
 */
import { ulid } from "ulid";
import type { Bucket } from "../objstore/bucket.js";
import { blockKey } from "../ingester/shipper.js";
import type { Logger } from "../server/logger.js";
import { BlockFileName } from "../storage/block/block-build.js";
import type { BlockFiles } from "../storage/block/block-jobs.js";
import { BlockWorkers } from "../storage/block/block-workers.js";
import { bucketSource, deleteBucketBlock, listBucketBlocks, listBucketTenants, markForDeletion, visibleBlocks } from "../storage/block/bucket-blocks.js";
import type { BucketBlock } from "../storage/block/bucket-blocks.js";
import type { BlockMeta } from "../storage/block/meta.js";
import { readBlockFiles } from "../storage/block/open-block.js";
import { blockRangesMs } from "./config.js";
import type { CompactorConfig, RetentionLimits } from "./config.js";
import { planCompaction } from "./planner.js";
import type { CompactionGroup } from "./planner.js";

/** What the compactor is given. */
export interface CompactorOptions {
  bucket: Bucket;
  config: CompactorConfig;
  logger: Logger;
  /** A tenant's retention (the limits with its overrides applied); absent means no retention. */
  limits?: (tenant: string) => RetentionLimits;
  /** Whether this compactor owns a tenant (its ring shard); every tenant when absent. */
  owns?: (tenant: string) => boolean;
  /** The clock (ms since epoch); tests move it. */
  nowMs?: () => number;
  /** Delay before the first run after start() (ms). */
  firstRunDelayMs?: number;
  /** Where blocks are merged (inline when not given). */
  workers?: BlockWorkers;
}

/** What one run did, summed over tenants. */
export interface CompactionReport {
  tenants: number;
  /** Groups merged into a new block. */
  groups: number;
  /** Source blocks merged (each counted once per group). */
  blocksMerged: number;
  /** Rows dropped as replica duplicates. */
  duplicatesDropped: number;
  /** Blocks marked for deletion because they fell out of retention. */
  retentionMarked: number;
  /** Blocks marked for deletion because a merged block replaced them. */
  sourcesMarked: number;
  /** Blocks deleted after their deletion delay. */
  blocksDeleted: number;
  /** Tenants or groups that failed; the rest of the run went on. */
  errors: number;
}

/** An empty report. */
export function emptyReport(): CompactionReport {
  return { tenants: 0, groups: 0, blocksMerged: 0, duplicatesDropped: 0, retentionMarked: 0, sourcesMarked: 0, blocksDeleted: 0, errors: 0 };
}

// Short enough that a freshly started compactor shows it works, long enough to let the rest of
// the process finish starting first.
const DEFAULT_FIRST_RUN_DELAY_MS = 10_000;

/** Runs compactions, once on demand or every compaction interval. */
export class Compactor {
  private readonly bucket: Bucket;
  private readonly config: CompactorConfig;
  private readonly rangesMs: number[];
  private readonly logger: Logger;
  private readonly limits: ((tenant: string) => RetentionLimits) | undefined;
  private readonly owns: (tenant: string) => boolean;
  private readonly now: () => number;
  private readonly firstRunDelayMs: number;
  private readonly workers: BlockWorkers;
  private running: Promise<CompactionReport> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(opts: CompactorOptions) {
    this.bucket = opts.bucket;
    this.config = opts.config;
    this.rangesMs = blockRangesMs(opts.config);
    this.logger = opts.logger;
    this.limits = opts.limits;
    this.owns = opts.owns ?? (() => true);
    this.now = opts.nowMs ?? Date.now;
    this.firstRunDelayMs = opts.firstRunDelayMs ?? DEFAULT_FIRST_RUN_DELAY_MS;
    this.workers = opts.workers ?? new BlockWorkers(0);
  }

  /** Runs every compaction interval, the first time after a short delay. */
  start(): void {
    this.stopped = false;
    this.schedule(this.firstRunDelayMs);
  }

  /** Stops scheduling and waits for a running compaction to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One compaction of every tenant; concurrent callers share the run. */
  runOnce(): Promise<CompactionReport> {
    this.running ??= this.runAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runOnce()
        .catch((err: unknown) => this.logger.error("compaction failed", { err }))
        .finally(() => this.schedule(this.config.compaction_interval));
    }, delayMs);
    this.timer.unref();
  }

  private async runAll(): Promise<CompactionReport> {
    const report = emptyReport();
    const started = this.now();
    const tenants = await listBucketTenants(this.bucket);
    for (const tenant of tenants) {
      if (!this.owns(tenant)) continue;
      report.tenants++;
      try {
        await this.compactTenant(tenant, report);
      } catch (err) {
        // One tenant's broken block must not hold back every other tenant's compaction.
        report.errors++;
        this.logger.error("compaction of tenant failed", { tenant, err });
      }
    }
    this.logger.info("compaction done", { ...report, durationMs: this.now() - started });
    return report;
  }

  private async compactTenant(tenant: string, report: CompactionReport): Promise<void> {
    const log = this.logger.with({ tenant });
    let blocks = await listBucketBlocks(this.bucket, tenant);
    report.sourcesMarked += await this.markReplaced(tenant, blocks, log);
    report.retentionMarked += await this.applyRetention(tenant, blocks, log);

    // Each pass merges what the last one left mergeable: smaller windows first, then the larger
    // windows holding their results. The number of ranges bounds the passes a fresh bucket needs.
    for (let pass = 0; pass <= this.rangesMs.length; pass++) {
      const groups = planCompaction(
        visibleBlocks(blocks).map((b) => b.meta),
        { blockRangesMs: this.rangesMs, consistencyDelayMs: this.config.consistency_delay, nowMs: this.now() },
      );
      if (groups.length === 0) break;
      let failed = false;
      for (const g of groups) {
        try {
          await this.mergeGroup(tenant, g, report, log);
        } catch (err) {
          failed = true;
          report.errors++;
          log.error("compaction of group failed", { level: g.level, windowStartMs: g.windowStartMs, blocks: g.blocks.map((b) => b.ulid).join(","), err });
        }
      }
      blocks = await listBucketBlocks(this.bucket, tenant);
      // A failing group would fail again at once: leave it to the next run.
      if (failed) break;
    }

    report.blocksDeleted += await this.deleteMarked(tenant, blocks, log);
  }

  /** Marks unmarked blocks that a merged block lists as sources: left so by a crash before marking. */
  private async markReplaced(tenant: string, blocks: BucketBlock[], log: Logger): Promise<number> {
    const visible = new Set(visibleBlocks(blocks).map((b) => b.meta.ulid));
    let n = 0;
    for (const b of blocks) {
      if (b.deletionMarkedMs !== undefined || visible.has(b.meta.ulid)) continue;
      b.deletionMarkedMs = await this.mark(tenant, b.meta.ulid);
      n++;
      log.info("marked replaced block for deletion", { block: b.meta.ulid });
    }
    return n;
  }

  /** Marks blocks wholly older than the tenant's retention period; a block partly inside it stays. */
  private async applyRetention(tenant: string, blocks: BucketBlock[], log: Logger): Promise<number> {
    const retentionMs = this.limits?.(tenant).compactor_blocks_retention_period ?? 0;
    if (!(retentionMs > 0)) return 0;
    const cutoffMs = this.now() - retentionMs;
    let n = 0;
    for (const b of blocks) {
      if (b.deletionMarkedMs !== undefined || b.meta.maxTimeMs >= cutoffMs) continue;
      b.deletionMarkedMs = await this.mark(tenant, b.meta.ulid);
      n++;
      log.info("marked block for deletion by retention", { block: b.meta.ulid, maxTimeMs: b.meta.maxTimeMs, retentionMs });
    }
    return n;
  }

  private async mergeGroup(tenant: string, g: CompactionGroup, report: CompactionReport, log: Logger): Promise<void> {
    const files: BlockFiles[] = [];
    for (const m of g.blocks) files.push(await readBlockFiles(bucketSource(this.bucket, tenant, m.ulid)));
    const id = ulid(this.now());
    const sources = [...new Set(g.blocks.flatMap((m) => (m.compaction.sources.length > 0 ? m.compaction.sources : [m.ulid])))].sort();
    const merged = await this.workers.compact(files, {
      ulid: id,
      source: "compactor",
      labels: commonLabels(g.blocks),
      compaction: {
        level: g.level,
        sources,
        parents: g.blocks.map((m) => ({ ulid: m.ulid, minTime: m.minTimeMs, maxTime: m.maxTimeMs })),
      },
    });
    const built = merged.built;
    if (!built) throw new Error(`merging ${g.blocks.length} blocks gave an empty block`);
    for (const f of built.files) await this.bucket.put(blockKey(tenant, id, f.relPath), f.bytes);
    // meta.json last: from here on readers use the new block and no longer its sources.
    await this.bucket.put(blockKey(tenant, id, BlockFileName.Meta), Buffer.from(built.metaJson));
    for (const m of g.blocks) await this.mark(tenant, m.ulid);
    report.groups++;
    report.blocksMerged += g.blocks.length;
    report.duplicatesDropped += merged.duplicates;
    report.sourcesMarked += g.blocks.length;
    log.info("compacted blocks", {
      block: id,
      level: g.level,
      windowStartMs: g.windowStartMs,
      windowEndMs: g.windowEndMs,
      sources: g.blocks.map((m) => m.ulid).join(","),
      profiles: built.meta.stats.numProfiles,
      duplicates: merged.duplicates,
    });
  }

  /** Deletes blocks marked at least the deletion delay ago. */
  private async deleteMarked(tenant: string, blocks: BucketBlock[], log: Logger): Promise<number> {
    const nowMs = this.now();
    let n = 0;
    for (const b of blocks) {
      if (b.deletionMarkedMs === undefined || nowMs - b.deletionMarkedMs < this.config.deletion_delay) continue;
      await deleteBucketBlock(this.bucket, tenant, b.meta.ulid);
      n++;
      log.info("deleted block", { block: b.meta.ulid, markedMs: b.deletionMarkedMs });
    }
    return n;
  }

  private async mark(tenant: string, id: string): Promise<number> {
    const nowMs = this.now();
    await markForDeletion(this.bucket, tenant, id, nowMs);
    return nowMs;
  }
}

/** The labels every block of the group carries with the same value. */
function commonLabels(blocks: readonly BlockMeta[]): Record<string, string> {
  const [first, ...rest] = blocks;
  const out: Record<string, string> = {};
  if (!first) return out;
  for (const [k, v] of Object.entries(first.labels)) if (rest.every((b) => b.labels[k] === v)) out[k] = v;
  return out;
}
