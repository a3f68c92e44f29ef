/**
 * Speedscope JSON (`format=speedscope`), the subset Pyroscope reads: `shared.frames`
 * names, and `sampled` and `evented` profiles in the units none, nanoseconds,
 * microseconds, milliseconds, seconds and bytes. Profiles that share name, type, unit and
 * startValue are summed into one, as Pyroscope merges them; each result carries the
 * profile's name as a `profile_name` label. Details in docs/format/og-ingest.md.
 */
import type { FlatProfile } from "../pprof/flat-profile.js";
import { invalidBody } from "./byte-cursor.js";
import type { OgProfileType } from "./og-profile-type.js";
import { StackSink } from "./stack-sink.js";
import type { OgLimits } from "./stack-sink.js";
import { decodeTextBody, isWellFormedUtf16 } from "./utf8.js";

const SCHEMA = "https://www.speedscope.app/file-format-schema.json";
// A speedscope file nests five levels (file, profiles, profile, samples, stack); anything
// much deeper is not speedscope, and refusing it early spares JSON.parse a nesting bomb.
const MAX_JSON_DEPTH = 16;
const NANOS_PER_UNIT: ReadonlyMap<string, number> = new Map([
  ["nanoseconds", 1],
  ["microseconds", 1e3],
  ["milliseconds", 1e6],
  ["seconds", 1e9],
]);
const UNITS = new Set(["none", "bytes", ...NANOS_PER_UNIT.keys()]);
const DEFAULT_PERIOD_NANOS = 10_000_000;

/** One converted profile of an /ingest body, with the extra series labels it needs. */
export interface OgConverted {
  metricName: string;
  profile: FlatProfile;
  /** Labels to add to the series (speedscope: `profile_name`); empty for the other formats. */
  labels: Array<[string, string]>;
}

type Json = Record<string, unknown>;

interface SsProfile {
  path: string;
  type: "sampled" | "evented";
  name: string;
  unit: string;
  startValue: number;
  body: Json;
}

const isRecord = (x: unknown): x is Json => typeof x === "object" && x !== null && !Array.isArray(x);

function bad(what: string): never {
  return invalidBody("speedscope", what);
}

/** Rejects JSON nested deeper than MAX_JSON_DEPTH, naming the byte offset. */
function checkDepth(body: Uint8Array): void {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (b === 0x22) {
      // Skip the string; a backslash escapes the byte after it.
      for (i++; i < body.length && body[i] !== 0x22; i++) if (body[i] === 0x5c) i++;
    } else if (b === 0x5b || b === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) bad(`JSON nested deeper than ${MAX_JSON_DEPTH} levels at byte ${i}`);
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
}

function readProfiles(doc: Json): SsProfile[] {
  const list = doc["profiles"];
  if (!Array.isArray(list)) bad("profiles is not an array");
  return list.map((p: unknown, i): SsProfile => {
    const path = `profiles[${i}]`;
    if (!isRecord(p)) bad(`${path} is not an object`);
    const type = p["type"];
    if (type !== "sampled" && type !== "evented") bad(`${path}.type ${JSON.stringify(type)} is not "sampled" or "evented"`);
    const unit = p["unit"];
    if (typeof unit !== "string" || !UNITS.has(unit)) bad(`${path}.unit ${JSON.stringify(unit)} is not one of ${[...UNITS].join(", ")}`);
    const name = p["name"] ?? "";
    if (typeof name !== "string" || !isWellFormedUtf16(name)) bad(`${path}.name is not a string`);
    const startValue = p["startValue"] ?? 0;
    if (typeof startValue !== "number") bad(`${path}.startValue is not a number`);
    return { path, type, name, unit, startValue, body: p };
  });
}

function readFrameNames(doc: Json): string[] {
  const shared = doc["shared"];
  const frames = isRecord(shared) ? shared["frames"] : undefined;
  if (!Array.isArray(frames)) bad("shared.frames is not an array");
  return frames.map((f: unknown, i) => {
    const name = isRecord(f) ? f["name"] : undefined;
    if (typeof name !== "string" || !isWellFormedUtf16(name)) bad(`shared.frames[${i}].name is not a string`);
    return name;
  });
}

/** The series type of one merged profile, and the factor from its weights to values. */
interface Output {
  metricName: string;
  type: { sampleType: readonly [string, string]; periodType?: readonly [string, string]; period: number };
  factor: number;
}

/**
 * Pyroscope keeps the key's type for a file of one profile and keys several profiles by
 * their unit (`app.seconds` is wall, `app.bytes` memory). Time units become nanoseconds
 * exactly; "none" counts samples, scaled like the key's type.
 */
function outputFor(unit: string, base: OgProfileType, multi: boolean): Output {
  const nanos = NANOS_PER_UNIT.get(unit);
  if (nanos !== undefined) {
    const metricName = !multi && (base.metricName === "process_cpu" || base.metricName === "wall") ? base.metricName : "wall";
    const period = base.period > 0 ? base.period : DEFAULT_PERIOD_NANOS;
    return {
      metricName,
      type: { sampleType: [metricName === "wall" ? "wall" : "cpu", "nanoseconds"], periodType: ["cpu", "nanoseconds"], period },
      factor: nanos,
    };
  }
  if (unit === "bytes" && (multi || base.sampleType[1] !== "bytes")) {
    return { metricName: "memory", type: { sampleType: ["samples", "bytes"], period: 0 }, factor: 1 };
  }
  return { metricName: base.metricName, type: base, factor: unit === "bytes" ? 1 : base.scale };
}

/** Sums identical stacks, so that the stack limit counts distinct stacks. */
class Merger {
  private readonly index = new Map<string, number>();
  private readonly stacks: number[][] = [];
  private readonly values: number[] = [];

  constructor(
    private readonly sink: StackSink,
    private readonly maxStacks: number,
  ) {}

  add(ids: readonly number[], value: number): void {
    if (value === 0) return;
    if (!Number.isSafeInteger(value)) this.sink.fail(`value ${value} exceeds 2^53-1`);
    this.sink.chargeFrames(ids.length);
    const key = ids.join(",");
    const i = this.index.get(key);
    if (i !== undefined) {
      const sum = this.values[i]! + value;
      if (sum > Number.MAX_SAFE_INTEGER) this.sink.fail("the values of one stack add up to more than 2^53-1");
      this.values[i] = sum;
      return;
    }
    if (this.stacks.length >= this.maxStacks) this.sink.fail(`more than ${this.maxStacks} distinct stacks`);
    this.index.set(key, this.stacks.length);
    this.stacks.push(ids.slice());
    this.values.push(value);
  }

  flush(): void {
    for (let i = 0; i < this.stacks.length; i++) this.sink.addScaled(this.stacks[i]!, this.stacks[i]!.length, this.values[i]!);
  }
}

function frameIndex(x: unknown, frames: number, sink: StackSink): number {
  if (typeof x !== "number" || !Number.isInteger(x) || x < 0 || x >= frames) sink.fail(`frame index ${JSON.stringify(x)} is not in [0, ${frames})`);
  return x;
}

function toValue(weight: number, factor: number, sink: StackSink): number {
  if (weight < 0) sink.fail(`weight ${weight} is negative`);
  return Math.round(weight * factor);
}

function parseSampled(p: SsProfile, ids: (i: number) => number, frames: number, out: Merger, sink: StackSink, factor: number): void {
  const samples = p.body["samples"];
  const weights = p.body["weights"];
  if (!Array.isArray(samples) || !Array.isArray(weights)) bad(`${p.path}: samples and weights must be arrays`);
  if (samples.length !== weights.length) bad(`${p.path}: ${samples.length} samples but ${weights.length} weights`);
  sink.posName = `${p.path} sample`;
  const stack: number[] = [];
  for (let s = 0; s < samples.length; s++) {
    sink.pos = s;
    const sample: unknown = samples[s];
    const weight: unknown = weights[s];
    if (!Array.isArray(sample)) sink.fail("the sample is not an array of frame indices");
    if (typeof weight !== "number") sink.fail("the weight is not a number");
    stack.length = 0;
    for (const f of sample) stack.push(ids(frameIndex(f, frames, sink)));
    out.add(stack, toValue(weight, factor, sink));
  }
}

function parseEvented(p: SsProfile, ids: (i: number) => number, frames: number, out: Merger, sink: StackSink, factor: number): void {
  const events = p.body["events"];
  if (!Array.isArray(events)) bad(`${p.path}.events is not an array`);
  sink.posName = `${p.path} event`;
  const open: number[] = [];
  const stack: number[] = [];
  let last = p.startValue;
  for (let e = 0; e < events.length; e++) {
    sink.pos = e;
    const ev: unknown = events[e];
    if (!isRecord(ev)) sink.fail("the event is not an object");
    const at = ev["at"];
    if (typeof at !== "number") sink.fail("the event has no numeric `at`");
    if (at < last) sink.fail(`event at ${at} comes before the previous one at ${last}`);
    const f = frameIndex(ev["frame"], frames, sink);
    const kind = ev["type"];
    if (kind !== "O" && kind !== "C") sink.fail(`event type ${JSON.stringify(kind)} is not "O" or "C"`);
    if (kind === "C") {
      if (open.length === 0) sink.fail(`closing frame ${f} with no frame open`);
      if (open[open.length - 1] !== f) sink.fail(`closing frame ${f} while frame ${open[open.length - 1]} is open`);
    }
    // The time since the previous event belongs to the stack that was open during it.
    if (open.length > 0) out.add(stack, toValue(at - last, factor, sink));
    if (kind === "C") {
      open.pop();
      stack.pop();
    } else {
      open.push(f);
      stack.push(ids(f));
    }
    last = at;
  }
}

/** Converts a speedscope body: one result per distinct (name, type, unit, startValue). */
export function convertSpeedscope(
  body: Uint8Array,
  base: OgProfileType,
  timeNanos: bigint,
  durationNanos: bigint,
  limits: OgLimits,
): OgConverted[] {
  checkDepth(body);
  const text = decodeTextBody(body, "speedscope");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    bad(`not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isRecord(doc)) bad("the document is not a JSON object");
  if (doc["$schema"] !== SCHEMA) bad(`$schema ${JSON.stringify(doc["$schema"])} is not ${SCHEMA}`);
  const names = readFrameNames(doc);
  const groups = new Map<string, SsProfile[]>();
  for (const p of readProfiles(doc)) {
    const key = JSON.stringify([p.name, p.type, p.unit, p.startValue]);
    const g = groups.get(key);
    if (g) g.push(p);
    else groups.set(key, [p]);
  }
  const ordered = [...groups.values()].sort((a, b) => a[0]!.startValue - b[0]!.startValue);
  const multi = ordered.length > 1;
  const maxStacks = limits.maxStacks > 0 ? limits.maxStacks : Infinity;
  return ordered.map((group): OgConverted => {
    const first = group[0]!;
    const o = outputFor(first.unit, base, multi);
    const sink = new StackSink(o.type, 1, limits, "speedscope", first.path, body.length);
    const frameIds = new Int32Array(names.length).fill(-1);
    const ids = (i: number): number => (frameIds[i]! >= 0 ? frameIds[i]! : (frameIds[i] = sink.frame(names[i]!)));
    const merger = new Merger(sink, maxStacks);
    for (const p of group) {
      if (p.type === "sampled") parseSampled(p, ids, names.length, merger, sink, o.factor);
      else parseEvented(p, ids, names.length, merger, sink, o.factor);
    }
    merger.flush();
    const labels: Array<[string, string]> = first.name === "" ? [] : [["profile_name", first.name]];
    return { metricName: o.metricName, profile: sink.build(timeNanos, durationNanos), labels };
  });
}
