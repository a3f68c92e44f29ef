/**
 * The CPU-heavy block work — encoding a flushed head, decoding a block's files,
 * merging blocks — as jobs of plain data, so that the same code runs inline or on
 * a block worker (block-workers.ts) while the event loop keeps serving requests.
 */
import { assembleBlock, encodeBlock, symbolsOf } from "./block-build.js";
import type { BlockInput, BlockOrigin, BuiltBlock, PlainSymbols } from "./block-build.js";
import { mergeBlocks } from "./block-merge.js";
import { readIndex } from "./index-file.js";
import { BlockSeries, LoadedBlock } from "./loaded-block.js";
import { readProfilesParquet } from "./profiles-parquet.js";
import type { ProfilesTable } from "./profiles-parquet.js";
import { readSamples } from "./samples-file.js";
import type { SampleColumns } from "./samples-file.js";
import { readSymbols } from "./symbols-file.js";
import type { SymbolsData } from "../mem-block.js";

/** The files of a stored block that hold its data (meta.json aside). */
export interface BlockFiles {
  /** For messages: the directory or object prefix. */
  describe: string;
  index: Uint8Array;
  profiles: Uint8Array;
  samples: Uint8Array;
  symbols: Uint8Array;
}

/** A block's decoded profiles table, samples and symbols. */
export interface DecodedBlock {
  table: ProfilesTable;
  samples: SampleColumns;
  symbols: PlainSymbols;
}

/** One job for a block worker. */
export type BlockJob =
  | { kind: "encode"; input: BlockInput; origin: BlockOrigin }
  | { kind: "decode"; files: Omit<BlockFiles, "index">; rowCount: number }
  | { kind: "compact"; sources: BlockFiles[]; origin: BlockOrigin };

/** A job's answer. */
export type BlockJobResult =
  | { kind: "built"; built: BuiltBlock | undefined; duplicates: number }
  | { kind: "decoded"; block: DecodedBlock };

/** Runs a job (on whichever thread calls it). */
export async function runBlockJob(job: BlockJob): Promise<BlockJobResult> {
  switch (job.kind) {
    case "encode":
      return { kind: "built", built: encodeBlock(job.input, job.origin), duplicates: 0 };
    case "decode":
      return { kind: "decoded", block: await decodeBlock(job.files, job.rowCount) };
    case "compact": {
      const loaded: LoadedBlock[] = [];
      for (const f of job.sources) {
        const index = new BlockSeries(readIndex(f.index, `${f.describe}/index.bin`));
        const d = await decodeBlock(f, index.rowCount);
        loaded.push(new LoadedBlock(index, d.table, d.samples, symbolsOf(d.symbols), f.describe));
      }
      const merged = mergeBlocks(loaded);
      const input = assembleBlock(merged.block);
      return { kind: "built", built: input && encodeBlock(input, job.origin), duplicates: merged.duplicates };
    }
  }
}

async function decodeBlock(f: Omit<BlockFiles, "index">, rowCount: number): Promise<DecodedBlock> {
  const d = f.describe;
  return {
    table: await readProfilesParquet(f.profiles, `${d}/profiles.parquet`),
    samples: readSamples(f.samples, rowCount, `${d}/samples.bin`),
    symbols: plainOf(readSymbols(f.symbols, `${d}/symbols.bin`)),
  };
}

// readSymbols' tables span their arrays exactly: no copy needed.
function plainOf(s: SymbolsData): PlainSymbols {
  const rows = (t: SymbolsData["functions"]) => ({ data: t.data, offsets: t.offsets });
  return {
    strings: [...s.strings.strings],
    functions: rows(s.functions),
    mappings: rows(s.mappings),
    locations: rows(s.locations),
    stacktraces: { parent: s.stacktraces.parent, location: s.stacktraces.location },
  };
}

/**
 * The buffers that can move to the other thread without a copy: those a typed array
 * spans exactly. Others (a view into a larger or pooled buffer) are copied by
 * postMessage, leaving the sender's memory intact.
 */
export function transferable(values: Iterable<unknown>): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const visit = (v: unknown): void => {
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) out.add(v.buffer);
    } else if (Array.isArray(v)) {
      for (const x of v) if (typeof x === "object" && x !== null) visit(x);
    } else if (typeof v === "object" && v !== null) {
      for (const x of Object.values(v)) visit(x);
    }
  };
  for (const v of values) visit(v);
  return [...out];
}
