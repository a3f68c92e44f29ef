/**
 * FlatProfile → raw (not gzipped) pprof protobuf. Table indices become fresh dense ids
 * (index + 1), so the output never depends on the ids the profile was decoded with.
 * Fields are written in field-number order, repeated scalars packed, and zero/false
 * scalars omitted, as proto3 encoders do.
 */
import type { FlatProfile } from "./flat-profile.js";
import { MappingFlag } from "./flat-profile.js";
import { ProtoWriter } from "./writer.js";

/** Encodes a FlatProfile as a raw pprof Profile message. */
export function encodePprof(p: FlatProfile): Uint8Array {
  const w = new ProtoWriter(estimateBytes(p));
  writeSampleTypes(w, p);
  writeSamples(w, p);
  writeMappings(w, p);
  writeLocations(w, p);
  writeFunctions(w, p);
  for (const s of p.strings) w.stringField(6, s);
  w.int64Field(7, p.dropFrames);
  w.int64Field(8, p.keepFrames);
  w.int64BigField(9, p.timeNanos);
  w.int64BigField(10, p.durationNanos);
  if (p.periodType[0] !== 0 || p.periodType[1] !== 0) {
    const m = w.fork(11);
    w.int64Field(1, p.periodType[0]!);
    w.int64Field(2, p.periodType[1]!);
    w.end(m);
  }
  w.int64Field(12, p.period);
  if (p.comments.length > 0) {
    const m = w.fork(13);
    for (let i = 0; i < p.comments.length; i++) w.int64(p.comments[i]!);
    w.end(m);
  }
  w.int64Field(14, p.defaultSampleType);
  return w.finish();
}

/** A capacity hint close enough that the writer rarely regrows. */
function estimateBytes(p: FlatProfile): number {
  let strBytes = 0;
  for (const s of p.strings) strBytes += s.length + 2;
  return (
    64 +
    strBytes +
    p.sampleCount * 6 +
    p.locs.length * 2 +
    p.values.length * 5 +
    p.labelKey.length * 12 +
    p.locationCount * 16 +
    p.lineNumber.length * 8 +
    p.functionCount * 16 +
    p.mappingCount * 48
  );
}

function writeSampleTypes(w: ProtoWriter, p: FlatProfile): void {
  const st = p.sampleTypes;
  for (let i = 0; i + 1 < st.length; i += 2) {
    const m = w.fork(1);
    w.int64Field(1, st[i]!);
    w.int64Field(2, st[i + 1]!);
    w.end(m);
  }
}

function writeSamples(w: ProtoWriter, p: FlatProfile): void {
  const { locOffsets, locs, labelOffsets, labelKey, labelStr, labelNum, labelNumUnit, values } = p;
  const vps = p.valuesPerSample;
  for (let s = 0; s < p.sampleCount; s++) {
    const m = w.fork(2);
    const l0 = locOffsets[s]!;
    const l1 = locOffsets[s + 1]!;
    if (l1 > l0) {
      const k = w.fork(1);
      for (let i = l0; i < l1; i++) w.uint32(locs[i]! + 1);
      w.end(k);
    }
    if (vps > 0) {
      const k = w.fork(2);
      const v0 = s * vps;
      for (let i = v0; i < v0 + vps; i++) w.int64(values[i]!);
      w.end(k);
    }
    for (let j = labelOffsets[s]!; j < labelOffsets[s + 1]!; j++) {
      const k = w.fork(3);
      w.int64Field(1, labelKey[j]!);
      w.int64Field(2, labelStr[j]!);
      w.int64Field(3, labelNum[j]!);
      w.int64Field(4, labelNumUnit[j]!);
      w.end(k);
    }
    w.end(m);
  }
}

function writeMappings(w: ProtoWriter, p: FlatProfile): void {
  for (let i = 0; i < p.mappingCount; i++) {
    const m = w.fork(3);
    w.int64Field(1, i + 1);
    w.uint64Field(2, p.mappingStartHi[i]!, p.mappingStartLo[i]!);
    w.uint64Field(3, p.mappingLimitHi[i]!, p.mappingLimitLo[i]!);
    w.uint64Field(4, p.mappingOffsetHi[i]!, p.mappingOffsetLo[i]!);
    w.int64Field(5, p.mappingFilename[i]!);
    w.int64Field(6, p.mappingBuildId[i]!);
    const flags = p.mappingFlags[i]!;
    w.boolField(7, (flags & MappingFlag.HasFunctions) !== 0);
    w.boolField(8, (flags & MappingFlag.HasFilenames) !== 0);
    w.boolField(9, (flags & MappingFlag.HasLineNumbers) !== 0);
    w.boolField(10, (flags & MappingFlag.HasInlineFrames) !== 0);
    w.end(m);
  }
}

function writeLocations(w: ProtoWriter, p: FlatProfile): void {
  const { lineOffsets, lineFunction, lineNumber } = p;
  for (let i = 0; i < p.locationCount; i++) {
    const m = w.fork(4);
    w.int64Field(1, i + 1);
    w.int64Field(2, p.locationMapping[i]! + 1);
    w.uint64Field(3, p.locationAddressHi[i]!, p.locationAddressLo[i]!);
    for (let j = lineOffsets[i]!; j < lineOffsets[i + 1]!; j++) {
      const k = w.fork(4);
      w.int64Field(1, lineFunction[j]! + 1);
      w.int64Field(2, lineNumber[j]!);
      w.end(k);
    }
    w.boolField(5, p.locationIsFolded[i] !== 0);
    w.end(m);
  }
}

function writeFunctions(w: ProtoWriter, p: FlatProfile): void {
  for (let i = 0; i < p.functionCount; i++) {
    const m = w.fork(5);
    w.int64Field(1, i + 1);
    w.int64Field(2, p.functionName[i]!);
    w.int64Field(3, p.functionSystemName[i]!);
    w.int64Field(4, p.functionFilename[i]!);
    w.int64Field(5, p.functionStartLine[i]!);
    w.end(m);
  }
}
