/**
 * Turns an in-memory block (the head) into the bytes of a block's files, and back
 * (see loaded-block.ts). Rows are written ordered by series (series by labels),
 * then by time, like Phlare's profiles table.
 */
import { compareLabels } from "../../model/labels.js";
import type { MemBlock, RowTable, SeriesData, SymbolsData } from "../mem-block.js";
import { writeIndex } from "./index-file.js";
import type { IndexSeries } from "./index-file.js";
import { BLOCK_FORMAT_VERSION, formatMeta } from "./meta.js";
import type { BlockMeta } from "./meta.js";
import { writeProfilesParquet } from "./profiles-parquet.js";
import type { ProfilesTable } from "./profiles-parquet.js";
import { writeSamples } from "./samples-file.js";
import type { SampleColumns } from "./samples-file.js";
import { staticRows, writeSymbols } from "./symbols-file.js";

/** File names inside a block directory. */
export const BlockFileName = {
  Meta: "meta.json",
  Index: "index.bin",
  Profiles: "profiles.parquet",
  Samples: "samples.bin",
  Symbols: "symbols.bin",
} as const;

/** What a block records about where it came from. */
export interface BlockOrigin {
  ulid: string;
  source: "ingester" | "compactor";
  labels: Record<string, string>;
  compaction: BlockMeta["compaction"];
}

/** A block's files, meta.json last. */
export interface BuiltBlock {
  meta: BlockMeta;
  /** Data files in upload order; meta.json is not among them. */
  files: { relPath: string; bytes: Uint8Array }[];
  metaJson: string;
}

/**
 * A block's rows, series and symbols in plain arrays, ready to encode: what the
 * main thread hands a worker (every array is its own, so it can be transferred).
 */
export interface BlockInput {
  table: ProfilesTable;
  samples: SampleColumns;
  series: IndexSeries[];
  symbols: PlainSymbols;
  minTimeMs: number;
  maxTimeMs: number;
}

/** SymbolsData without methods, each array cut to its used length. */
export interface PlainSymbols {
  strings: string[];
  functions: { data: Uint32Array; offsets: Uint32Array };
  mappings: { data: Uint32Array; offsets: Uint32Array };
  locations: { data: Uint32Array; offsets: Uint32Array };
  stacktraces: { parent: Uint32Array; location: Uint32Array };
}

/** Encodes `b`; returns undefined when it holds no profile row. */
export function buildBlock(b: MemBlock, origin: BlockOrigin): BuiltBlock | undefined {
  const input = assembleBlock(b);
  return input && encodeBlock(input, origin);
}

/** Copies `b`'s rows (ordered by series, then time), series and symbols into a BlockInput; undefined when empty. */
export function assembleBlock(b: MemBlock): BlockInput | undefined {
  const series = b.series.filter((s) => s.rowCount > 0).sort((x, y) => compareLabels(x.labels, y.labels));
  if (series.length === 0) return undefined;
  const p = b.profiles;
  let rowCount = 0;
  for (const s of series) rowCount += s.rowCount;
  const seriesIndex = new Uint32Array(rowCount);
  const profileType: string[] = new Array(rowCount);
  const timeNanos = new BigInt64Array(rowCount);
  const totalValue = new Float64Array(rowCount);
  const id: string[] = new Array(rowCount);
  const sampleCount = new Uint32Array(rowCount);
  const offsets = new Uint32Array(rowCount + 1);
  let sampleTotal = 0;
  for (const s of series) for (let i = 0; i < s.rowCount; i++) sampleTotal += rowSamples(b, s, i);
  const stacks = new Uint32Array(sampleTotal);
  const values = new Float64Array(sampleTotal);
  const indexSeries: IndexSeries[] = [];
  let row = 0;
  let k = 0;
  let minTimeMs = Infinity;
  let maxTimeMs = -Infinity;
  series.forEach((s, si) => {
    for (let i = 0; i < s.rowCount; i++, row++) {
      const r = s.rows[i]!;
      seriesIndex[row] = si;
      profileType[row] = s.profileType.id;
      timeNanos[row] = p.timeNanos[r]!;
      totalValue[row] = p.total[r]!;
      id[row] = p.ids[r]!;
      const from = p.sampleOffsets[r]!;
      const to = p.sampleOffsets[r + 1]!;
      sampleCount[row] = to - from;
      stacks.set(p.stacks.subarray(from, to), k);
      values.set(p.values.subarray(from, to), k);
      k += to - from;
      offsets[row + 1] = k;
    }
    indexSeries.push({ labels: s.labels, rowCount: s.rowCount, minTimeMs: s.minTimeMs, maxTimeMs: s.maxTimeMs });
    if (s.minTimeMs < minTimeMs) minTimeMs = s.minTimeMs;
    if (s.maxTimeMs > maxTimeMs) maxTimeMs = s.maxTimeMs;
  });
  return {
    table: { seriesIndex, profileType, timeNanos, totalValue, id, sampleCount },
    samples: { offsets, stacks, values },
    series: indexSeries,
    symbols: plainSymbols(b.symbols),
    minTimeMs,
    maxTimeMs,
  };
}

function plainSymbols(s: SymbolsData): PlainSymbols {
  const rows = (t: RowTable) => ({ data: t.data.slice(0, t.offsets[t.count]), offsets: t.offsets.slice(0, t.count + 1) });
  const st = s.stacktraces;
  return {
    strings: [...s.strings.strings],
    functions: rows(s.functions),
    mappings: rows(s.mappings),
    locations: rows(s.locations),
    stacktraces: { parent: st.parent.slice(0, st.count), location: st.location.slice(0, st.count) },
  };
}

/** The SymbolsData view of plain symbols. */
export function symbolsOf(p: PlainSymbols): SymbolsData {
  return {
    strings: { strings: p.strings },
    functions: staticRows(p.functions.data, p.functions.offsets),
    mappings: staticRows(p.mappings.data, p.mappings.offsets),
    locations: staticRows(p.locations.data, p.locations.offsets),
    stacktraces: { parent: p.stacktraces.parent, location: p.stacktraces.location, count: p.stacktraces.parent.length },
  };
}

/** Encodes an assembled block into its files and meta.json: the CPU-heavy part of a flush or compaction. */
export function encodeBlock(input: BlockInput, origin: BlockOrigin): BuiltBlock {
  const rowCount = input.table.seriesIndex.length;
  const files = [
    { relPath: BlockFileName.Index, bytes: writeIndex(input.series) },
    { relPath: BlockFileName.Profiles, bytes: writeProfilesParquet(input.table) },
    { relPath: BlockFileName.Samples, bytes: writeSamples(input.series.map((s) => s.rowCount), input.samples) },
    { relPath: BlockFileName.Symbols, bytes: writeSymbols(symbolsOf(input.symbols)) },
  ];
  const meta: BlockMeta = {
    ulid: origin.ulid,
    minTimeMs: input.minTimeMs,
    maxTimeMs: input.maxTimeMs,
    stats: { numSamples: input.samples.stacks.length, numSeries: input.series.length, numProfiles: new Set(input.table.id).size },
    files: files.map((f) => ({
      relPath: f.relPath,
      sizeBytes: f.bytes.byteLength,
      ...(f.relPath === BlockFileName.Profiles ? { parquet: { numRowGroups: Math.ceil(rowCount / 100_000), numRows: rowCount } } : {}),
    })),
    compaction: origin.compaction,
    version: BLOCK_FORMAT_VERSION,
    labels: origin.labels,
    source: origin.source,
  };
  return { meta, files, metaJson: formatMeta(meta) };
}

function rowSamples(b: MemBlock, s: SeriesData, i: number): number {
  const r = s.rows[i]!;
  return b.profiles.sampleOffsets[r + 1]! - b.profiles.sampleOffsets[r]!;
}
