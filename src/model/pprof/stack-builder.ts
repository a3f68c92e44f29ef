/**
 * Builds a FlatProfile from stacks of frame names: how every non-pprof input
 * (folded text, the OG trie/tree formats, speedscope, JFR) becomes a profile the
 * distributor ingests like any pushed pprof. One function and one location per
 * distinct frame name (and file, when known); samples are appended as given.
 */
import type { FlatProfile } from "./flat-profile.js";
import { F64Vec, I32Vec, U32Vec } from "./growable.js";

/** A sample type or period type: [type, unit]. */
export type ValueType = readonly [type: string, unit: string];

/** What the profile is made of, besides its samples. */
export interface StackProfileOptions {
  sampleTypes: readonly ValueType[];
  periodType?: ValueType;
  period?: number;
}

/** Accumulates samples; `build()` returns the profile. */
export class StackProfileBuilder {
  private readonly strings: string[] = [""];
  private readonly stringIds = new Map<string, number>();
  // One function (and one location) per distinct (name, file) pair.
  private readonly frameIds = new Map<string, number>();
  private readonly functionName = new I32Vec();
  private readonly functionFilename = new I32Vec();
  private readonly values = new F64Vec();
  private readonly locOffsets = new U32Vec();
  private readonly locs = new U32Vec();
  private readonly labelOffsets = new U32Vec();
  private readonly labelKey = new I32Vec();
  private readonly labelStr = new I32Vec();
  private readonly valuesPerSample: number;
  private sampleCount = 0;

  constructor(private readonly options: StackProfileOptions) {
    if (options.sampleTypes.length === 0) throw new Error("a profile needs at least one sample type");
    this.valuesPerSample = options.sampleTypes.length;
    this.locOffsets.push(0);
    this.labelOffsets.push(0);
  }

  /** Number of samples added so far. */
  get samples(): number {
    return this.sampleCount;
  }

  /** The id of frame `name` (in `file`, when given); frames are interned, so ids can be cached by callers. */
  frame(name: string, file = ""): number {
    const key = file === "" ? name : `${name}\u0000${file}`;
    let id = this.frameIds.get(key);
    if (id === undefined) {
      id = this.functionName.n;
      this.functionName.push(this.string(name));
      this.functionFilename.push(this.string(file));
      this.frameIds.set(key, id);
    }
    return id;
  }

  /**
   * Adds a sample: `frames` are frame ids from frame(), **leaf first** as pprof orders them,
   * `values` one per sample type, `labels` as [key, value] pairs. Samples whose values are
   * all zero are skipped.
   */
  addSample(frames: ArrayLike<number>, values: ArrayLike<number>, labels: readonly (readonly [string, string])[] = []): void {
    if (values.length !== this.valuesPerSample) throw new Error(`sample has ${values.length} values, the profile ${this.valuesPerSample} sample types`);
    let nonZero = false;
    for (let i = 0; i < values.length; i++) if (values[i] !== 0) nonZero = true;
    if (!nonZero) return;
    for (let i = 0; i < values.length; i++) this.values.push(values[i]!);
    for (let i = 0; i < frames.length; i++) this.locs.push(frames[i]!);
    this.locOffsets.push(this.locs.n);
    for (const [k, v] of labels) {
      this.labelKey.push(this.string(k));
      this.labelStr.push(this.string(v));
    }
    this.labelOffsets.push(this.labelKey.n);
    this.sampleCount++;
  }

  /** Adds a sample from frame names, **root first** as folded text and flame graphs order them. */
  addNames(rootFirst: readonly string[], values: ArrayLike<number>, labels?: readonly (readonly [string, string])[]): void {
    const ids = new Uint32Array(rootFirst.length);
    for (let i = 0; i < rootFirst.length; i++) ids[rootFirst.length - 1 - i] = this.frame(rootFirst[i]!);
    this.addSample(ids, values, labels);
  }

  /** The profile so far. */
  build(timeNanos = 0n, durationNanos = 0n): FlatProfile {
    const fnCount = this.functionName.n;
    const sampleTypes = new Int32Array(this.valuesPerSample * 2);
    this.options.sampleTypes.forEach(([t, u], i) => {
      sampleTypes[2 * i] = this.string(t);
      sampleTypes[2 * i + 1] = this.string(u);
    });
    const periodType = new Int32Array(2);
    if (this.options.periodType) {
      periodType[0] = this.string(this.options.periodType[0]);
      periodType[1] = this.string(this.options.periodType[1]);
    }
    const ids = new Float64Array(fnCount);
    const lineOffsets = new Uint32Array(fnCount + 1);
    for (let i = 0; i < fnCount; i++) {
      ids[i] = i + 1;
      lineOffsets[i + 1] = i + 1;
    }
    const n = this.labelKey.n;
    return {
      strings: this.strings,
      sampleTypes,
      valuesPerSample: this.valuesPerSample,
      sampleCount: this.sampleCount,
      values: this.values.a.slice(0, this.values.n),
      locOffsets: this.locOffsets.a.slice(0, this.locOffsets.n),
      locs: this.locs.a.slice(0, this.locs.n),
      labelOffsets: this.labelOffsets.a.slice(0, this.labelOffsets.n),
      labelKey: this.labelKey.a.slice(0, n),
      labelStr: this.labelStr.a.slice(0, n),
      labelNum: new Float64Array(n),
      labelNumUnit: new Int32Array(n),
      // Location i is function i, one line each, no mapping.
      locationCount: fnCount,
      locationId: ids.slice(),
      locationMapping: new Int32Array(fnCount).fill(-1),
      locationAddressHi: new Uint32Array(fnCount),
      locationAddressLo: new Uint32Array(fnCount),
      locationIsFolded: new Uint8Array(fnCount),
      lineOffsets,
      lineFunction: Int32Array.from({ length: fnCount }, (_, i) => i),
      lineNumber: new Float64Array(fnCount),
      functionCount: fnCount,
      functionId: ids,
      functionName: this.functionName.a.slice(0, fnCount),
      functionSystemName: this.functionName.a.slice(0, fnCount),
      functionFilename: this.functionFilename.a.slice(0, fnCount),
      functionStartLine: new Float64Array(fnCount),
      mappingCount: 0,
      mappingId: new Float64Array(0),
      mappingStartHi: new Uint32Array(0),
      mappingStartLo: new Uint32Array(0),
      mappingLimitHi: new Uint32Array(0),
      mappingLimitLo: new Uint32Array(0),
      mappingOffsetHi: new Uint32Array(0),
      mappingOffsetLo: new Uint32Array(0),
      mappingFilename: new Int32Array(0),
      mappingBuildId: new Int32Array(0),
      mappingFlags: new Uint8Array(0),
      dropFrames: 0,
      keepFrames: 0,
      timeNanos,
      durationNanos,
      periodType,
      period: this.options.period ?? 0,
      comments: new Int32Array(0),
      defaultSampleType: 0,
    };
  }

  private string(s: string): number {
    if (s === "") return 0;
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }
}
