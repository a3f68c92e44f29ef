/**
 * The in-memory shape every query runs over: symbols as row tables, profile rows
 * as typed columns, series with their rows, and postings. The head is one; an
 * on-disk block, once loaded, is another.
 */
import type { Labels } from "../model/labels.js";
import type { ProfileType } from "../model/profile-type.js";
import type { MemPostings } from "./index/postings.js";

/** Variable-length uint32 rows: row i is data[offsets[i] .. offsets[i+1]). */
export interface RowTable {
  readonly data: Uint32Array;
  readonly offsets: Uint32Array;
  readonly count: number;
  rowStart(id: number): number;
  rowLength(id: number): number;
}

/** Symbols of a block (see src/storage/symbols/symbols.ts for the row layouts). */
export interface SymbolsData {
  readonly strings: { readonly strings: readonly string[] };
  readonly functions: RowTable;
  readonly mappings: RowTable;
  readonly locations: RowTable;
  /** Stack-trace tree: node 0 is the root and parent[n] < n. */
  readonly stacktraces: { readonly parent: Uint32Array; readonly location: Uint32Array; readonly count: number };
}

/** Profile rows: one per (profile, sample type); samples sorted by stacktrace id. */
export interface ProfilesData {
  readonly count: number;
  readonly series: Uint32Array;
  readonly timeNanos: BigInt64Array;
  readonly timeMs: Float64Array;
  readonly total: Float64Array;
  /** Row r's samples are [sampleOffsets[r], sampleOffsets[r+1]). */
  readonly sampleOffsets: Uint32Array;
  readonly stacks: Uint32Array;
  readonly values: Float64Array;
  readonly ids: readonly string[];
}

/** One series and its rows, in time order. */
export interface SeriesData {
  readonly ref: number;
  readonly labels: Labels;
  readonly profileType: ProfileType;
  readonly rows: Uint32Array;
  readonly rowCount: number;
  readonly minTimeMs: number;
  readonly maxTimeMs: number;
  /** Whether the series has data in [startMs, endMs] (undefined = unbounded). */
  overlaps(startMs: number | undefined, endMs: number | undefined): boolean;
}

/** A queryable block held in memory. */
export interface MemBlock {
  readonly symbols: SymbolsData;
  readonly profiles: ProfilesData;
  readonly series: readonly SeriesData[];
  readonly postings: MemPostings;
  readonly minTimeMs: number;
  readonly maxTimeMs: number;
  labelsOf(ref: number): Labels;
}
