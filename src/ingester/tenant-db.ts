/**
 * One tenant's storage in an ingester: the WAL, the in-memory head, heads being
 * written out, and finished local blocks. A push is acknowledged only once its
 * WAL record is durable; the head is cut into a block by age, size, Flush or
 * shutdown; start-up replays the WAL segments no local block holds yet.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ulid } from "ulid";
import type { IngestProfile } from "../model/query.js";
import type { Logger } from "../server/logger.js";
import type { BlockReader } from "../storage/block-reader.js";
import { BlockWorkers } from "../storage/block/block-workers.js";
import { dirSource, listBlockDirs, writeBlockDir } from "../storage/block/block-dir.js";
import { OpenBlock } from "../storage/block/open-block.js";
import { Head } from "../storage/head/head.js";
import { decodeProfileRecord, encodeProfileRecord } from "../storage/head/profile-record.js";
import { MemBlockReader } from "../storage/query/mem-block-reader.js";
import { MultiReader } from "../storage/query/multi-reader.js";
import { replayWal, WalWriter } from "../storage/wal/index.js";
import type { WalOptions } from "../storage/wal/index.js";

/** Per-block file, beside the block's own files, naming the WAL segments the block holds. */
export const WAL_SEGMENTS_FILE = "wal-segments.json";

const INLINE = new BlockWorkers(0);

/** Options of a tenant's storage. */
export interface TenantDbOptions {
  /** `<data_path>/<tenant>`. */
  dir: string;
  /** Cut the head once its first profile is this old (ms). */
  maxBlockDurationMs: number;
  /** Cut the head once it holds about this many bytes. */
  maxHeadBytes: number;
  /** The tenant's active-series limit (0 = none). */
  maxSeries: () => number;
  logger: Logger;
  /** WAL settings; false keeps profiles in memory only (a benchmark baseline, never a server setting). */
  wal?: Partial<WalOptions> | false;
  nowMs?: () => number;
  /** Told about every new local block (the shipper uploads it). */
  onBlock?: (block: LocalBlock) => void;
  /** Where blocks are encoded and decoded (inline when not given). */
  workers?: BlockWorkers;
}

/** A finished block in `<dir>/local/` and the WAL segments it holds. */
export interface LocalBlock {
  readonly dir: string;
  readonly block: OpenBlock;
  readonly walFirst: number;
  readonly walLast: number;
}

/** The storage of one tenant. */
export class TenantDb {
  private head: Head;
  private headStartedMs = 0;
  private headFirstSegment: number;
  private readonly flushing: Head[] = [];
  private readonly blocks: LocalBlock[] = [];
  private replaying = false;
  private flushChain: Promise<void> = Promise.resolve();
  readonly reader: BlockReader;

  private wal: WalWriter | undefined;

  private constructor(private readonly options: TenantDbOptions) {
    this.head = this.newHead();
    this.headFirstSegment = 0;
    this.reader = new MultiReader(() => [
      new MemBlockReader(this.head),
      ...this.flushing.map((h) => new MemBlockReader(h)),
      ...this.blocks.map((b) => b.block),
    ]);
  }

  /** Opens the tenant's local blocks, replays its WAL into a fresh head, and starts a new WAL segment. */
  static async open(options: TenantDbOptions): Promise<TenantDb> {
    const localDir = join(options.dir, "local");
    const blocks: LocalBlock[] = [];
    for (const id of await listBlockDirs(localDir)) {
      const dir = join(localDir, id);
      const block = await OpenBlock.open(dirSource(dir), { workers: options.workers });
      const { first, last } = await readWalSegments(dir);
      blocks.push({ dir, block, walFirst: first, walLast: last });
    }
    const covered = Math.max(0, ...blocks.map((b) => b.walLast));
    const walDir = join(options.dir, "wal");
    const db = new TenantDb(options);
    db.blocks.push(...blocks);
    let replayed = 0;
    let rejected = 0;
    db.replaying = true;
    try {
      if (options.wal === false) return db;
      const result = await replayWal(
        walDir,
        (record, pos) => {
          if (pos.segment <= covered) return;
          if (db.headFirstSegment === 0) db.headFirstSegment = pos.segment;
          replayed++;
          try {
            db.ingestIntoHead(decodeProfileRecord(record, `${walDir}/${pos.segment}`));
          } catch (err) {
            // Replay repeats the original order, so a record the head rejects now was rejected then.
            rejected++;
            options.logger.warn("wal record not replayed", { segment: pos.segment, offset: pos.offset, err: (err as Error).message });
          }
        },
        options.logger,
      );
      if (replayed > 0) options.logger.info("replayed wal", { records: replayed, rejected, segments: result.segments, dir: walDir });
    } finally {
      db.replaying = false;
    }
    db.wal = await WalWriter.open(walDir, { ...options.wal, logger: options.logger });
    if (db.headFirstSegment === 0) db.headFirstSegment = db.wal?.segment ?? 0;
    return db;
  }

  /** Stores the profiles; resolves once their WAL records are durable. */
  async push(profiles: IngestProfile[]): Promise<void> {
    const durable: Promise<unknown>[] = [];
    for (const p of profiles) {
      // Head first: it validates (out of order, series limit) before it changes anything, and
      // a rejected profile must not reach the WAL. Head and WAL then see the same order.
      this.ingestIntoHead(p);
      if (this.wal) durable.push(this.wal.append(encodeProfileRecord(p)));
    }
    await Promise.all(durable);
  }

  /** A reader over the head and the local blocks not in `exclude` (blocks another source answers for). */
  readerExcluding(exclude: ReadonlySet<string>): BlockReader {
    if (exclude.size === 0) return this.reader;
    return new MultiReader(() => [
      new MemBlockReader(this.head),
      ...this.flushing.map((h) => new MemBlockReader(h)),
      ...this.blocks.filter((b) => !exclude.has(b.block.meta.ulid)).map((b) => b.block),
    ]);
  }

  /** The tenant's local blocks. */
  get localBlocks(): readonly LocalBlock[] {
    return this.blocks;
  }

  /** The WAL segment appends go to (0 without a WAL). */
  get walSegment(): number {
    return this.wal?.segment ?? 0;
  }

  /** Marks series idle for ten minutes inactive (they stop counting against the limit). */
  sweepInactive(): number {
    return this.head.sweepInactive();
  }

  /** Active series of the head. */
  get activeSeriesCount(): number {
    return this.head.activeSeriesCount;
  }

  /** Whether the head is due for a cut (age or size). */
  due(): boolean {
    if (this.headStartedMs === 0) return false;
    const now = this.options.nowMs?.() ?? Date.now();
    return now - this.headStartedMs >= this.options.maxBlockDurationMs || this.head.sizeBytes() >= this.options.maxHeadBytes;
  }

  /**
   * Cuts the head into a local block. The head swap and the WAL cut happen together,
   * so every record of the old head sits in segments before the new one.
   */
  flush(): Promise<void> {
    const run = this.flushChain.then(() => this.cutAndWrite());
    this.flushChain = run.catch(() => undefined);
    return run;
  }

  /** Deletes WAL segments up to `seq` (their data is durable in uploaded blocks). */
  async deleteWalBefore(seq: number): Promise<number[]> {
    return this.wal ? this.wal.deleteSegmentsBefore(seq) : [];
  }

  /** Forgets a local block (after upload and once queries no longer need it) and deletes its files. */
  async dropBlock(b: LocalBlock, remove: (dir: string) => Promise<void>): Promise<void> {
    const i = this.blocks.indexOf(b);
    if (i >= 0) this.blocks.splice(i, 1);
    b.block.unload();
    await remove(b.dir);
  }

  /** Flushes the head and closes the WAL. */
  async close(): Promise<void> {
    await this.flush();
    await this.wal?.close();
  }

  private ingestIntoHead(p: IngestProfile): void {
    this.head.ingest(p);
    if (this.headStartedMs === 0) this.headStartedMs = this.options.nowMs?.() ?? Date.now();
  }

  private async cutAndWrite(): Promise<void> {
    const old = this.head;
    if (old.profiles.count === 0 && this.headStartedMs === 0) return;
    const first = this.headFirstSegment;
    this.head = this.newHead();
    this.headStartedMs = 0;
    this.flushing.push(old);
    try {
      const next = this.wal ? await this.wal.cut() : 0;
      this.headFirstSegment = next;
      const id = ulid();
      const built = await (this.options.workers ?? INLINE).encode(old, { ulid: id, source: "ingester", labels: {}, compaction: { level: 1, sources: [id], parents: [] } });
      if (!built) return;
      // The segment range goes in with the block, atomically: a block without it would be replayed twice.
      const dir = await writeBlockDir(join(this.options.dir, "local"), built, [
        { relPath: WAL_SEGMENTS_FILE, bytes: Buffer.from(JSON.stringify({ first, last: next - 1 })) },
      ]);
      const block = await OpenBlock.open(dirSource(dir), { meta: built.meta, workers: this.options.workers });
      const local: LocalBlock = { dir, block, walFirst: first, walLast: next - 1 };
      this.blocks.push(local);
      this.options.logger.info("flushed head to block", { block: id, series: built.meta.stats.numSeries, samples: built.meta.stats.numSamples });
      this.options.onBlock?.(local);
    } finally {
      this.flushing.splice(this.flushing.indexOf(old), 1);
    }
  }

  private newHead(): Head {
    return new Head({ maxSeries: () => (this.replaying ? 0 : this.options.maxSeries()), nowMs: this.options.nowMs ?? (() => Date.now()) });
  }
}

async function readWalSegments(dir: string): Promise<{ first: number; last: number }> {
  try {
    const v = JSON.parse(await readFile(join(dir, WAL_SEGMENTS_FILE), "utf8")) as { first?: unknown; last?: unknown };
    if (typeof v.first === "number" && typeof v.last === "number") return { first: v.first, last: v.last };
  } catch {
    // A block without the file (written elsewhere, or copied in) holds no WAL segment.
  }
  return { first: 0, last: 0 };
}
