/**
 * The pprof bodies of `/ingest`: raw (gzipped or not) with `format=pprof`, or the
 * multipart form older SDKs send (`profile`, optional `sample_type_config`, and the
 * long-gone `prev_profile`, refused). The series name comes from the profile's
 * sample types, as Pyroscope names it; scripting and .NET spies get Pyroscope's
 * fix-ups, baked into the bytes so that a WAL replay reproduces them.
 */
import { InvalidArgumentError } from "../model/errors.js";
import { encodePprof } from "../model/pprof/index.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import type { DecodedProfile } from "./api.js";

/** A `sample_type_config` entry: how an SDK wants a sample type shown. */
export interface SampleTypeConfig {
  units?: string;
  "display-name"?: string;
  aggregation?: string;
  cumulative?: boolean;
  sampled?: boolean;
}

/** Pyroscope's defaults, used when the request carries no `sample_type_config`. */
const DEFAULT_SAMPLE_TYPES: Readonly<Record<string, SampleTypeConfig>> = {
  samples: { "display-name": "cpu", units: "samples", sampled: true },
  inuse_objects: { units: "objects", aggregation: "avg" },
  alloc_objects: { units: "objects", cumulative: true },
  inuse_space: { units: "bytes", aggregation: "avg" },
  alloc_space: { units: "bytes", cumulative: true },
  goroutine: { "display-name": "goroutines", units: "goroutines", aggregation: "avg" },
  contentions: { "display-name": "mutex_count", units: "lock_samples", cumulative: true },
  delay: { "display-name": "mutex_duration", units: "lock_nanoseconds", cumulative: true },
};

/** A request that cannot be ingested as sent (Pyroscope answers 422). */
export class UnprocessableIngestError extends Error {
  override readonly name = "UnprocessableIngestError";
}

/** The pprof (and its sample-type config) of a multipart `/ingest` form. */
export async function pprofFromForm(form: FormData): Promise<{ pprof: Uint8Array; sampleTypes: Record<string, SampleTypeConfig> | undefined }> {
  if (form.has("prev_profile")) {
    throw new UnprocessableIngestError("unsupported client version: the prev_profile form part is no longer accepted; please update the client (e.g. github.com/grafana/pyroscope-go) to the latest version");
  }
  const profile = form.get("profile");
  if (profile === null) throw new InvalidArgumentError("invalid_profile", 'multipart /ingest body has no "profile" part');
  const pprof = await partBytes(profile);
  const config = form.get("sample_type_config");
  return { pprof, sampleTypes: config === null ? undefined : parseSampleTypeConfig(await partBytes(config)) };
}

/** A form part's bytes, whether it came as a file or as a text field. */
export async function partBytes(part: NonNullable<ReturnType<FormData["get"]>>): Promise<Uint8Array> {
  return typeof part === "string" ? new TextEncoder().encode(part) : new Uint8Array(await part.arrayBuffer());
}

function parseSampleTypeConfig(bytes: Uint8Array): Record<string, SampleTypeConfig> {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (err) {
    throw new InvalidArgumentError("invalid_request", `sample_type_config is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new InvalidArgumentError("invalid_request", "sample_type_config must be a JSON object of sample type → settings");
  const out: Record<string, SampleTypeConfig> = {};
  for (const [k, c] of Object.entries(v)) {
    if (typeof c !== "object" || c === null || Array.isArray(c)) throw new InvalidArgumentError("invalid_request", `sample_type_config.${k} must be an object`);
    out[k] = c as SampleTypeConfig;
  }
  return out;
}

/**
 * The `__name__` of an /ingest pprof: `wall` when a sample type is "wall", otherwise the first
 * sample type whose (display) name says cpu, memory, mutex, block or goroutines.
 */
export function pprofMetricName(p: FlatProfile, config: Record<string, SampleTypeConfig> | undefined): string {
  const types: string[] = [];
  for (let i = 0; i < p.valuesPerSample; i++) types.push(p.strings[p.sampleTypes[2 * i]!] ?? "");
  if (types.includes("wall")) return "wall";
  const configs = config ?? DEFAULT_SAMPLE_TYPES;
  let last = "";
  for (const t of types) {
    const st = configs[t]?.["display-name"] || t;
    last = st;
    if (st.includes("cpu")) return "process_cpu";
    if (st.includes("alloc_") || st.includes("inuse_") || st === "space" || st === "objects") return "memory";
    if (st.includes("mutex_")) return "mutex";
    if (st.includes("block_")) return "block";
    if (st.includes("goroutines")) return "goroutines";
  }
  if (last === "") throw new InvalidArgumentError("invalid_profile", "the profile has no sample type to name its series by");
  return last;
}

// 1971-01-01 in ns: older clients sent microseconds (or nothing) as time_nanos.
const MIN_TIME_NANOS = 31_536_000_000_000_000n;

/**
 * Pyroscope's /ingest fix-ups on a decoded pprof: the request's `from` for a profile without a
 * plausible time; "file:-1 - function" names for scripting spies; "_" for "-" in .NET sample
 * types. Returns the bytes to store: the original ones, or a re-encoding when the profile changed.
 */
export function fixIngestedPprof(d: DecodedProfile, raw: Uint8Array, spyName: string, fromNanos: bigint): { decoded: DecodedProfile; raw: Uint8Array } {
  let p = d.profile;
  if (p.timeNanos < MIN_TIME_NANOS) p = { ...p, timeNanos: fromNanos };
  let changed = false;
  if (spyName === "pyspy" || spyName === "rbspy" || spyName === "scripting") {
    p = scriptingNames(p);
    changed = true;
  } else if (spyName === "dotnetspy") {
    const q = dotnetSampleTypes(p);
    changed = q !== p;
    p = q;
  }
  if (!changed) return { decoded: { ...d, profile: p }, raw };
  const bytes = encodePprof(p);
  return { decoded: { profile: p, rawBytes: bytes.byteLength }, raw: bytes };
}

function scriptingNames(p: FlatProfile): FlatProfile {
  const strings = [...p.strings];
  const ids = new Map<string, number>();
  const functionName = new Int32Array(p.functionCount);
  for (let f = 0; f < p.functionCount; f++) {
    // Line numbers would need per-location functions; like Pyroscope, -1 stands in.
    const name = `${p.strings[p.functionFilename[f]!] ?? ""}:-1 - ${p.strings[p.functionName[f]!] ?? ""}`;
    let id = ids.get(name);
    if (id === undefined) {
      id = strings.length;
      strings.push(name);
      ids.set(name, id);
    }
    functionName[f] = id;
  }
  return { ...p, strings, functionName };
}

function dotnetSampleTypes(p: FlatProfile): FlatProfile {
  let strings: string[] | undefined;
  for (let i = 0; i < p.valuesPerSample; i++) {
    const s = p.sampleTypes[2 * i]!;
    const name = p.strings[s] ?? "";
    if (!name.includes("-")) continue;
    strings ??= [...p.strings];
    strings[s] = name.replaceAll("-", "_");
  }
  return strings ? { ...p, strings } : p;
}
