/**
 * Builds small pprof profiles for tests with pprof-format (an independent
 * encoder), from stacks written root-first.
 */
import { gzipSync } from "node:zlib";
import { Function as PFunction, Line, Location, Mapping, Profile, Sample, StringTable, ValueType } from "pprof-format";

/** One stack and its values (one per sample type). */
export interface TestStack {
  /** Function names, root first. */
  frames: string[];
  values: number[];
}

/** Description of a test profile. */
export interface TestProfile {
  sampleTypes: [string, string][];
  periodType?: [string, string];
  period?: number;
  timeNanos?: bigint;
  durationNanos?: bigint;
  stacks: TestStack[];
}

/** Encodes `p` as raw (not gzipped) pprof bytes. */
export function buildPprof(p: TestProfile): Uint8Array {
  const strings = new StringTable();
  const fnIds = new Map<string, number>();
  const functions: PFunction[] = [];
  const locations: Location[] = [];
  const fnId = (name: string): number => {
    let id = fnIds.get(name);
    if (id === undefined) {
      id = functions.length + 1;
      fnIds.set(name, id);
      functions.push(new PFunction({ id, name: strings.dedup(name), systemName: strings.dedup(name), filename: strings.dedup(`${name}.go`) }));
      locations.push(new Location({ id, mappingId: 1, line: [new Line({ functionId: id, line: id })] }));
    }
    return id;
  };
  const samples = p.stacks.map(
    (s) => new Sample({ locationId: [...s.frames].reverse().map(fnId), value: s.values }),
  );
  const profile = new Profile({
    sampleType: p.sampleTypes.map(([t, u]) => new ValueType({ type: strings.dedup(t), unit: strings.dedup(u) })),
    sample: samples,
    mapping: [new Mapping({ id: 1, filename: strings.dedup("app"), hasFunctions: true })],
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos: p.timeNanos ?? 0n,
    durationNanos: p.durationNanos ?? 0n,
    ...(p.periodType ? { periodType: new ValueType({ type: strings.dedup(p.periodType[0]), unit: strings.dedup(p.periodType[1]) }) } : {}),
    period: p.period ?? 0,
  });
  return profile.encode();
}

/** `buildPprof` gzipped, as most clients send profiles. */
export function buildPprofGz(p: TestProfile): Uint8Array {
  return gzipSync(buildPprof(p));
}

/** A CPU profile (Go's sample types) with the given stacks (values = [samples, nanoseconds]). */
export function cpuProfile(timeNanos: bigint, stacks: TestStack[]): TestProfile {
  return {
    sampleTypes: [["samples", "count"], ["cpu", "nanoseconds"]],
    periodType: ["cpu", "nanoseconds"],
    period: 10_000_000,
    timeNanos,
    durationNanos: 10_000_000_000n,
    stacks,
  };
}
