/**
 * WalWriter: appends opaque records to numbered segment files with group commit, and
 * acknowledges a record only once it is on disk.
 *
 * Group commit: append() frames the record into a staging buffer and queues it. One
 * round at a time takes everything queued, writes it with a single pwrite and makes it
 * durable with a single fdatasync; appends that arrive while a round's sync is in flight
 * form the next round. Records reach the file in call order.
 *
 * Failure: after any write or sync error the writer is failed for good. Every waiting
 * append rejects and so does every later one, because after a failed fsync Linux may
 * already have dropped the dirty pages and marked them clean: a retried fsync would
 * "succeed" without the data ever reaching the disk. Recovery is a restart, which replays.
 */
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { nopLogger } from "../../server/logger.js";
import type { Logger } from "../../server/logger.js";
import { ByteWriter } from "../encoding/byte-writer.js";
import { crc32c } from "../encoding/crc32c.js";
import { deleteSegmentsBefore, listSegments, segmentPath } from "./segment-files.js";
import {
  FRAME_HEADER_BYTES,
  MAX_RECORD_BYTES,
  MAX_SEGMENT_SEQ,
  SEGMENT_HEADER_BYTES,
  encodeSegmentHeader,
  frameChecksum,
  frameSeed,
  segmentFileName,
} from "./segment-format.js";
import { nodeWalFileSystem } from "./wal-file-system.js";
import type { WalFile, WalFileSystem } from "./wal-file-system.js";

/** WalWriter settings. */
export interface WalOptions {
  /**
   * A segment is cut before an append would take it past this size. A record larger than
   * the limit gets a segment of its own, so one segment may exceed it.
   */
  maxSegmentBytes: number;
  /** File operations; tests inject failures here. */
  fileSystem: WalFileSystem;
  /** Where the writer logs its failure. */
  logger: Logger;
  /** Called after each durable round: records in it, bytes written, milliseconds for write + sync. */
  onSync?: (records: number, bytes: number, ms: number) => void;
  /** Called when a new segment has been created and made durable (at open and at every cut). */
  onCut?: (segment: number) => void;
}

/** Defaults: 128 MiB segments, the real file system, no logging, no metrics. */
export function defaultWalOptions(): WalOptions {
  return { maxSegmentBytes: 128 * 1024 * 1024, fileSystem: nodeWalFileSystem(), logger: nopLogger() };
}

/** Where an acknowledged record went. */
export interface AppendResult {
  /** The segment holding the record. */
  segment: number;
}

/** A queued append (its frame sits in the staging buffer at `start`) or a cut request. */
type Pending =
  | { kind: "record"; start: number; frameBytes: number; resolve: (r: AppendResult) => void; reject: (err: Error) => void }
  | { kind: "cut"; resolve: (segment: number) => void; reject: (err: Error) => void };

// The staging buffer starts at this size; one that grew past KEEP_STAGING_BYTES in a burst is
// dropped after its round rather than kept for the writer's whole life.
const INITIAL_STAGING_BYTES = 64 * 1024;
const KEEP_STAGING_BYTES = 8 * 1024 * 1024;

/** Writes `bytes` at `position`, looping over short writes. */
async function writeFully(file: WalFile, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await file.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten <= 0) throw new Error(`write returned ${bytesWritten} with ${bytes.length - done} bytes left`);
    done += bytesWritten;
  }
}

/** The long-lived appender of one WAL directory (one per tenant). */
export class WalWriter {
  private file: WalFile | null = null;
  private seq = 0;
  private seed = 0;
  /** Bytes of the current segment that are on disk and synced. */
  private segmentBytes = 0;
  private staging = new ByteWriter(INITIAL_STAGING_BYTES);
  private spare: ByteWriter | null = null;
  private queue: Pending[] = [];
  private running = false;
  private idle: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;

  private constructor(
    /** The directory holding the segments. */
    readonly dir: string,
    private readonly options: WalOptions,
  ) {}

  /**
   * Creates `dir` if needed and starts a new segment after the highest existing one. Replay
   * the directory (replayWal) first: the writer never appends to an existing segment.
   */
  static async open(dir: string, options: Partial<WalOptions> = {}): Promise<WalWriter> {
    const opts: WalOptions = { ...defaultWalOptions(), ...options };
    const min = SEGMENT_HEADER_BYTES + FRAME_HEADER_BYTES + 1;
    if (!Number.isSafeInteger(opts.maxSegmentBytes) || opts.maxSegmentBytes < min) {
      throw new RangeError(`maxSegmentBytes is ${opts.maxSegmentBytes}, minimum is ${min}`);
    }
    await makeDirDurably(dir, opts.fileSystem);
    const seqs = await listSegments(dir);
    const w = new WalWriter(dir, opts);
    await w.createSegment((seqs.at(-1) ?? 0) + 1);
    return w;
  }

  /** The segment appends currently go to. */
  get segment(): number {
    return this.seq;
  }

  /** The error that failed the writer, or null while it is healthy. */
  get failed(): Error | null {
    return this.failure;
  }

  /**
   * Appends one record (1 byte to 4 GiB - 1) and resolves once it is durable. The bytes are
   * copied before this returns, so the caller may reuse `record` at once. Rejects if the
   * write or sync fails, and for every call after such a failure; a rejected record may
   * still be replayed if the failure hit after its bytes reached the disk.
   */
  append(record: Uint8Array): Promise<AppendResult> {
    const refused = this.refusal("append");
    if (refused !== null) return Promise.reject(refused);
    // Empty records are refused so that a zero length on disk always means damage (zero-filled space).
    if (record.length === 0 || record.length > MAX_RECORD_BYTES) {
      return Promise.reject(new RangeError(`wal record is ${record.length} bytes, allowed 1 to ${MAX_RECORD_BYTES}`));
    }
    const start = this.staging.length;
    // frame_crc is left 0 here and set when the round knows which segment the frame lands in.
    this.staging.u32(record.length).u32(crc32c(record)).u32(0).raw(record);
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ kind: "record", start, frameBytes: FRAME_HEADER_BYTES + record.length, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Flushes every append made before this call, closes the current segment and starts the
   * next; resolves to the new segment's number. Every record appended before the call is in
   * a lower-numbered segment. If the current segment holds no record, nothing is cut and its
   * own number is returned.
   */
  cut(): Promise<number> {
    const refused = this.refusal("cut");
    if (refused !== null) return Promise.reject(refused);
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ kind: "cut", resolve, reject });
      this.schedule();
    });
  }

  /**
   * Deletes segments numbered below `seq`, never the current one: `seq` is capped at the
   * current segment, so passing too high a number is safe.
   */
  deleteSegmentsBefore(seq: number): Promise<number[]> {
    return deleteSegmentsBefore(this.dir, Math.min(seq, this.seq));
  }

  /** Flushes what is queued, then closes the segment. Later appends reject. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    await this.idle;
    const file = this.file;
    this.file = null;
    if (file === null) return;
    try {
      await file.close();
    } catch (err) {
      // A failed writer has already reported its error; its descriptor may be what broke.
      if (this.failure === null) throw new Error(`close wal segment ${segmentFileName(this.seq)}`, { cause: err });
    }
  }

  private refusal(op: string): Error | null {
    if (this.failure !== null) return new Error(`wal writer failed earlier, ${op} refused`, { cause: this.failure });
    if (this.closing !== null) return new Error(`wal writer is closed, ${op} refused`);
    return null;
  }

  private schedule(): void {
    if (this.running) return;
    this.running = true;
    this.idle = this.drain();
  }

  /** Runs rounds until the queue is empty. Never rejects: errors fail the writer instead. */
  private async drain(): Promise<void> {
    // Start on the next microtask, so a synchronous burst of appends (Promise.all) shares the first round.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const entries = this.queue;
      this.queue = [];
      const buf = this.staging;
      this.staging = this.spare ?? new ByteWriter(INITIAL_STAGING_BYTES);
      this.spare = null;
      try {
        await this.commit(entries, buf.view());
      } catch (err) {
        await this.fail(err, entries);
      }
      buf.reset();
      if (buf.capacity <= KEEP_STAGING_BYTES) this.spare = buf;
    }
    // No await between the empty check and this: an append seeing `running` still true is
    // guaranteed to be picked up by the loop above.
    this.running = false;
  }

  /** Writes one round: runs of records (one write + one sync each, split only by a cut or a full segment). */
  private async commit(entries: Pending[], bytes: Uint8Array): Promise<void> {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let i = 0;
    while (i < entries.length) {
      const first = entries[i]!;
      if (first.kind === "cut") {
        await this.rotate();
        first.resolve(this.seq);
        i++;
        continue;
      }
      const start = first.start;
      let end = start;
      let j = i;
      for (; j < entries.length; j++) {
        const e = entries[j]!;
        if (e.kind !== "record") break;
        const segmentEmpty = this.segmentBytes === SEGMENT_HEADER_BYTES && end === start;
        if (!segmentEmpty && this.segmentBytes + (end - start) + e.frameBytes > this.options.maxSegmentBytes) break;
        end += e.frameBytes;
      }
      if (j === i) {
        await this.rotate();
        continue;
      }
      for (let k = i; k < j; k++) {
        const e = entries[k]!;
        if (e.kind === "record") dv.setUint32(e.start + 8, frameChecksum(bytes, e.start, this.seed), true);
      }
      await this.writeRound(bytes.subarray(start, end), j - i);
      const segment = this.seq;
      for (let k = i; k < j; k++) {
        const e = entries[k]!;
        if (e.kind === "record") e.resolve({ segment });
      }
      i = j;
    }
  }

  private async writeRound(bytes: Uint8Array, records: number): Promise<void> {
    const file = this.file;
    if (file === null) throw new Error("no open segment");
    const t0 = performance.now();
    await writeFully(file, bytes, this.segmentBytes);
    // fdatasync rather than fsync: it still flushes the file size (needed to read the data
    // back), and skips only the mtime update, which nothing here depends on.
    await file.datasync();
    this.segmentBytes += bytes.length;
    this.options.onSync?.(records, bytes.length, performance.now() - t0);
  }

  /** Closes the current segment and starts the next, unless the current one holds no record. */
  private async rotate(): Promise<void> {
    if (this.segmentBytes === SEGMENT_HEADER_BYTES) return;
    const file = this.file;
    this.file = null;
    // Everything in it was synced by its rounds; closing loses nothing.
    await file?.close();
    await this.createSegment(this.seq + 1);
  }

  private async createSegment(seq: number): Promise<void> {
    if (seq > MAX_SEGMENT_SEQ) throw new RangeError(`wal segment number ${seq} exceeds ${MAX_SEGMENT_SEQ}`);
    const path = segmentPath(this.dir, seq);
    const file = await this.options.fileSystem.createFile(path);
    try {
      await writeFully(file, encodeSegmentHeader(seq), 0);
      // fsync rather than fdatasync: the file is new, so its inode must reach the disk as well.
      await file.sync();
      // The file's own sync does not make its name durable; the directory's does.
      await this.options.fileSystem.syncDir(this.dir);
    } catch (err) {
      await file.close().catch(() => undefined);
      throw new Error(`create wal segment ${path}`, { cause: err });
    }
    this.file = file;
    this.seq = seq;
    this.seed = frameSeed(seq);
    this.segmentBytes = SEGMENT_HEADER_BYTES;
    this.options.onCut?.(seq);
  }

  /** Fails the writer for good: rejects this round's unacknowledged entries and everything queued. */
  private async fail(cause: unknown, entries: Pending[]): Promise<void> {
    const err = new Error(`wal append to segment ${segmentFileName(this.seq)}`, { cause });
    this.failure = err;
    this.options.logger.error("wal writer failed; appends refused until restart", { dir: this.dir, segment: this.seq, err: cause });
    // Best effort: drop bytes past the last acknowledged round so rejected records are not
    // replayed later. If this fails too, replay still reads only whole, valid frames.
    if (this.file !== null) {
      try {
        await this.file.truncate(this.segmentBytes);
        await this.file.datasync();
      } catch {
        // The file system is already failing; the rejection below is what matters.
      }
    }
    // Resolved entries of this round ignore the reject: they were acknowledged after their own sync.
    for (const e of entries) e.reject(err);
    const queued = this.queue;
    this.queue = [];
    for (const e of queued) e.reject(err);
  }
}

/** mkdir -p, then fsyncs the parent of every directory it created so the new entries survive a crash. */
async function makeDirDurably(dir: string, fs: WalFileSystem): Promise<void> {
  const abs = resolve(dir);
  const first = await mkdir(abs, { recursive: true });
  if (first === undefined) return;
  for (let d = abs; ; d = dirname(d)) {
    await fs.syncDir(dirname(d));
    if (d === first || dirname(d) === d) break;
  }
}
