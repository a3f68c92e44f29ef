/**
 * Uploads a tenant's finished local blocks to object storage: every data file,
 * then meta.json (a block without meta.json in the bucket is incomplete and
 * ignored by readers). Failed uploads are retried with exponential backoff for as
 * long as it takes; the local block and its WAL segments stay until the upload
 * succeeded. Uploaded blocks are recorded in `local/shipper.json`.
 */
import { readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import type { Bucket } from "../objstore/bucket.js";
import type { Logger } from "../server/logger.js";
import { BlockFileName } from "../storage/block/block-build.js";
import { syncDir, writeSynced } from "../storage/durable-file.js";
import type { LocalBlock } from "./tenant-db.js";

/** Backoff between upload attempts of a failing block (ms). */
const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 60_000;

/** The object key of a block file: `<tenant>/phlaredb/<ULID>/<file>`. */
export function blockKey(tenant: string, ulid: string, relPath: string): string {
  return `${tenant}/phlaredb/${ulid}/${relPath}`;
}

/** Ships one tenant's blocks. */
export class Shipper {
  private readonly uploaded = new Set<string>();
  /** When blocks were uploaded by this process (ms); blocks from shipper.json are absent. */
  private readonly uploadedAtMs = new Map<string, number>();
  private readonly queue: LocalBlock[] = [];
  private running: Promise<void> | undefined;
  private backoffMs = MIN_BACKOFF_MS;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(
    private readonly bucket: Bucket,
    private readonly tenant: string,
    private readonly localDir: string,
    private readonly logger: Logger,
    private readonly onUploaded: (b: LocalBlock) => Promise<void>,
  ) {}

  /** Loads `local/shipper.json` and queues every local block not uploaded yet. */
  static async open(bucket: Bucket, tenant: string, localDir: string, blocks: readonly LocalBlock[], logger: Logger, onUploaded: (b: LocalBlock) => Promise<void>): Promise<Shipper> {
    const s = new Shipper(bucket, tenant, localDir, logger, onUploaded);
    try {
      const state = JSON.parse(await readFile(join(localDir, "shipper.json"), "utf8")) as { uploaded?: unknown };
      if (Array.isArray(state.uploaded)) for (const u of state.uploaded) if (typeof u === "string") s.uploaded.add(u);
    } catch {
      // No state yet: nothing uploaded.
    }
    for (const b of blocks) if (!s.uploaded.has(b.block.meta.ulid)) s.queue.push(b);
    return s;
  }

  /** Whether block `ulid` is in the bucket. */
  isUploaded(ulid: string): boolean {
    return this.uploaded.has(ulid);
  }

  /** Whether block `ulid` has been in the bucket for at least `ms` (true for blocks uploaded before this process started). */
  uploadedFor(ulid: string, ms: number, nowMs: number): boolean {
    if (!this.uploaded.has(ulid)) return false;
    const at = this.uploadedAtMs.get(ulid);
    return at === undefined || nowMs - at >= ms;
  }

  /** Number of blocks waiting for upload. */
  get pending(): number {
    return this.queue.length;
  }

  /** Queues a new block and starts uploading. */
  enqueue(b: LocalBlock): void {
    this.queue.push(b);
    this.kick();
  }

  /** Uploads everything queued now; resolves when the queue is empty or an upload failed (then retries later). */
  async sync(): Promise<void> {
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  /** Stops retrying in the background. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private kick(): void {
    if (this.stopped || this.timer) return;
    void this.sync();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const b = this.queue[0]!;
      try {
        await this.upload(b);
      } catch (err) {
        this.logger.warn("block upload failed, will retry", { tenant: this.tenant, block: b.block.meta.ulid, retryInMs: this.backoffMs, err: (err as Error).message });
        this.scheduleRetry();
        return;
      }
      this.queue.shift();
      this.backoffMs = MIN_BACKOFF_MS;
      this.uploaded.add(b.block.meta.ulid);
      this.uploadedAtMs.set(b.block.meta.ulid, Date.now());
      await this.saveState();
      this.logger.info("uploaded block", { tenant: this.tenant, block: b.block.meta.ulid });
      await this.onUploaded(b);
    }
  }

  private scheduleRetry(): void {
    if (this.stopped || this.timer) return;
    const delay = this.backoffMs * (0.75 + Math.random() / 2);
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sync();
    }, delay);
    this.timer.unref();
  }

  private async upload(b: LocalBlock): Promise<void> {
    const id = b.block.meta.ulid;
    for (const f of b.block.meta.files) {
      await this.bucket.put(blockKey(this.tenant, id, f.relPath), new Uint8Array(await readFile(join(b.dir, f.relPath))));
    }
    // meta.json last: until it is there, readers treat the block as an upload in progress.
    await this.bucket.put(blockKey(this.tenant, id, BlockFileName.Meta), new Uint8Array(await readFile(join(b.dir, BlockFileName.Meta))));
  }

  private async saveState(): Promise<void> {
    const path = join(this.localDir, "shipper.json");
    await writeSynced(`${path}.tmp`, Buffer.from(JSON.stringify({ version: 1, uploaded: [...this.uploaded].sort() })));
    await rename(`${path}.tmp`, path);
    await syncDir(this.localDir);
  }
}
