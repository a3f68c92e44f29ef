/**
 * Inputs of the end-to-end benchmarks, built from the real corpus in testdata/:
 * every file gzipped as a client sends it, with a rewritable timestamp, and the
 * CPU profiles reduced to the one sample type that all of them (and `go tool
 * pprof`, which refuses to merge profiles whose sample types differ) agree on.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import type { LabelPair } from "../src/model/labels.js";
import { decodePprof, encodePprof, normalizePprof } from "../src/model/pprof/index.js";
import type { FlatProfile } from "../src/model/pprof/index.js";
import { validCorpus } from "../src/model/pprof/test-corpus.js";

/** One corpus file as the ingest benchmark pushes it. */
export interface PushFile {
  name: string;
  /** The raw (gunzipped) protobuf. */
  raw: Uint8Array;
  /** Series labels: `__name__` as the runtime's client sets it, and one `service_name` per file. */
  labels: LabelPair[];
}

/** `__name__` per pprof period type, as the clients of each runtime push them (testdata/README.md). */
const METRIC_BY_PERIOD_TYPE: Readonly<Record<string, string>> = {
  cpu: "process_cpu",
  "": "process_cpu",
  space: "memory",
  inuse_space: "memory",
  wall: "wall",
  goroutine: "goroutines",
  contentions: "block",
};

/** Every valid corpus file, labelled the way its client would push it. */
export function pushFiles(): PushFile[] {
  return validCorpus().map((f, i) => {
    const p = decodePprof(f.raw);
    const periodType = p.strings[p.periodType[0]!] ?? "";
    const metric = METRIC_BY_PERIOD_TYPE[periodType] ?? "process_cpu";
    return {
      name: f.name,
      raw: f.raw,
      labels: [
        { name: "__name__", value: metric },
        { name: "service_name", value: `bench-${i}` },
      ],
    };
  });
}

/**
 * `raw` with its time_nanos set to `timeNanos`, gzipped at zlib's default level (as Go's
 * and Node's clients do). The field is appended rather than replaced: protobuf readers
 * keep the last value of a repeated scalar field, and the rest of the bytes stay as sent.
 */
export function gzipWithTime(raw: Uint8Array, timeNanos: bigint): Uint8Array {
  const field = [0x48]; // field 9 (time_nanos), wire type 0 (varint)
  let v = BigInt.asUintN(64, timeNanos);
  while (v >= 0x80n) {
    field.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  field.push(Number(v));
  const out = new Uint8Array(raw.length + field.length);
  out.set(raw);
  out.set(field, raw.length);
  return gzipSync(out);
}

/**
 * The CPU profiles of the corpus whose period type is cpu/nanoseconds, one per distinct
 * content (the corpus holds some files twice under two names).
 */
const CPU_FILES: readonly string[] = [
  "pprof/og_convert_cpu.pprof",
  "pprof/og_convert_pprof_cpu-exemplars.pb.gz",
  "pprof/pprof_dotnet.labels.pprof",
  "pprof/pprof_gotruncatefix_cpu_go_truncated_1.pb.gz",
  "pprof/pprof_profile_java",
  "pprof/pprof_profile_rust",
  "pprof/pprof_single_group_with_optional_span_id.pb.gz",
  "captures/go-nethttp-pprof-cpu-1s.pb.gz",
];

/** Profile type of every profile cpuProfiles() returns. */
export const CPU_PROFILE_TYPE = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";

/** One CPU base profile: the gzipped file `go tool pprof` reads and what our distributor makes of it. */
export interface CpuProfile {
  name: string;
  /** pprof with the single sample type cpu/nanoseconds, gzipped. */
  gz: Uint8Array;
  /** gz gunzipped, decoded and normalized exactly as the distributor does it. */
  profile: FlatProfile;
}

/** The CPU base profiles, reduced to their cpu/nanoseconds column and re-encoded. */
export function cpuProfiles(): CpuProfile[] {
  const out: CpuProfile[] = [];
  for (const f of validCorpus()) {
    if (!CPU_FILES.includes(f.name)) continue;
    const gz = gzipSync(encodePprof(onlyCpuNanoseconds(decodePprof(f.raw), f.name)));
    out.push({ name: f.name, gz, profile: normalizePprof(decodePprof(new Uint8Array(gunzipSync(gz))), 0n) });
  }
  if (out.length !== CPU_FILES.length) throw new Error(`found ${out.length} of the ${CPU_FILES.length} cpu profiles in the corpus`);
  return out;
}

/** `p` with only its cpu/nanoseconds sample type. */
function onlyCpuNanoseconds(p: FlatProfile, name: string): FlatProfile {
  let t = -1;
  for (let i = 0; i < p.valuesPerSample; i++) {
    if (p.strings[p.sampleTypes[2 * i]!] === "cpu" && p.strings[p.sampleTypes[2 * i + 1]!] === "nanoseconds") t = i;
  }
  if (t < 0) throw new Error(`${name} has no cpu/nanoseconds sample type`);
  const values = new Float64Array(p.sampleCount);
  for (let s = 0; s < p.sampleCount; s++) values[s] = p.values[s * p.valuesPerSample + t]!;
  return { ...p, sampleTypes: p.sampleTypes.slice(2 * t, 2 * t + 2), valuesPerSample: 1, values, defaultSampleType: 0 };
}
