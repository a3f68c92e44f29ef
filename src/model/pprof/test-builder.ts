/**
 * Builds small pprof messages from a literal description, for table-driven tests. Unlike
 * encodePprof it writes whatever ids and orders it is given, so tests can produce
 * sparse ids, tables after samples, unpacked fields and other shapes real clients send.
 */
import { ProtoWriter, WireType } from "./writer.js";

/** A sample: raw pprof location ids, values, and labels. */
export interface SampleSpec {
  locs?: number[];
  values?: number[];
  labels?: Array<{ key: number; str?: number; num?: number; numUnit?: number }>;
}

/** A location with raw pprof ids. */
export interface LocationSpec {
  id: number;
  mapping?: number;
  address?: bigint;
  lines?: Array<{ fn: number; line?: number }>;
  folded?: boolean;
}

/** A function with raw pprof ids. */
export interface FunctionSpec {
  id: number;
  name?: number;
  systemName?: number;
  filename?: number;
  startLine?: number;
}

/** A mapping with raw pprof ids. */
export interface MappingSpec {
  id: number;
  start?: bigint;
  limit?: bigint;
  offset?: bigint;
  filename?: number;
  buildId?: number;
  hasFunctions?: boolean;
}

/** A whole profile; `order` says which top-level groups to write, in what order. */
export interface ProfileSpec {
  strings: string[];
  sampleTypes?: Array<[number, number]>;
  samples?: SampleSpec[];
  locations?: LocationSpec[];
  functions?: FunctionSpec[];
  mappings?: MappingSpec[];
  timeNanos?: bigint;
  durationNanos?: bigint;
  period?: number;
  periodType?: [number, number];
  /** Write repeated scalars one field per element instead of packed. */
  unpacked?: boolean;
  order?: Array<"sampleTypes" | "samples" | "mappings" | "locations" | "functions" | "strings" | "scalars">;
}

function u64(w: ProtoWriter, field: number, v: bigint | undefined): void {
  if (v === undefined || v === 0n) return;
  w.tag(field, WireType.Varint);
  w.int64Big(v);
}

/** Encodes `spec` as a raw pprof Profile message. */
export function buildProfile(spec: ProfileSpec): Uint8Array {
  const w = new ProtoWriter();
  const order = spec.order ?? ["sampleTypes", "samples", "mappings", "locations", "functions", "strings", "scalars"];
  for (const group of order) {
    switch (group) {
      case "sampleTypes":
        for (const [type, unit] of spec.sampleTypes ?? []) {
          const m = w.fork(1);
          w.int64Field(1, type);
          w.int64Field(2, unit);
          w.end(m);
        }
        break;
      case "samples":
        for (const s of spec.samples ?? []) writeSample(w, s, spec.unpacked === true);
        break;
      case "mappings":
        for (const m of spec.mappings ?? []) {
          const k = w.fork(3);
          w.int64Field(1, m.id);
          u64(w, 2, m.start);
          u64(w, 3, m.limit);
          u64(w, 4, m.offset);
          w.int64Field(5, m.filename ?? 0);
          w.int64Field(6, m.buildId ?? 0);
          w.boolField(7, m.hasFunctions === true);
          w.end(k);
        }
        break;
      case "locations":
        for (const l of spec.locations ?? []) {
          const k = w.fork(4);
          w.int64Field(1, l.id);
          w.int64Field(2, l.mapping ?? 0);
          u64(w, 3, l.address);
          for (const line of l.lines ?? []) {
            const j = w.fork(4);
            w.int64Field(1, line.fn);
            w.int64Field(2, line.line ?? 0);
            w.end(j);
          }
          w.boolField(5, l.folded === true);
          w.end(k);
        }
        break;
      case "functions":
        for (const f of spec.functions ?? []) {
          const k = w.fork(5);
          w.int64Field(1, f.id);
          w.int64Field(2, f.name ?? 0);
          w.int64Field(3, f.systemName ?? 0);
          w.int64Field(4, f.filename ?? 0);
          w.int64Field(5, f.startLine ?? 0);
          w.end(k);
        }
        break;
      case "strings":
        for (const s of spec.strings) w.stringField(6, s);
        break;
      case "scalars":
        if (spec.timeNanos !== undefined) w.int64BigField(9, spec.timeNanos);
        if (spec.durationNanos !== undefined) w.int64BigField(10, spec.durationNanos);
        if (spec.periodType !== undefined) {
          const k = w.fork(11);
          w.int64Field(1, spec.periodType[0]);
          w.int64Field(2, spec.periodType[1]);
          w.end(k);
        }
        w.int64Field(12, spec.period ?? 0);
        break;
    }
  }
  return w.toBytes();
}

function writeSample(w: ProtoWriter, s: SampleSpec, unpacked: boolean): void {
  const m = w.fork(2);
  if (unpacked) {
    for (const id of s.locs ?? []) {
      w.tag(1, WireType.Varint);
      w.int64(id);
    }
    for (const v of s.values ?? []) {
      w.tag(2, WireType.Varint);
      w.int64(v);
    }
  } else {
    if ((s.locs ?? []).length > 0) {
      const k = w.fork(1);
      for (const id of s.locs ?? []) w.int64(id);
      w.end(k);
    }
    if ((s.values ?? []).length > 0) {
      const k = w.fork(2);
      for (const v of s.values ?? []) w.int64(v);
      w.end(k);
    }
  }
  for (const l of s.labels ?? []) {
    const k = w.fork(3);
    w.int64Field(1, l.key);
    w.int64Field(2, l.str ?? 0);
    w.int64Field(3, l.num ?? 0);
    w.int64Field(4, l.numUnit ?? 0);
    w.end(k);
  }
  w.end(m);
}
