/**
 * A block's files decoded back into memory: the same MemBlock shape as the head,
 * so every query runs over it unchanged.
 */
import { CorruptionError } from "../../model/errors.js";
import type { Labels } from "../../model/labels.js";
import { MemPostings } from "../index/postings.js";
import type { MemBlock, ProfilesData, SeriesData, SymbolsData } from "../mem-block.js";
import { HeadSeries, profileTypeOf } from "../head/head-series.js";
import type { BlockIndex } from "./index-file.js";
import type { ProfilesTable } from "./profiles-parquet.js";
import type { SampleColumns } from "./samples-file.js";

/** Series and postings of a block, from its index alone (enough for the label APIs). */
export class BlockSeries {
  readonly series: SeriesData[];
  readonly postings = new MemPostings();
  /** First profiles-table row of each series. */
  readonly rowStart: Uint32Array;
  readonly rowCount: number;

  constructor(index: BlockIndex) {
    this.rowStart = new Uint32Array(index.series.length + 1);
    let row = 0;
    this.series = index.series.map((s, i) => {
      const rows = new Uint32Array(s.rowCount);
      for (let j = 0; j < s.rowCount; j++) rows[j] = row + j;
      this.rowStart[i] = row;
      row += s.rowCount;
      const hs = new HeadSeries(i, s.labels, profileTypeOf(s.labels), undefined);
      hs.rows = rows;
      hs.rowCount = s.rowCount;
      hs.minTimeMs = s.minTimeMs;
      hs.maxTimeMs = s.maxTimeMs;
      return hs;
    });
    this.rowStart[index.series.length] = row;
    this.rowCount = row;
    for (const p of index.postings) this.postings.setList(p.name, p.value, p.series);
  }

  /** Labels of series `ref`. */
  labelsOf(ref: number): Labels {
    return this.series[ref]!.labels;
  }
}

/** A fully loaded block. */
export class LoadedBlock implements MemBlock {
  readonly profiles: ProfilesData;
  readonly minTimeMs: number;
  readonly maxTimeMs: number;

  constructor(
    private readonly index: BlockSeries,
    table: ProfilesTable,
    samples: SampleColumns,
    readonly symbols: SymbolsData,
    file: string,
  ) {
    const n = table.seriesIndex.length;
    if (n !== index.rowCount) throw new CorruptionError(file, 0, `profiles table has ${n} rows, the index ${index.rowCount}`);
    const timeMs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      timeMs[i] = Number(table.timeNanos[i]! / 1_000_000n);
      if (samples.offsets[i + 1]! - samples.offsets[i]! !== table.sampleCount[i]) {
        throw new CorruptionError(file, 0, `row ${i}: samples.bin holds ${samples.offsets[i + 1]! - samples.offsets[i]!} samples, profiles.parquet says ${table.sampleCount[i]}`);
      }
    }
    for (let i = 0; i < samples.stacks.length; i++) {
      if (samples.stacks[i]! >= symbols.stacktraces.count) throw new CorruptionError(file, 0, `sample ${i} refers to stacktrace ${samples.stacks[i]} of ${symbols.stacktraces.count}`);
    }
    this.profiles = {
      count: n,
      series: table.seriesIndex,
      timeNanos: table.timeNanos,
      timeMs,
      total: table.totalValue,
      sampleOffsets: samples.offsets,
      stacks: samples.stacks,
      values: samples.values,
      ids: table.id,
    };
    let min = Infinity;
    let max = -Infinity;
    for (const s of index.series) {
      min = Math.min(min, s.minTimeMs);
      max = Math.max(max, s.maxTimeMs);
    }
    this.minTimeMs = min;
    this.maxTimeMs = max;
  }

  get series(): readonly SeriesData[] {
    return this.index.series;
  }

  get postings(): MemPostings {
    return this.index.postings;
  }

  labelsOf(ref: number): Labels {
    return this.index.labelsOf(ref);
  }
}
