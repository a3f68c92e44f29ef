/**
 * Builds one merged pprof profile out of stacks coming from any number of
 * sources (the head, blocks): symbols are deduplicated into the builder's own
 * tables, values summed per stack, and the result is a FlatProfile with a single
 * sample type.
 */
import type { FlatProfile } from "../../model/pprof/flat-profile.js";
import type { ProfileType } from "../../model/profile-type.js";
import { grow } from "../encoding/grow.js";
import type { RowTable, SymbolsData } from "../mem-block.js";
import type { DedupTable } from "../symbols/dedup-table.js";
import { FunctionCol, LocationCol, MappingCol, SymbolTables } from "../symbols/symbols.js";

/** Accumulates stacks and values for a merged pprof. */
export class PprofBuilder {
  readonly symbols = new SymbolTables();
  private acc = new Float64Array(1024);
  private row = new Uint32Array(64);
  /** Scratch for function and mapping rows, apart from `row`, which holds the location being copied. */
  private readonly small = new Uint32Array(16);

  /**
   * Copies location `loc` of `src` (with its functions, mapping and strings) and
   * returns its id here. Callers cache the result per source location.
   */
  copyLocation(src: SymbolsData, loc: number): number {
    const sl = src.locations;
    const start = sl.rowStart(loc);
    const len = sl.rowLength(loc);
    if (this.row.length < len) this.row = new Uint32Array(len * 2);
    const r = this.row;
    const m = sl.data[start + LocationCol.Mapping]!;
    r[LocationCol.Mapping] = m === 0 ? 0 : this.copyMapping(src, m - 1) + 1;
    r[LocationCol.AddressHi] = sl.data[start + LocationCol.AddressHi]!;
    r[LocationCol.AddressLo] = sl.data[start + LocationCol.AddressLo]!;
    r[LocationCol.IsFolded] = sl.data[start + LocationCol.IsFolded]!;
    for (let i = LocationCol.Lines; i < len; i += 2) {
      const fn = sl.data[start + i]!;
      r[i] = fn === 0 ? 0 : this.copyFunction(src, fn - 1) + 1;
      r[i + 1] = sl.data[start + i + 1]!;
    }
    return this.symbols.locations.insert(this.row, 0, len);
  }

  /** Adds every sample of `p` (first sample type only), merging its symbols into this builder's. */
  addProfile(p: FlatProfile): void {
    const ids = this.symbols.ingest(p);
    for (let s = 0; s < p.sampleCount; s++) this.add(ids[s]!, p.values[s * p.valuesPerSample]!);
  }

  /** Adds `value` to stack node `node` of this builder's stacktrace tree. */
  add(node: number, value: number): void {
    this.acc = grow(this.acc, node + 1);
    this.acc[node] = this.acc[node]! + value;
  }

  /** The merged profile: one sample per stack with a non-zero value. */
  build(type: ProfileType, timeNanos: bigint, durationNanos: bigint, period: number): FlatProfile {
    const sym = this.symbols;
    const st = sym.stacktraces;
    const strings = new StringRemap(sym.strings.strings);
    const sampleTypes = Int32Array.of(strings.id(type.sampleType), strings.id(type.sampleUnit));
    const periodType = Int32Array.of(strings.id(type.periodType), strings.id(type.periodUnit));

    let sampleCount = 0;
    let locTotal = 0;
    for (let n = 1; n < st.count; n++) {
      if ((this.acc[n] ?? 0) === 0) continue;
      sampleCount++;
      for (let m = n; m !== 0; m = st.parent[m]!) locTotal++;
    }
    const values = new Float64Array(sampleCount);
    const locOffsets = new Uint32Array(sampleCount + 1);
    const locs = new Uint32Array(locTotal);
    let s = 0;
    let k = 0;
    for (let n = 1; n < st.count; n++) {
      const v = this.acc[n] ?? 0;
      if (v === 0) continue;
      values[s] = v;
      for (let m = n; m !== 0; m = st.parent[m]!) locs[k++] = st.location[m]!;
      locOffsets[++s] = k;
    }

    const fns = sym.functions;
    const fnCount = fns.count;
    const functionName = new Int32Array(fnCount);
    const functionSystemName = new Int32Array(fnCount);
    const functionFilename = new Int32Array(fnCount);
    const functionStartLine = new Float64Array(fnCount);
    for (let f = 0; f < fnCount; f++) {
      const o = fns.rowStart(f);
      functionName[f] = strings.remap(fns.data[o + FunctionCol.Name]!);
      functionSystemName[f] = strings.remap(fns.data[o + FunctionCol.SystemName]!);
      functionFilename[f] = strings.remap(fns.data[o + FunctionCol.Filename]!);
      functionStartLine[f] = fns.data[o + FunctionCol.StartLine]! | 0;
    }

    const maps = sym.mappings;
    const mapCount = maps.count;
    const col = (c: number): Uint32Array => {
      const a = new Uint32Array(mapCount);
      for (let m = 0; m < mapCount; m++) a[m] = maps.data[maps.rowStart(m) + c]!;
      return a;
    };
    const mappingFilename = new Int32Array(mapCount);
    const mappingBuildId = new Int32Array(mapCount);
    const mappingFlags = new Uint8Array(mapCount);
    for (let m = 0; m < mapCount; m++) {
      const o = maps.rowStart(m);
      mappingFilename[m] = strings.remap(maps.data[o + MappingCol.Filename]!);
      mappingBuildId[m] = strings.remap(maps.data[o + MappingCol.BuildId]!);
      mappingFlags[m] = maps.data[o + MappingCol.Flags]!;
    }

    const lt = sym.locations;
    const locCount = lt.count;
    const lineOffsets = new Uint32Array(locCount + 1);
    let lineTotal = 0;
    for (let l = 0; l < locCount; l++) {
      lineTotal += (lt.rowLength(l) - LocationCol.Lines) / 2;
      lineOffsets[l + 1] = lineTotal;
    }
    const locationMapping = new Int32Array(locCount);
    const locationAddressHi = new Uint32Array(locCount);
    const locationAddressLo = new Uint32Array(locCount);
    const locationIsFolded = new Uint8Array(locCount);
    const lineFunction = new Int32Array(lineTotal);
    const lineNumber = new Float64Array(lineTotal);
    for (let l = 0; l < locCount; l++) {
      const o = lt.rowStart(l);
      locationMapping[l] = lt.data[o + LocationCol.Mapping]! - 1;
      locationAddressHi[l] = lt.data[o + LocationCol.AddressHi]!;
      locationAddressLo[l] = lt.data[o + LocationCol.AddressLo]!;
      locationIsFolded[l] = lt.data[o + LocationCol.IsFolded]!;
      let j = lineOffsets[l]!;
      for (let i = o + LocationCol.Lines; i < o + lt.rowLength(l); i += 2) {
        lineFunction[j] = lt.data[i]! - 1;
        lineNumber[j++] = lt.data[i + 1]! | 0;
      }
    }

    return {
      strings: strings.out,
      sampleTypes,
      valuesPerSample: 1,
      sampleCount,
      values,
      locOffsets,
      locs,
      labelOffsets: new Uint32Array(sampleCount + 1),
      labelKey: new Int32Array(0),
      labelStr: new Int32Array(0),
      labelNum: new Float64Array(0),
      labelNumUnit: new Int32Array(0),
      locationCount: locCount,
      locationId: ids(locCount),
      locationMapping,
      locationAddressHi,
      locationAddressLo,
      locationIsFolded,
      lineOffsets,
      lineFunction,
      lineNumber,
      functionCount: fnCount,
      functionId: ids(fnCount),
      functionName,
      functionSystemName,
      functionFilename,
      functionStartLine,
      mappingCount: mapCount,
      mappingId: ids(mapCount),
      mappingStartHi: col(MappingCol.StartHi),
      mappingStartLo: col(MappingCol.StartLo),
      mappingLimitHi: col(MappingCol.LimitHi),
      mappingLimitLo: col(MappingCol.LimitLo),
      mappingOffsetHi: col(MappingCol.OffsetHi),
      mappingOffsetLo: col(MappingCol.OffsetLo),
      mappingFilename,
      mappingBuildId,
      mappingFlags,
      dropFrames: 0,
      keepFrames: 0,
      timeNanos,
      durationNanos,
      periodType,
      period,
      comments: new Int32Array(0),
      defaultSampleType: 0,
    };
  }

  private copyFunction(src: SymbolsData, fn: number): number {
    return copyRow(src.functions, fn, this.symbols.functions, this.small, [FunctionCol.Name, FunctionCol.SystemName, FunctionCol.Filename], src, this.symbols);
  }

  private copyMapping(src: SymbolsData, m: number): number {
    return copyRow(src.mappings, m, this.symbols.mappings, this.small, [MappingCol.Filename, MappingCol.BuildId], src, this.symbols);
  }
}

/** Copies a fixed-width row, re-interning its string columns. */
function copyRow(from: RowTable, id: number, to: DedupTable, scratch: Uint32Array, stringCols: readonly number[], src: SymbolsData, dst: SymbolTables): number {
  const o = from.rowStart(id);
  const len = from.rowLength(id);
  for (let i = 0; i < len; i++) scratch[i] = from.data[o + i]!;
  for (const c of stringCols) scratch[c] = dst.strings.intern(src.strings.strings[scratch[c]!]!);
  return to.insert(scratch, 0, len);
}

/** Ids 1..n, the pprof ids of the output tables. */
function ids(n: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = i + 1;
  return a;
}

/** Keeps only the strings the output references, in first-use order after "". */
class StringRemap {
  readonly out: string[] = [""];
  private readonly map = new Map<number, number>([[0, 0]]);
  private readonly byValue = new Map<string, number>([["", 0]]);

  constructor(private readonly src: string[]) {}

  remap(i: number): number {
    let j = this.map.get(i);
    if (j === undefined) {
      j = this.id(this.src[i]!);
      this.map.set(i, j);
    }
    return j;
  }

  id(s: string): number {
    let j = this.byValue.get(s);
    if (j === undefined) {
      j = this.out.length;
      this.out.push(s);
      this.byValue.set(s, j);
    }
    return j;
  }
}
