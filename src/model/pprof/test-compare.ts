/**
 * Assertions shared by the codec tests: a FlatProfile against pprof-format's object
 * model (the independent reference decoder), and two FlatProfiles against each other
 * with ids ignored.
 */
import assert from "node:assert/strict";
import type { Profile } from "pprof-format";
import type { FlatProfile } from "./flat-profile.js";
import { MappingFlag } from "./flat-profile.js";

type Numeric = number | bigint;

// pprof-format returns numbers up to 4 varint bytes and unsigned bigints beyond, so
// negative int64 values come back as 2^64 - |v|.
const i64 = (v: Numeric): number => Number(BigInt.asIntN(64, BigInt(v)));
const u64 = (v: Numeric): bigint => BigInt.asUintN(64, BigInt(v));
const hiLo = (hi: number, lo: number): bigint => (BigInt(hi) << 32n) | BigInt(lo);

/** Sum of each sample type's values over all samples. */
export function totals(p: FlatProfile): number[] {
  const out = new Array<number>(p.valuesPerSample).fill(0);
  for (let s = 0; s < p.sampleCount; s++) {
    for (let i = 0; i < p.valuesPerSample; i++) out[i]! += p.values[s * p.valuesPerSample + i]!;
  }
  return out;
}

/** Sum of each sample type's values in a pprof-format profile. */
export function referenceTotals(ref: Profile): number[] {
  const out = new Array<number>(ref.sampleType.length).fill(0);
  for (const s of ref.sample) s.value.forEach((v, i) => (out[i]! += i64(v)));
  return out;
}

/** Asserts that `flat` holds exactly what pprof-format decoded into `ref`. */
export function assertMatchesReference(flat: FlatProfile, ref: Profile, name: string): void {
  assert.deepEqual(flat.strings, ref.stringTable.strings, `${name}: string table`);
  assert.deepEqual(
    Array.from(flat.sampleTypes),
    ref.sampleType.flatMap((t) => [i64(t.type), i64(t.unit)]),
    `${name}: sample types`,
  );
  assert.equal(flat.sampleCount, ref.sample.length, `${name}: sample count`);
  assert.deepEqual(totals(flat), referenceTotals(ref), `${name}: per-sample-type totals`);

  for (let s = 0; s < ref.sample.length; s++) {
    const rs = ref.sample[s]!;
    const vals = Array.from(flat.values.subarray(s * flat.valuesPerSample, (s + 1) * flat.valuesPerSample));
    assert.deepEqual(vals, rs.value.map(i64), `${name}: sample ${s} values`);
    const ids = Array.from(flat.locs.subarray(flat.locOffsets[s], flat.locOffsets[s + 1]), (l) => flat.locationId[l]);
    assert.deepEqual(ids, rs.locationId.map((v) => Number(v)), `${name}: sample ${s} location ids`);
    const labels = [];
    for (let j = flat.labelOffsets[s]!; j < flat.labelOffsets[s + 1]!; j++) {
      labels.push([flat.labelKey[j], flat.labelStr[j], flat.labelNum[j], flat.labelNumUnit[j]]);
    }
    assert.deepEqual(
      labels,
      rs.label.map((l) => [i64(l.key), i64(l.str), i64(l.num), i64(l.numUnit)]),
      `${name}: sample ${s} labels`,
    );
  }

  // Tables where every id is 0 are positional (see decode-resolve.ts).
  const positional = (ids: Numeric[]): boolean => ids.length > 0 && ids.every((id) => Number(id) === 0);
  const fnIds = ref.function.map((f) => f.id);
  const fnId = (i: number): number => (positional(fnIds) ? i + 1 : Number(fnIds[i]));

  assert.equal(flat.locationCount, ref.location.length, `${name}: location count`);
  ref.location.forEach((l, i) => {
    const where = `${name}: location ${i}`;
    assert.equal(flat.locationId[i], Number(l.id), `${where} id`);
    const m = flat.locationMapping[i]!;
    assert.equal(m < 0 ? 0 : flat.mappingId[m], Number(l.mappingId), `${where} mapping`);
    assert.equal(hiLo(flat.locationAddressHi[i]!, flat.locationAddressLo[i]!), u64(l.address), `${where} address`);
    assert.equal(flat.locationIsFolded[i] === 1, l.isFolded, `${where} is_folded`);
    const lines = [];
    for (let j = flat.lineOffsets[i]!; j < flat.lineOffsets[i + 1]!; j++) {
      const f = flat.lineFunction[j]!;
      lines.push([f < 0 ? 0 : flat.functionId[f], flat.lineNumber[j]]);
    }
    assert.deepEqual(
      lines,
      l.line.map((ln) => [Number(ln.functionId), i64(ln.line)]),
      `${where} lines`,
    );
  });

  assert.equal(flat.functionCount, ref.function.length, `${name}: function count`);
  ref.function.forEach((f, i) => {
    const where = `${name}: function ${i}`;
    assert.equal(flat.functionId[i], fnId(i), `${where} id`);
    assert.deepEqual(
      [flat.functionName[i], flat.functionSystemName[i], flat.functionFilename[i], flat.functionStartLine[i]],
      [i64(f.name), i64(f.systemName), i64(f.filename), i64(f.startLine)],
      `${where} fields`,
    );
  });

  assert.equal(flat.mappingCount, ref.mapping.length, `${name}: mapping count`);
  ref.mapping.forEach((m, i) => {
    const where = `${name}: mapping ${i}`;
    assert.equal(flat.mappingId[i], Number(m.id), `${where} id`);
    assert.equal(hiLo(flat.mappingStartHi[i]!, flat.mappingStartLo[i]!), u64(m.memoryStart), `${where} start`);
    assert.equal(hiLo(flat.mappingLimitHi[i]!, flat.mappingLimitLo[i]!), u64(m.memoryLimit), `${where} limit`);
    assert.equal(hiLo(flat.mappingOffsetHi[i]!, flat.mappingOffsetLo[i]!), u64(m.fileOffset), `${where} offset`);
    assert.deepEqual([flat.mappingFilename[i], flat.mappingBuildId[i]], [i64(m.filename), i64(m.buildId)], `${where} names`);
    const flags =
      (m.hasFunctions ? MappingFlag.HasFunctions : 0) |
      (m.hasFilenames ? MappingFlag.HasFilenames : 0) |
      (m.hasLineNumbers ? MappingFlag.HasLineNumbers : 0) |
      (m.hasInlineFrames ? MappingFlag.HasInlineFrames : 0);
    assert.equal(flat.mappingFlags[i], flags, `${where} flags`);
  });

  assert.equal(flat.timeNanos, BigInt.asIntN(64, BigInt(ref.timeNanos)), `${name}: time_nanos`);
  assert.equal(flat.durationNanos, BigInt.asIntN(64, BigInt(ref.durationNanos)), `${name}: duration_nanos`);
  assert.equal(flat.period, i64(ref.period), `${name}: period`);
  assert.deepEqual(
    Array.from(flat.periodType),
    ref.periodType === undefined ? [0, 0] : [i64(ref.periodType.type), i64(ref.periodType.unit)],
    `${name}: period_type`,
  );
  assert.deepEqual(Array.from(flat.comments), ref.comment.map(i64), `${name}: comments`);
  assert.equal(flat.dropFrames, i64(ref.dropFrames), `${name}: drop_frames`);
  assert.equal(flat.keepFrames, i64(ref.keepFrames), `${name}: keep_frames`);
  assert.equal(flat.defaultSampleType, i64(ref.defaultSampleType), `${name}: default_sample_type`);
}

const ID_FIELDS = new Set(["locationId", "functionId", "mappingId"]);

function numbers(v: unknown, what: string): number[] {
  assert.ok(ArrayBuffer.isView(v) && !(v instanceof DataView), `${what} is a typed array`);
  return Array.from(v as unknown as ArrayLike<number>);
}

/**
 * Asserts that two FlatProfiles hold the same content. Table order must match; pprof ids
 * may differ (encodePprof renumbers them 1..n), so `b`'s ids are only checked to be 1..n.
 */
export function assertSameContent(a: FlatProfile, b: FlatProfile, name: string): void {
  for (const k of Object.keys(a) as Array<keyof FlatProfile>) {
    const where = `${name}: ${k}`;
    if (ID_FIELDS.has(k)) {
      const n = numbers(a[k], where).length;
      assert.deepEqual(numbers(b[k], where), Array.from({ length: n }, (_, i) => i + 1), `${where} is 1..n`);
    } else if (ArrayBuffer.isView(a[k])) {
      assert.deepEqual(numbers(b[k], where), numbers(a[k], where), where);
    } else {
      assert.deepEqual(b[k], a[k], where);
    }
  }
}
