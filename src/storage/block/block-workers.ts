/**
 * Block encoding, decoding and merging on worker threads: a flush of a large head
 * or a compaction takes seconds of CPU, during which the event loop would answer
 * nothing. With no workers the same jobs run inline (tests, tools).
 */
import { WorkerPool } from "../../server/worker-pool.js";
import { assembleBlock, symbolsOf } from "./block-build.js";
import type { BlockOrigin, BuiltBlock } from "./block-build.js";
import { runBlockJob, transferable } from "./block-jobs.js";
import type { BlockFiles, BlockJob, BlockJobResult, DecodedBlock } from "./block-jobs.js";
import type { MemBlock, SymbolsData } from "../mem-block.js";

/** Decoded block data with its symbols ready for queries. */
export interface DecodedBlockData extends Omit<DecodedBlock, "symbols"> {
  symbols: SymbolsData;
}

/** Runs block jobs on `workers` threads, or inline when `workers` is 0. */
export class BlockWorkers {
  private readonly pool: WorkerPool<BlockJob, BlockJobResult> | undefined;

  constructor(workers: number) {
    this.pool = workers > 0 ? new WorkerPool({ module: new URL("./block-worker.ts", import.meta.url), workers, name: "block worker pool" }) : undefined;
  }

  /** Encodes `b` (copied first, so it may keep serving queries); undefined when it holds no row. */
  async encode(b: MemBlock, origin: BlockOrigin): Promise<BuiltBlock | undefined> {
    const input = assembleBlock(b);
    if (!input) return undefined;
    const r = await this.run({ kind: "encode", input, origin });
    return built(r).built;
  }

  /** Decodes a block's data files for `rowCount` rows. The bytes are handed over: do not use them afterwards. */
  async decode(files: Omit<BlockFiles, "index">, rowCount: number): Promise<DecodedBlockData> {
    const r = await this.run({ kind: "decode", files, rowCount });
    if (r.kind !== "decoded") throw new Error(`block worker answered ${r.kind} to decode`);
    return { ...r.block, symbols: symbolsOf(r.block.symbols) };
  }

  /** Merges stored blocks into one (replica duplicates dropped). The bytes are handed over. */
  async compact(sources: BlockFiles[], origin: BlockOrigin): Promise<{ built: BuiltBlock | undefined; duplicates: number }> {
    return built(await this.run({ kind: "compact", sources, origin }));
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await this.pool?.close();
  }

  private run(job: BlockJob): Promise<BlockJobResult> {
    return this.pool ? this.pool.run(job, transferable([job])) : runBlockJob(job);
  }
}

function built(r: BlockJobResult): Extract<BlockJobResult, { kind: "built" }> {
  if (r.kind !== "built") throw new Error(`block worker answered ${r.kind} where a block was expected`);
  return r;
}
