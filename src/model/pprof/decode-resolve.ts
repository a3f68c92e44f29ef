/**
 * The fix-up pass of the decoder: pprof ids become table indices and every reference
 * (string, location, function, mapping) is checked, since the tables may arrive in any
 * order and only now are all of them known. The result's arrays are exact-size views of
 * one slab (see slab.ts), filled straight from the decoder's scratch tables.
 */
import { InvalidArgumentError } from "../errors.js";
import type { FlatProfile } from "./flat-profile.js";
import type { DecodeState } from "./decode.js";
import { Slab, slabBytes } from "./slab.js";

function invalid(message: string): never {
  throw new InvalidArgumentError("invalid_profile", `invalid pprof profile: ${message}`);
}

// Dense id → index tables, one per kind of id, reused across decodes while small.
const DENSE_KEEP_MAX = 1 << 16;
const denseScratch: Int32Array[] = [new Int32Array(256), new Int32Array(256), new Int32Array(256)];

/**
 * id → table index. Dense (an Int32Array indexed by id) when ids are small relative to
 * the table, which is what every profiler emits (1..n); a Map otherwise.
 */
class IdIndex {
  readonly dense: Int32Array | null;
  /** Ids below this are looked up in `dense`. */
  readonly limit: number;
  readonly map: Map<number, number> | null;

  constructor(ids: Float64Array, what: string, slot: number) {
    const n = ids.length;
    let max = 0;
    for (let i = 0; i < n; i++) if (ids[i]! > max) max = ids[i]!;
    // Bounded by the input size (every entry took input bytes), so allocation is safe.
    if (max <= 2 * n + 1024) {
      let d = denseScratch[slot]!;
      if (d.length <= max) {
        d = new Int32Array(Math.max(max + 1, d.length * 2));
        if (d.length <= DENSE_KEEP_MAX) denseScratch[slot] = d;
      }
      d.fill(-1, 0, max + 1);
      for (let i = 0; i < n; i++) {
        const id = ids[i]!;
        if (id === 0) continue;
        if (d[id] !== -1) invalid(`duplicate ${what} id ${id}`);
        d[id] = i;
      }
      this.dense = d;
      this.limit = max + 1;
      this.map = null;
    } else {
      const m = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const id = ids[i]!;
        if (id === 0) continue;
        if (m.has(id)) invalid(`duplicate ${what} id ${id}`);
        m.set(id, i);
      }
      this.dense = null;
      this.limit = 0;
      this.map = m;
    }
  }

  get(id: number): number {
    if (this.dense !== null) return id < this.limit ? this.dense[id]! : -1;
    const i = this.map!.get(id);
    return i === undefined ? -1 : i;
  }
}

/**
 * Copies pprof ids; a table where *every* id is 0 gets positional ids (1..n). Some .NET
 * profilers write functions without ids while lines refer to them as 1..n; a table like
 * that could not be referenced at all otherwise.
 */
function copyIds(raw: Float64Array, n: number, out: Float64Array): void {
  let allZero = n > 0;
  for (let i = 0; i < n; i++) {
    const id = raw[i]!;
    out[i] = id;
    if (id !== 0) allZero = false;
  }
  if (allZero) for (let i = 0; i < n; i++) out[i] = i + 1;
}

/** Index of the group (sample or location) that owns element `i` of a CSR layout. */
function ownerOf(offsets: Uint32Array, i: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (offsets[mid]! <= i) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Resolves sample location ids to location indices; returns the position of the first
 * id that is not defined, or -1. 0xffffffff marks an id kept in `big` (see
 * DecodeState.locIds) unless `big` has no entry for that position.
 */
function resolveLocations(ids: Uint32Array, big: Map<number, number> | null, index: IdIndex, out: Uint32Array): number {
  const n = out.length;
  const d = index.dense;
  if (d !== null && big === null) {
    const limit = index.limit;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      const j = id < limit ? d[id]! : -1;
      if (j < 0) return i;
      out[i] = j;
    }
    return -1;
  }
  for (let i = 0; i < n; i++) {
    const j = index.get(bigId(ids, big, i));
    if (j < 0) return i;
    out[i] = j;
  }
  return -1;
}

/** The real id at position i of DecodeState.locIds. */
function bigId(ids: Uint32Array, big: Map<number, number> | null, i: number): number {
  const id = ids[i]!;
  return id === 0xffffffff && big !== null ? (big.get(i) ?? id) : id;
}

/** Resolves optional references (id 0 means none: -1); returns the first undefined position, or -1. */
function resolveOptional(raw: Float64Array, index: IdIndex, out: Int32Array): number {
  const n = out.length;
  const d = index.dense;
  if (d !== null) {
    const limit = index.limit;
    for (let i = 0; i < n; i++) {
      const id = raw[i]!;
      const j = id < limit ? d[id]! : -1;
      if (j < 0 && id !== 0) return i;
      out[i] = j;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const id = raw[i]!;
      const j = id === 0 ? -1 : index.get(id);
      if (j < 0 && id !== 0) return i;
      out[i] = j;
    }
  }
  return -1;
}

/** Copies `src[0, out.length)` into `out`, returning `out`. */
function copy<T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(src: T, out: T): T {
  const n = out.length;
  // Short tables (most of them, in most profiles) copy faster than a subarray view is made.
  if (n <= 32) for (let i = 0; i < n; i++) out[i] = src[i]!;
  else out.set(src.subarray(0, n));
  return out;
}

/** Position of the first string index in `arr` outside the table, or -1. */
function badString(arr: Int32Array, nStrings: number): number {
  for (let i = 0; i < arr.length; i++) if (arr[i]! >>> 0 >= nStrings) return i;
  return -1;
}

function stringOutOfRange(what: string, v: number, nStrings: number): never {
  invalid(
    `${what}: string index ${v < 0 ? "(negative or too large)" : v} is out of range ` +
      `(the string table has ${nStrings} entries)`,
  );
}

/** Turns the state of the single pass into a validated FlatProfile. */
export function resolveProfile(s: DecodeState): FlatProfile {
  const strings = s.strings.length === 0 ? [""] : s.strings;
  if (strings[0] !== "") invalid("string_table[0] must be the empty string");

  const nSampleTypes = s.sampleTypes.n >>> 1;
  const nSamples = s.locOffsets.n - 1;
  if (nSamples > 0 && s.valuesPerSample !== nSampleTypes) {
    invalid(`samples have ${s.valuesPerSample} values but the profile has ${nSampleTypes} sample types`);
  }
  const nValues = s.values.n;
  const nLocs = s.locIds.n;
  const nLabels = s.labelKey.n;
  const nLocations = s.locationId.n;
  const nLines = s.lineNumber.n;
  const nFunctions = s.functionId.n;
  const nMappings = s.mappingId.n;
  const nComments = s.comments.n;

  const slab = new Slab(
    slabBytes(nValues + nLabels + nLocations + nLines + 2 * nFunctions + nMappings, 8) +
      slabBytes(2 * (nSamples + 1) + nLocs + 3 * nLocations + 1 + 6 * nMappings, 4) +
      slabBytes(2 * nSampleTypes + 3 * nLabels + nLocations + nLines + 3 * nFunctions + 2 * nMappings + 2 + nComments, 4) +
      slabBytes(nLocations + nMappings, 1) +
      // slabBytes rounds each section up; this covers the rounding of every view below.
      40 * 8,
  );

  const locationId = slab.f64(nLocations);
  const functionId = slab.f64(nFunctions);
  const mappingId = slab.f64(nMappings);
  copyIds(s.locationId.a, nLocations, locationId);
  copyIds(s.functionId.a, nFunctions, functionId);
  copyIds(s.mappingId.a, nMappings, mappingId);
  const locationIndex = new IdIndex(locationId, "location", 0);
  const functionIndex = new IdIndex(functionId, "function", 1);
  const mappingIndex = new IdIndex(mappingId, "mapping", 2);

  const locOffsets = copy(s.locOffsets.a, slab.u32(nSamples + 1));
  const locs = slab.u32(nLocs);
  let bad = resolveLocations(s.locIds.a, s.bigLocIds, locationIndex, locs);
  if (bad >= 0) {
    const id = bigId(s.locIds.a, s.bigLocIds, bad);
    invalid(`sample ${ownerOf(locOffsets, bad)} references location id ${id}, which is not defined`);
  }
  const locationMapping = slab.i32(nLocations);
  bad = resolveOptional(s.locationMappingId.a, mappingIndex, locationMapping);
  if (bad >= 0) {
    invalid(`location id ${locationId[bad]} references mapping id ${s.locationMappingId.a[bad]}, which is not defined`);
  }
  const lineOffsets = copy(s.lineOffsets.a, slab.u32(nLocations + 1));
  const lineFunction = slab.i32(nLines);
  bad = resolveOptional(s.lineFunctionId.a, functionIndex, lineFunction);
  if (bad >= 0) {
    invalid(
      `a line of location id ${locationId[ownerOf(lineOffsets, bad)]} references function id ` +
        `${s.lineFunctionId.a[bad]}, which is not defined`,
    );
  }

  const sampleTypes = copy(s.sampleTypes.a, slab.i32(2 * nSampleTypes));
  const labelOffsets = copy(s.labelOffsets.a, slab.u32(nSamples + 1));
  const labelKey = copy(s.labelKey.a, slab.i32(nLabels));
  const labelStr = copy(s.labelStr.a, slab.i32(nLabels));
  const labelNumUnit = copy(s.labelNumUnit.a, slab.i32(nLabels));
  const functionName = copy(s.functionName.a, slab.i32(nFunctions));
  const functionSystemName = copy(s.functionSystemName.a, slab.i32(nFunctions));
  const functionFilename = copy(s.functionFilename.a, slab.i32(nFunctions));
  const mappingFilename = copy(s.mappingFilename.a, slab.i32(nMappings));
  const mappingBuildId = copy(s.mappingBuildId.a, slab.i32(nMappings));
  const comments = copy(s.comments.a, slab.i32(nComments));
  const periodType = slab.i32(2);
  periodType[0] = s.periodTypeType;
  periodType[1] = s.periodTypeUnit;

  const p: FlatProfile = {
    strings,
    sampleTypes,
    valuesPerSample: nSampleTypes,
    sampleCount: nSamples,
    values: copy(s.values.a, slab.f64(nValues)),
    locOffsets,
    locs,
    labelOffsets,
    labelKey,
    labelStr,
    labelNum: copy(s.labelNum.a, slab.f64(nLabels)),
    labelNumUnit,
    locationCount: nLocations,
    locationId,
    locationMapping,
    locationAddressHi: copy(s.locationAddressHi.a, slab.u32(nLocations)),
    locationAddressLo: copy(s.locationAddressLo.a, slab.u32(nLocations)),
    locationIsFolded: copy(s.locationIsFolded.a, slab.u8(nLocations)),
    lineOffsets,
    lineFunction,
    lineNumber: copy(s.lineNumber.a, slab.f64(nLines)),
    functionCount: nFunctions,
    functionId,
    functionName,
    functionSystemName,
    functionFilename,
    functionStartLine: copy(s.functionStartLine.a, slab.f64(nFunctions)),
    mappingCount: nMappings,
    mappingId,
    mappingStartHi: copy(s.mappingStartHi.a, slab.u32(nMappings)),
    mappingStartLo: copy(s.mappingStartLo.a, slab.u32(nMappings)),
    mappingLimitHi: copy(s.mappingLimitHi.a, slab.u32(nMappings)),
    mappingLimitLo: copy(s.mappingLimitLo.a, slab.u32(nMappings)),
    mappingOffsetHi: copy(s.mappingOffsetHi.a, slab.u32(nMappings)),
    mappingOffsetLo: copy(s.mappingOffsetLo.a, slab.u32(nMappings)),
    mappingFilename,
    mappingBuildId,
    mappingFlags: copy(s.mappingFlags.a, slab.u8(nMappings)),
    dropFrames: s.dropFrames,
    keepFrames: s.keepFrames,
    timeNanos: toInt64(s.timeHi, s.timeLo),
    durationNanos: toInt64(s.durationHi, s.durationLo),
    periodType,
    period: s.period,
    comments,
    defaultSampleType: s.defaultSampleType,
  };
  checkStringRefs(p);
  return p;
}

// The string-index fields of a FlatProfile, in the order checkStringRefs() reports them.
const STRING_FIELDS = [
  "sampleTypes",
  "labelKey",
  "labelStr",
  "labelNumUnit",
  "functionName",
  "functionSystemName",
  "functionFilename",
  "mappingFilename",
  "mappingBuildId",
  "comments",
  "periodType",
] as const;

/** Rejects any string index outside the string table, naming the field that holds it. */
function checkStringRefs(p: FlatProfile): void {
  const n = p.strings.length;
  for (const field of STRING_FIELDS) {
    const arr = p[field];
    const i = badString(arr, n);
    if (i >= 0) stringOutOfRange(describeStringRef(p, field, i), arr[i]!, n);
  }
  if (p.dropFrames >>> 0 >= n) stringOutOfRange("drop_frames", p.dropFrames, n);
  if (p.keepFrames >>> 0 >= n) stringOutOfRange("keep_frames", p.keepFrames, n);
  if (p.defaultSampleType >>> 0 >= n) stringOutOfRange("default_sample_type", p.defaultSampleType, n);
}

function describeStringRef(p: FlatProfile, field: (typeof STRING_FIELDS)[number], i: number): string {
  const label = (): string => `label ${i} of sample ${ownerOf(p.labelOffsets, i)}`;
  switch (field) {
    case "sampleTypes":
      return `sample_type[${i >>> 1}].${i & 1 ? "unit" : "type"}`;
    case "labelKey":
      return `${label()} key`;
    case "labelStr":
      return `${label()} str`;
    case "labelNumUnit":
      return `${label()} num_unit`;
    case "functionName":
      return `function id ${p.functionId[i]} name`;
    case "functionSystemName":
      return `function id ${p.functionId[i]} system_name`;
    case "functionFilename":
      return `function id ${p.functionId[i]} filename`;
    case "mappingFilename":
      return `mapping id ${p.mappingId[i]} filename`;
    case "mappingBuildId":
      return `mapping id ${p.mappingId[i]} build_id`;
    case "comments":
      return `comment[${i}]`;
    case "periodType":
      return `period_type.${i ? "unit" : "type"}`;
  }
}

function toInt64(hi: number, lo: number): bigint {
  if (hi === 0 && lo === 0) return 0n;
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}
