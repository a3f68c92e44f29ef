/**
 * The pprof decoder on the ingest hot path: one pass over the protobuf bytes appends
 * every table straight into growable typed arrays (no object per sample, location or
 * function), then a fix-up pass (decode-resolve.ts) turns pprof ids into table indices
 * and validates every reference. Fields may come in any order, repeated scalars may be
 * packed or not, and unknown fields are skipped by wire type.
 *
 * Numbers: int64/uint64 fields are held as float64, exact below 2^53; larger magnitudes
 * are rounded (no real profile has them, and ids that collide after rounding are
 * rejected as duplicates). Addresses keep all 64 bits as hi/lo halves, and
 * time_nanos/duration_nanos are exact bigints.
 *
 * Ids: 0 means "none" in references, so an entity with id 0 can exist but never be
 * referenced; a table whose ids are *all* 0 is taken as positional (1..n), see
 * decode-resolve.ts. Fields newer than our profile.proto (Profile.doc_url = 15,
 * Line.column = 3) have no place in FlatProfile and are skipped like any unknown field.
 */
import type { FlatProfile } from "./flat-profile.js";
import { MappingFlag } from "./flat-profile.js";
import { F64Vec, I32Vec, U32Vec, U8Vec } from "./growable.js";
import { ProtoReader, malformed } from "./reader.js";
import { decodeString } from "./strings.js";
import { resolveProfile } from "./decode-resolve.js";

// Field keys below are written as literals, (field << 3) | wire type, annotated
// "field:wire type", so that switch cases stay compile-time constants.

/** Everything appended during the single pass, before ids are resolved. */
export class DecodeState {
  strings: string[] = [];
  sampleTypes: I32Vec;
  /** Values per sample as seen on the first sample; -1 before any sample. */
  valuesPerSample = -1;
  values: F64Vec;
  /**
   * Raw pprof location ids of all samples, concatenated (decode-resolve.ts maps them to
   * indices). Ids of 2^32-1 and above (never seen in practice) are stored as 0xffffffff
   * with the real id in bigLocIds, keyed by position.
   */
  locIds: U32Vec;
  bigLocIds: Map<number, number> | null = null;
  locOffsets: U32Vec;
  labelOffsets: U32Vec;
  labelKey: I32Vec;
  labelStr: I32Vec;
  labelNum: F64Vec;
  labelNumUnit: I32Vec;

  locationId: F64Vec;
  /** Raw pprof mapping id per location (0 = none). */
  locationMappingId: F64Vec;
  locationAddressHi: U32Vec;
  locationAddressLo: U32Vec;
  locationIsFolded: U8Vec;
  lineOffsets: U32Vec;
  /** Raw pprof function id per line (0 = none). */
  lineFunctionId: F64Vec;
  lineNumber: F64Vec;

  functionId: F64Vec;
  functionName: I32Vec;
  functionSystemName: I32Vec;
  functionFilename: I32Vec;
  functionStartLine: F64Vec;

  mappingId: F64Vec;
  mappingStartHi: U32Vec;
  mappingStartLo: U32Vec;
  mappingLimitHi: U32Vec;
  mappingLimitLo: U32Vec;
  mappingOffsetHi: U32Vec;
  mappingOffsetLo: U32Vec;
  mappingFilename: I32Vec;
  mappingBuildId: I32Vec;
  mappingFlags: U8Vec;

  dropFrames = 0;
  keepFrames = 0;
  timeHi = 0;
  timeLo = 0;
  durationHi = 0;
  durationLo = 0;
  periodTypeType = 0;
  periodTypeUnit = 0;
  period = 0;
  comments: I32Vec;
  defaultSampleType = 0;

  /** Records a location id too large for locIds; returns the placeholder to store. */
  readonly onLargeLocId = (position: number, id: number): number => {
    (this.bigLocIds ??= new Map()).set(position, id);
    return 0xffffffff;
  };

  /** byteLength sizes the first allocation; 0 for a state that will be reused. */
  constructor(byteLength: number) {
    // Capacity hints proportional to the input keep regrowth to a few doublings.
    const big = Math.max(64, byteLength >>> 2);
    const mid = Math.max(32, byteLength >>> 6);
    const small = Math.max(16, byteLength >>> 9);
    this.sampleTypes = new I32Vec(8);
    this.values = new F64Vec(mid);
    this.locIds = new U32Vec(big);
    this.locOffsets = new U32Vec(mid);
    this.labelOffsets = new U32Vec(mid);
    this.labelKey = new I32Vec(small);
    this.labelStr = new I32Vec(small);
    this.labelNum = new F64Vec(small);
    this.labelNumUnit = new I32Vec(small);
    this.locationId = new F64Vec(mid);
    this.locationMappingId = new F64Vec(mid);
    this.locationAddressHi = new U32Vec(mid);
    this.locationAddressLo = new U32Vec(mid);
    this.locationIsFolded = new U8Vec(mid);
    this.lineOffsets = new U32Vec(mid);
    this.lineFunctionId = new F64Vec(mid);
    this.lineNumber = new F64Vec(mid);
    this.functionId = new F64Vec(small);
    this.functionName = new I32Vec(small);
    this.functionSystemName = new I32Vec(small);
    this.functionFilename = new I32Vec(small);
    this.functionStartLine = new F64Vec(small);
    this.mappingId = new F64Vec(8);
    this.mappingStartHi = new U32Vec(8);
    this.mappingStartLo = new U32Vec(8);
    this.mappingLimitHi = new U32Vec(8);
    this.mappingLimitLo = new U32Vec(8);
    this.mappingOffsetHi = new U32Vec(8);
    this.mappingOffsetLo = new U32Vec(8);
    this.mappingFilename = new I32Vec(8);
    this.mappingBuildId = new I32Vec(8);
    this.mappingFlags = new U8Vec(8);
    this.comments = new I32Vec(4);
    this.reset();
  }

  /** Empties every table, keeping the allocated capacity. */
  reset(): void {
    this.strings = [];
    this.valuesPerSample = -1;
    this.bigLocIds = null;
    for (const v of [
      this.sampleTypes, this.values, this.locIds, this.locOffsets, this.labelOffsets, this.labelKey, this.labelStr,
      this.labelNum, this.labelNumUnit, this.locationId, this.locationMappingId, this.locationAddressHi,
      this.locationAddressLo, this.locationIsFolded, this.lineOffsets, this.lineFunctionId, this.lineNumber,
      this.functionId, this.functionName, this.functionSystemName, this.functionFilename, this.functionStartLine,
      this.mappingId, this.mappingStartHi, this.mappingStartLo, this.mappingLimitHi, this.mappingLimitLo,
      this.mappingOffsetHi, this.mappingOffsetLo, this.mappingFilename, this.mappingBuildId, this.mappingFlags,
      this.comments,
    ]) {
      v.n = 0;
    }
    this.locOffsets.push(0);
    this.labelOffsets.push(0);
    this.lineOffsets.push(0);
    this.dropFrames = this.keepFrames = 0;
    this.timeHi = this.timeLo = this.durationHi = this.durationLo = 0;
    this.periodTypeType = this.periodTypeUnit = this.period = 0;
    this.defaultSampleType = 0;
  }
}

// Inputs up to this size decode into one reused DecodeState, so the steady state of
// many small pushes allocates no scratch arrays at all. Every scratch element costs at
// least one input byte, so what stays pinned is bounded (~16 MiB in the worst case);
// a state sized for a bigger input is dropped after use.
const REUSE_MAX_INPUT_BYTES = 1 << 20;
let spare: DecodeState | null = null;

/**
 * Decodes a raw (not gzipped) pprof Profile message into a FlatProfile. Throws only
 * InvalidArgumentError("invalid_profile"), with the field and byte offset at fault.
 */
export function decodePprof(bytes: Uint8Array): FlatProfile {
  // A Buffer (or other subclass) would make the hot loads polymorphic; a plain view is free.
  if (bytes.constructor !== Uint8Array) bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reuse = bytes.length <= REUSE_MAX_INPUT_BYTES;
  let s: DecodeState;
  if (reuse && spare !== null) {
    s = spare;
    spare = null;
    s.reset();
  } else {
    s = new DecodeState(reuse ? 0 : bytes.length);
  }
  try {
    readProfile(new ProtoReader(bytes), s, bytes.length);
    return resolveProfile(s);
  } finally {
    if (reuse) spare = s;
  }
}

function readProfile(r: ProtoReader, s: DecodeState, end: number): void {
  const bytes = r.buf;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    switch (tag) {
      case 0x12 /* 2:len */:
        readSample(r, s, r.lenEnd(end, "sample"));
        break;
      case 0x22 /* 4:len */:
        readLocation(r, s, r.lenEnd(end, "location"));
        break;
      case 0x2a /* 5:len */:
        readFunction(r, s, r.lenEnd(end, "function"));
        break;
      case 0x32 /* 6:len */: {
        const e = r.lenEnd(end, "string_table");
        s.strings.push(decodeString(bytes, r.pos, e, s.strings.length));
        r.pos = e;
        break;
      }
      case 0x1a /* 3:len */:
        readMapping(r, s, r.lenEnd(end, "mapping"));
        break;
      case 0x0a /* 1:len */: {
        const e = r.lenEnd(end, "sample_type");
        readValueType(r, e, "sample_type");
        s.sampleTypes.push(vtType);
        s.sampleTypes.push(vtUnit);
        break;
      }
      case 0x38 /* 7:varint */:
        s.dropFrames = r.strIdx();
        break;
      case 0x40 /* 8:varint */:
        s.keepFrames = r.strIdx();
        break;
      case 0x48 /* 9:varint */:
        r.varint64();
        s.timeHi = r.hi;
        s.timeLo = r.lo;
        break;
      case 0x50 /* 10:varint */:
        r.varint64();
        s.durationHi = r.hi;
        s.durationLo = r.lo;
        break;
      case 0x5a /* 11:len */: {
        const e = r.lenEnd(end, "period_type");
        readValueType(r, e, "period_type");
        s.periodTypeType = vtType;
        s.periodTypeUnit = vtUnit;
        break;
      }
      case 0x60 /* 12:varint */:
        s.period = r.int();
        break;
      case 0x68 /* 13:varint */:
        s.comments.push(r.strIdx());
        break;
      case 0x6a /* 13:len */: {
        const e = r.lenEnd(end, "comment");
        while (r.pos < e) s.comments.push(r.strIdx());
        if (r.pos !== e) malformed("comment: packed varints overrun their field", at);
        break;
      }
      case 0x70 /* 14:varint */:
        s.defaultSampleType = r.strIdx();
        break;
      default:
        if (tag >>> 3 <= 14) r.badWireType(tag, "profile", at);
        r.skip(tag, end, "profile", at);
    }
  }
  if (r.pos !== end) malformed("profile: truncated input", end);
}

// ValueType results; module-level so reading one allocates nothing.
let vtType = 0;
let vtUnit = 0;

function readValueType(r: ProtoReader, end: number, what: string): void {
  const start = r.pos;
  let type = 0;
  let unit = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag === 0x08 /* 1:varint */) type = r.strIdx();
    else if (tag === 0x10 /* 2:varint */) unit = r.strIdx();
    else if (tag >>> 3 <= 2) r.badWireType(tag, what, at);
    else r.skip(tag, end, what, at);
  }
  if (r.pos !== end) malformed(`${what}: message overruns its length`, start);
  vtType = type;
  vtUnit = unit;
}

function readSample(r: ProtoReader, s: DecodeState, end: number): void {
  const start = r.pos;
  let nValues = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    switch (tag) {
      case 0x0a /* 1:len */: {
        const e = r.lenEnd(end, "sample.location_id");
        const v = s.locIds;
        v.n = r.packedUint32(e, v.reserve(e - r.pos), v.n, s.onLargeLocId);
        if (r.pos !== e) malformed("sample.location_id: packed varints overrun their field", at);
        break;
      }
      case 0x12 /* 2:len */: {
        const e = r.lenEnd(end, "sample.value");
        const v = s.values;
        const n0 = v.n;
        v.n = r.packedInt(e, v.reserve(e - r.pos), n0);
        nValues += v.n - n0;
        if (r.pos !== e) malformed("sample.value: packed varints overrun their field", at);
        break;
      }
      case 0x1a /* 3:len */:
        readLabel(r, s, r.lenEnd(end, "sample.label"));
        break;
      case 0x08 /* 1:varint */: {
        const id = r.uint();
        s.locIds.push(id < 0xffffffff ? id : s.onLargeLocId(s.locIds.n, id));
        break;
      }
      case 0x10 /* 2:varint */:
        s.values.push(r.int());
        nValues++;
        break;
      default:
        if (tag >>> 3 <= 3) r.badWireType(tag, "sample", at);
        r.skip(tag, end, "sample", at);
    }
  }
  if (r.pos !== end) malformed("sample: message overruns its length", start);
  s.locOffsets.push(s.locIds.n);
  s.labelOffsets.push(s.labelKey.n);
  if (s.valuesPerSample < 0) s.valuesPerSample = nValues;
  else if (nValues !== s.valuesPerSample) {
    malformed(
      `sample ${s.locOffsets.n - 2} has ${nValues} values but earlier samples have ${s.valuesPerSample}`,
      start,
    );
  }
}

function readLabel(r: ProtoReader, s: DecodeState, end: number): void {
  const start = r.pos;
  let k = 0;
  let str = 0;
  let num = 0;
  let unit = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    switch (tag) {
      case 0x08 /* 1:varint */:
        k = r.strIdx();
        break;
      case 0x10 /* 2:varint */:
        str = r.strIdx();
        break;
      case 0x18 /* 3:varint */:
        num = r.int();
        break;
      case 0x20 /* 4:varint */:
        unit = r.strIdx();
        break;
      default:
        if (tag >>> 3 <= 4) r.badWireType(tag, "label", at);
        r.skip(tag, end, "label", at);
    }
  }
  if (r.pos !== end) malformed("label: message overruns its length", start);
  s.labelKey.push(k);
  s.labelStr.push(str);
  s.labelNum.push(num);
  s.labelNumUnit.push(unit);
}

function readLocation(r: ProtoReader, s: DecodeState, end: number): void {
  const start = r.pos;
  let id = 0;
  let mappingId = 0;
  let addrHi = 0;
  let addrLo = 0;
  let folded = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    switch (tag) {
      case 0x22 /* 4:len */:
        readLine(r, s, r.lenEnd(end, "location.line"));
        break;
      case 0x08 /* 1:varint */:
        id = r.uint();
        break;
      case 0x10 /* 2:varint */:
        mappingId = r.uint();
        break;
      case 0x18 /* 3:varint */:
        r.varint64();
        addrHi = r.hi;
        addrLo = r.lo;
        break;
      case 0x28 /* 5:varint */:
        folded = r.uint() !== 0 ? 1 : 0;
        break;
      default:
        if (tag >>> 3 <= 5) r.badWireType(tag, "location", at);
        r.skip(tag, end, "location", at);
    }
  }
  if (r.pos !== end) malformed("location: message overruns its length", start);
  s.locationId.push(id);
  s.locationMappingId.push(mappingId);
  s.locationAddressHi.push(addrHi);
  s.locationAddressLo.push(addrLo);
  s.locationIsFolded.push(folded);
  s.lineOffsets.push(s.lineNumber.n);
}

function readLine(r: ProtoReader, s: DecodeState, end: number): void {
  const start = r.pos;
  let fn = 0;
  let line = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag === 0x08 /* 1:varint */) fn = r.uint();
    else if (tag === 0x10 /* 2:varint */) line = r.int();
    else if (tag >>> 3 <= 2) r.badWireType(tag, "line", at);
    else r.skip(tag, end, "line", at);
  }
  if (r.pos !== end) malformed("line: message overruns its length", start);
  s.lineFunctionId.push(fn);
  s.lineNumber.push(line);
}

function readFunction(r: ProtoReader, s: DecodeState, end: number): void {
  const start = r.pos;
  let id = 0;
  let name = 0;
  let systemName = 0;
  let filename = 0;
  let startLine = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    switch (tag) {
      case 0x08 /* 1:varint */:
        id = r.uint();
        break;
      case 0x10 /* 2:varint */:
        name = r.strIdx();
        break;
      case 0x18 /* 3:varint */:
        systemName = r.strIdx();
        break;
      case 0x20 /* 4:varint */:
        filename = r.strIdx();
        break;
      case 0x28 /* 5:varint */:
        startLine = r.int();
        break;
      default:
        if (tag >>> 3 <= 5) r.badWireType(tag, "function", at);
        r.skip(tag, end, "function", at);
    }
  }
  if (r.pos !== end) malformed("function: message overruns its length", start);
  s.functionId.push(id);
  s.functionName.push(name);
  s.functionSystemName.push(systemName);
  s.functionFilename.push(filename);
  s.functionStartLine.push(startLine);
}

function readMapping(r: ProtoReader, s: DecodeState, end: number): void {
  const start = r.pos;
  let id = 0;
  let startHi = 0;
  let startLo = 0;
  let limitHi = 0;
  let limitLo = 0;
  let offsetHi = 0;
  let offsetLo = 0;
  let filename = 0;
  let buildId = 0;
  let flags = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    switch (tag) {
      case 0x08 /* 1:varint */:
        id = r.uint();
        break;
      case 0x10 /* 2:varint */:
        r.varint64();
        startHi = r.hi;
        startLo = r.lo;
        break;
      case 0x18 /* 3:varint */:
        r.varint64();
        limitHi = r.hi;
        limitLo = r.lo;
        break;
      case 0x20 /* 4:varint */:
        r.varint64();
        offsetHi = r.hi;
        offsetLo = r.lo;
        break;
      case 0x28 /* 5:varint */:
        filename = r.strIdx();
        break;
      case 0x30 /* 6:varint */:
        buildId = r.strIdx();
        break;
      case 0x38 /* 7:varint */:
        flags = r.uint() !== 0 ? flags | MappingFlag.HasFunctions : flags & ~MappingFlag.HasFunctions;
        break;
      case 0x40 /* 8:varint */:
        flags = r.uint() !== 0 ? flags | MappingFlag.HasFilenames : flags & ~MappingFlag.HasFilenames;
        break;
      case 0x48 /* 9:varint */:
        flags = r.uint() !== 0 ? flags | MappingFlag.HasLineNumbers : flags & ~MappingFlag.HasLineNumbers;
        break;
      case 0x50 /* 10:varint */:
        flags = r.uint() !== 0 ? flags | MappingFlag.HasInlineFrames : flags & ~MappingFlag.HasInlineFrames;
        break;
      default:
        if (tag >>> 3 <= 10) r.badWireType(tag, "mapping", at);
        r.skip(tag, end, "mapping", at);
    }
  }
  if (r.pos !== end) malformed("mapping: message overruns its length", start);
  s.mappingId.push(id);
  s.mappingStartHi.push(startHi);
  s.mappingStartLo.push(startLo);
  s.mappingLimitHi.push(limitHi);
  s.mappingLimitLo.push(limitLo);
  s.mappingOffsetHi.push(offsetHi);
  s.mappingOffsetLo.push(offsetLo);
  s.mappingFilename.push(filename);
  s.mappingBuildId.push(buildId);
  s.mappingFlags.push(flags);
}
