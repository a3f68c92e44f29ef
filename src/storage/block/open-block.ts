/**
 * A block on disk or in a bucket as a BlockReader: meta.json and index.bin are
 * read when it opens (enough for the label APIs and for pruning); profiles,
 * samples and symbols only when a merge selects something in it, and they can be
 * dropped again to bound memory.
 */
import type { FunctionTree } from "../../model/flamegraph/function-tree.js";
import type { Labels } from "../../model/labels.js";
import type { ProfileType } from "../../model/profile-type.js";
import type { LabelQuery, ProfileTotals, SelectedProfile, SelectQuery } from "../../model/query.js";
import type { BlockReader } from "../block-reader.js";
import { labelNames, labelValues, profileTypes, seriesLabels } from "../query/label-queries.js";
import { MemBlockReader } from "../query/mem-block-reader.js";
import type { PprofBuilder } from "../query/pprof-builder.js";
import { selectSeriesOfType } from "../query/select.js";
import { BlockFileName } from "./block-build.js";
import { readIndex } from "./index-file.js";
import { BlockSeries, LoadedBlock } from "./loaded-block.js";
import { parseMeta } from "./meta.js";
import type { BlockMeta } from "./meta.js";
import type { BlockFiles } from "./block-jobs.js";
import { BlockWorkers } from "./block-workers.js";

/** Where a block's files come from (a directory, a bucket prefix). */
export interface BlockSource {
  read(relPath: string): Promise<Uint8Array>;
  /** For messages: the directory or object prefix. */
  readonly describe: string;
}

/** Told when a block loads or unloads its heavy part, with its size in bytes. */
export type LoadListener = (block: OpenBlock, loadedBytes: number) => void;

const INLINE = new BlockWorkers(0);

/** How a block is opened. */
export interface OpenBlockOptions {
  /** The block's meta.json, when the caller has it already. */
  meta?: BlockMeta;
  onLoad?: LoadListener;
  /** Where the files are decoded (inline when not given). */
  workers?: BlockWorkers | undefined;
}

/** An opened block. */
export class OpenBlock implements BlockReader {
  private loading: Promise<{ block: LoadedBlock; bytes: number }> | undefined;
  /** Bumped by unload(), so that a load finishing after it does not count its bytes. */
  private generation = 0;
  /** Bytes of the loaded files, 0 while not loaded. */
  loadedBytes = 0;
  /** Last time a merge used this block (ms), for cache eviction. */
  lastUsedMs = 0;

  private constructor(
    readonly meta: BlockMeta,
    readonly index: BlockSeries,
    private readonly source: BlockSource,
    private readonly options: OpenBlockOptions,
  ) {}

  /** Opens a block: reads meta.json (unless given) and index.bin. */
  static async open(source: BlockSource, options: OpenBlockOptions = {}): Promise<OpenBlock> {
    const m = options.meta ?? parseMeta(new TextDecoder().decode(await source.read(BlockFileName.Meta)), `${source.describe}/${BlockFileName.Meta}`);
    const index = new BlockSeries(readIndex(await source.read(BlockFileName.Index), `${source.describe}/${BlockFileName.Index}`));
    return new OpenBlock(m, index, source, options);
  }

  get minTimeMs(): number {
    return this.meta.minTimeMs;
  }

  get maxTimeMs(): number {
    return this.meta.maxTimeMs;
  }

  /** Whether the block holds data in [startMs, endMs]. */
  overlaps(startMs: number | undefined, endMs: number | undefined): boolean {
    return (startMs === undefined || this.meta.maxTimeMs >= startMs) && (endMs === undefined || this.meta.minTimeMs <= endMs);
  }

  async profileTypes(q: LabelQuery): Promise<ProfileType[]> {
    return this.overlaps(q.startMs, q.endMs) ? profileTypes(this.index, q) : [];
  }

  async labelNames(q: LabelQuery): Promise<string[]> {
    return this.overlaps(q.startMs, q.endMs) ? labelNames(this.index, q) : [];
  }

  async labelValues(name: string, q: LabelQuery): Promise<string[]> {
    return this.overlaps(q.startMs, q.endMs) ? labelValues(this.index, name, q) : [];
  }

  async series(q: LabelQuery, names: readonly string[]): Promise<Labels[]> {
    return this.overlaps(q.startMs, q.endMs) ? seriesLabels(this.index, q, names) : [];
  }

  async mergeTree(q: SelectQuery, tree: FunctionTree): Promise<void> {
    const r = await this.readerFor(q);
    if (r) await r.mergeTree(q, tree);
  }

  async mergePprof(q: SelectQuery, builder: PprofBuilder): Promise<void> {
    const r = await this.readerFor(q);
    if (r) await r.mergePprof(q, builder);
  }

  async selectProfiles(q: SelectQuery): Promise<SelectedProfile[]> {
    const r = await this.readerFor(q);
    return r ? r.selectProfiles(q) : [];
  }

  async profileTotals(q: SelectQuery, by: readonly string[]): Promise<ProfileTotals> {
    const r = await this.readerFor(q);
    if (r) return r.profileTotals(q, by);
    return { groups: [], group: new Uint32Array(0), timeMs: new Float64Array(0), value: new Float64Array(0) };
  }

  /** The fully loaded block (loads it once; concurrent callers share the load). */
  async load(): Promise<LoadedBlock> {
    this.loading ??= this.loadFiles().catch((err: unknown) => {
      this.loading = undefined;
      throw err;
    });
    return (await this.loading).block;
  }

  /** Drops the loaded profiles, samples and symbols; the next merge loads them again. */
  unload(): void {
    if (!this.loading) return;
    this.loading = undefined;
    this.generation++;
    const bytes = this.loadedBytes;
    this.loadedBytes = 0;
    if (bytes > 0) this.options.onLoad?.(this, -bytes);
  }

  /** A reader over the loaded block when `q` can select a row of it; undefined, without loading, otherwise. */
  private async readerFor(q: SelectQuery): Promise<MemBlockReader | undefined> {
    // The index alone tells whether a series of the type matches in the range: prune before loading.
    if (!this.overlaps(q.startMs, q.endMs) || selectSeriesOfType(this.index, q).length === 0) return undefined;
    this.lastUsedMs = Date.now();
    return new MemBlockReader(await this.load());
  }

  private async loadFiles(): Promise<{ block: LoadedBlock; bytes: number }> {
    const generation = this.generation;
    const d = this.source.describe;
    const [profiles, samples, symbols] = await Promise.all([
      this.source.read(BlockFileName.Profiles),
      this.source.read(BlockFileName.Samples),
      this.source.read(BlockFileName.Symbols),
    ]);
    // Sizes first: the decode takes the bytes over.
    const fileBytes = profiles.byteLength + samples.byteLength + symbols.byteLength;
    const decoded = await (this.options.workers ?? INLINE).decode({ describe: d, profiles, samples, symbols }, this.index.rowCount);
    const block = new LoadedBlock(this.index, decoded.table, decoded.samples, decoded.symbols, d);
    // Decoded columns take roughly three times the file bytes.
    const bytes = 3 * fileBytes;
    if (generation === this.generation) {
      this.loadedBytes = bytes;
      this.options.onLoad?.(this, bytes);
    }
    return { block, bytes };
  }
}

/** Reads the data files of a block (meta.json aside), all at once. */
export async function readBlockFiles(source: BlockSource): Promise<BlockFiles> {
  const [index, profiles, samples, symbols] = await Promise.all(
    [BlockFileName.Index, BlockFileName.Profiles, BlockFileName.Samples, BlockFileName.Symbols].map((f) => source.read(f)),
  );
  return { describe: source.describe, index: index!, profiles: profiles!, samples: samples!, symbols: symbols! };
}
