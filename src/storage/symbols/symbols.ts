/**
 * The deduplicated symbols of one head: strings, functions, mappings, locations and
 * the stack-trace tree. Ingest maps a decoded profile's tables onto these, then
 * turns every sample's location list into one stacktrace id.
 */
import type { FlatProfile } from "../../model/pprof/flat-profile.js";
import { grow } from "../encoding/grow.js";
import { DedupTable } from "./dedup-table.js";
import { StacktraceTree } from "./stacktrace-tree.js";
import { StringTable } from "./string-table.js";

/** Column positions inside a function row. */
export const FunctionCol = { Name: 0, SystemName: 1, Filename: 2, StartLine: 3 } as const;
/** Column positions inside a mapping row. */
export const MappingCol = {
  StartHi: 0, StartLo: 1, LimitHi: 2, LimitLo: 3, OffsetHi: 4, OffsetLo: 5, Filename: 6, BuildId: 7, Flags: 8,
} as const;
/** Column positions inside a location row; lines follow as (function id + 1, line) pairs. */
export const LocationCol = { Mapping: 0, AddressHi: 1, AddressLo: 2, IsFolded: 3, Lines: 4 } as const;

/** All symbol tables of one head. */
export class SymbolTables {
  readonly strings = new StringTable();
  readonly functions = new DedupTable();
  readonly mappings = new DedupTable();
  readonly locations = new DedupTable();
  readonly stacktraces = new StacktraceTree();
  private row = new Uint32Array(64);
  private stackBuf = new Uint32Array(256);

  /**
   * Adds the symbols of `p` and returns, per sample, its stacktrace id.
   * Per-profile remap arrays make every table lookup one hash probe per symbol,
   * not per sample.
   */
  ingest(p: FlatProfile): Uint32Array {
    const strMap = new Uint32Array(p.strings.length);
    for (let i = 0; i < p.strings.length; i++) strMap[i] = this.strings.intern(p.strings[i]!);

    const fnMap = new Uint32Array(p.functionCount);
    const row = this.row;
    for (let f = 0; f < p.functionCount; f++) {
      row[0] = strMap[p.functionName[f]!]!;
      row[1] = strMap[p.functionSystemName[f]!]!;
      row[2] = strMap[p.functionFilename[f]!]!;
      row[3] = p.functionStartLine[f]! >>> 0;
      fnMap[f] = this.functions.insert(row, 0, 4);
    }

    const mapMap = new Uint32Array(p.mappingCount);
    for (let m = 0; m < p.mappingCount; m++) {
      row[0] = p.mappingStartHi[m]!;
      row[1] = p.mappingStartLo[m]!;
      row[2] = p.mappingLimitHi[m]!;
      row[3] = p.mappingLimitLo[m]!;
      row[4] = p.mappingOffsetHi[m]!;
      row[5] = p.mappingOffsetLo[m]!;
      row[6] = strMap[p.mappingFilename[m]!]!;
      row[7] = strMap[p.mappingBuildId[m]!]!;
      row[8] = p.mappingFlags[m]!;
      mapMap[m] = this.mappings.insert(row, 0, 9);
    }

    const locMap = new Uint32Array(p.locationCount);
    for (let l = 0; l < p.locationCount; l++) {
      const from = p.lineOffsets[l]!;
      const to = p.lineOffsets[l + 1]!;
      const len = LocationCol.Lines + 2 * (to - from);
      if (this.row.length < len) this.row = new Uint32Array(len * 2);
      const r = this.row;
      const m = p.locationMapping[l]!;
      r[0] = m < 0 ? 0 : mapMap[m]! + 1;
      r[1] = p.locationAddressHi[l]!;
      r[2] = p.locationAddressLo[l]!;
      r[3] = p.locationIsFolded[l]!;
      let k = LocationCol.Lines;
      for (let i = from; i < to; i++) {
        const fn = p.lineFunction[i]!;
        r[k++] = fn < 0 ? 0 : fnMap[fn]! + 1;
        r[k++] = p.lineNumber[i]! >>> 0;
      }
      locMap[l] = this.locations.insert(r, 0, len);
    }

    const ids = new Uint32Array(p.sampleCount);
    for (let s = 0; s < p.sampleCount; s++) {
      const from = p.locOffsets[s]!;
      const to = p.locOffsets[s + 1]!;
      this.stackBuf = grow(this.stackBuf, to - from);
      const buf = this.stackBuf;
      for (let i = from; i < to; i++) buf[i - from] = locMap[p.locs[i]!]!;
      ids[s] = this.stacktraces.insert(buf, 0, to - from);
    }
    return ids;
  }

  /** The name string of function `fn`. */
  functionName(fn: number): string {
    return this.strings.strings[this.functions.data[this.functions.rowStart(fn) + FunctionCol.Name]!]!;
  }

  /** Bytes held by the symbol tables, for the head-size estimate. */
  sizeBytes(): number {
    return (
      this.functions.data.byteLength +
      this.mappings.data.byteLength +
      this.locations.data.byteLength +
      this.stacktraces.parent.byteLength * 2
    );
  }
}
