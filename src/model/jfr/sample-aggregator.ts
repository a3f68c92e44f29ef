/**
 * Sums JFR events into profiles. Within a chunk, events are summed per (profile, stack
 * trace id) in typed arrays, so an event costs a few map lookups and two additions and
 * allocates nothing. At the end of the chunk each distinct stack trace is turned into
 * frame names once (JFR already deduplicates stacks in its constant pool) and every
 * (profile, stack) sum becomes one sample.
 */
import { InvalidArgumentError } from "../errors.js";
import type { FlatProfile } from "../pprof/flat-profile.js";
import { F64Vec, I32Vec } from "../pprof/growable.js";
import { StackProfileBuilder } from "../pprof/stack-builder.js";
import type { ConstantPools } from "./constant-pool.js";
import { mergeGeneratedName } from "./frame-names.js";
import { JFR_PROFILE_TYPES } from "./profile-types.js";

/**
 * Bound on the profiles (profile type × label set) of one recording. Each costs a few KB
 * whatever its samples, and becomes a series of its own; real uploads make tens.
 */
export const MAX_PROFILES = 10_000;
// Bound on the per-chunk method array (4 MB); a pool with more methods falls back to the map.
const MAX_METHOD_SLOTS = 1 << 20;

/** One profile of the output: a profile type and a label set. */
interface Series {
  kind: number;
  labelSet: number;
  builder: StackProfileBuilder;
  /** Global frame name index → builder frame id. */
  frameIds: Map<number, number>;
  /** Stack index of the current chunk → slot. */
  slots: Map<number, number>;
  slotStack: I32Vec;
  first: F64Vec;
  second: F64Vec;
  values: Float64Array;
}

/** One built profile: its profile-type kind, its label set index and the profile. */
export interface AggregatedProfile {
  kind: number;
  labelSet: number;
  profile: FlatProfile;
}

/** Accumulates the samples of every chunk of a recording; see the module comment. */
export class SampleAggregator {
  private readonly names: string[] = [];
  private readonly nameIds = new Map<string, number>();
  private readonly series: Series[] = [];
  // Series with sums in the current chunk: a chunk's end costs its own events, not every series so far.
  private readonly touched: Series[] = [];
  private readonly seriesByKey = new Map<number, Series>();
  private pools: ConstantPools | undefined;
  // Per chunk: method id → global name index + 2 (1: cannot be named, 0: not yet looked up).
  // async-profiler numbers methods densely from 1, so small ids index an array; others use the map.
  private methodSlots = new Int32Array(0);
  private readonly methodNames = new Map<number, number>();
  // Per chunk: symbol id → the symbol with generated names merged.
  private readonly symbolNames = new Map<number, string>();
  // Per chunk: stack index → start in resolvedNames, or -1 before it is resolved.
  private stackResolvedAt = new Int32Array(0);
  private stackResolvedLen = new Int32Array(0);
  private readonly resolvedNames = new I32Vec();
  private frameScratch = new Uint32Array(256);
  // Views of frameScratch by length, so that handing a stack to the builder allocates nothing.
  private scratchViews: Uint32Array[] = [];
  private framesOut = 0;

  /**
   * `periodNanos` scales CPU and wall sample counts. `maxFrames` bounds the frames of all
   * samples together: a recording can name one deep stack from many label sets, and the
   * output must stay proportional to the input.
   */
  constructor(
    private readonly periodNanos: number,
    private readonly maxFrames = Infinity,
  ) {}

  /** Starts a chunk whose events refer to `pools`. */
  beginChunk(pools: ConstantPools): void {
    this.pools = pools;
    this.methodNames.clear();
    this.symbolNames.clear();
    this.methodSlots = new Int32Array(Math.min(pools.methodClass.size + 1, MAX_METHOD_SLOTS));
    const stacks = pools.stackStart.n - 1;
    this.stackResolvedAt = new Int32Array(stacks).fill(-1);
    this.stackResolvedLen = new Int32Array(stacks);
    this.resolvedNames.n = 0;
  }

  /**
   * Adds an event of profile `kind` for label set `labelSet` on stack trace `stackId`
   * with values (`first`, `second`). Events whose stack trace is not in the pools are
   * dropped, as Pyroscope drops them.
   */
  add(kind: number, labelSet: number, stackId: number, first: number, second: number): void {
    const stack = this.pools!.stackIndex.get(stackId);
    if (stack === undefined) return;
    const s = this.seriesFor(kind, labelSet);
    let slot = s.slots.get(stack);
    if (slot === undefined) {
      slot = s.slotStack.n;
      if (slot === 0) this.touched.push(s);
      s.slots.set(stack, slot);
      s.slotStack.push(stack);
      s.first.push(0);
      s.second.push(0);
    }
    s.first.a[slot] += first;
    s.second.a[slot] += second;
  }

  /** Turns the chunk's sums into samples. */
  endChunk(): void {
    for (const s of this.touched) {
      const type = JFR_PROFILE_TYPES[s.kind]!;
      const scale = type.timesPeriod ? this.periodNanos : 1;
      for (let slot = 0; slot < s.slotStack.n; slot++) {
        const stack = s.slotStack.a[slot]!;
        const frames = this.framesFor(s, stack);
        this.framesOut += frames.length;
        if (this.framesOut > this.maxFrames) {
          throw new InvalidArgumentError("invalid_profile", `jfr recording expands to more than ${this.maxFrames} stack frames in its profiles`);
        }
        s.values[0] = s.first.a[slot]! * scale;
        if (s.values.length > 1) s.values[1] = s.second.a[slot]!;
        s.builder.addSample(frames, s.values);
      }
      s.slots.clear();
      s.slotStack.n = 0;
      s.first.n = 0;
      s.second.n = 0;
    }
    this.touched.length = 0;
    this.pools = undefined;
  }

  /** The profiles, in the order their first event arrived. */
  build(timeNanos: bigint, durationNanos: bigint): AggregatedProfile[] {
    return this.series
      .filter((s) => s.builder.samples > 0)
      .map((s) => ({ kind: s.kind, labelSet: s.labelSet, profile: s.builder.build(timeNanos, durationNanos) }));
  }

  private seriesFor(kind: number, labelSet: number): Series {
    const key = labelSet * JFR_PROFILE_TYPES.length + kind;
    let s = this.seriesByKey.get(key);
    if (s === undefined) {
      if (this.series.length >= MAX_PROFILES) {
        throw new InvalidArgumentError("invalid_profile", `jfr recording makes more than ${MAX_PROFILES} profiles (profile types × label sets)`);
      }
      const type = JFR_PROFILE_TYPES[kind]!;
      // Only sampled profiles have a period; Pyroscope leaves it 0 for the event-weighted ones.
      const options = { sampleTypes: type.sampleTypes, periodType: type.periodType, period: type.timesPeriod ? this.periodNanos : 0 };
      s = {
        kind,
        labelSet,
        builder: new StackProfileBuilder(options),
        frameIds: new Map(),
        slots: new Map(),
        slotStack: new I32Vec(),
        first: new F64Vec(),
        second: new F64Vec(),
        values: new Float64Array(type.sampleTypes.length),
      };
      this.seriesByKey.set(key, s);
      this.series.push(s);
    }
    return s;
  }

  /** The frame ids of stack `stack` in series `s`'s builder, leaf first (a view of a scratch array). */
  private framesFor(s: Series, stack: number): Uint32Array {
    let at = this.stackResolvedAt[stack]!;
    if (at < 0) at = this.resolveStack(stack);
    const n = this.stackResolvedLen[stack]!;
    if (this.frameScratch.length < n) {
      this.frameScratch = new Uint32Array(Math.max(n, this.frameScratch.length * 2));
      this.scratchViews = [];
    }
    const out = this.frameScratch;
    const names = this.resolvedNames.a;
    for (let i = 0; i < n; i++) {
      const name = names[at + i]!;
      let id = s.frameIds.get(name);
      if (id === undefined) {
        id = s.builder.frame(this.names[name]!);
        s.frameIds.set(name, id);
      }
      out[i] = id;
    }
    let view = this.scratchViews[n];
    if (view === undefined) {
      view = out.subarray(0, n);
      this.scratchViews[n] = view;
    }
    return view;
  }

  /** Names the frames of `stack` once per chunk; frames whose method or class is unknown are left out, as Pyroscope does. */
  private resolveStack(stack: number): number {
    const pools = this.pools!;
    const from = pools.stackStart.a[stack]!;
    const to = pools.stackStart.a[stack + 1]!;
    const at = this.resolvedNames.n;
    for (let i = from; i < to; i++) {
      const name = this.methodName(pools.frameMethod.a[i]!);
      if (name >= 0) this.resolvedNames.push(name);
    }
    this.stackResolvedAt[stack] = at;
    this.stackResolvedLen[stack] = this.resolvedNames.n - at;
    return at;
  }

  private methodName(method: number): number {
    const slots = this.methodSlots;
    const small = method >= 0 && method < slots.length;
    if (small && slots[method] !== 0) return slots[method]! - 2;
    let id = small ? undefined : this.methodNames.get(method);
    if (id !== undefined) return id;
    id = -1;
    const pools = this.pools!;
    const cls = pools.methodClass.get(method);
    const classSymbol = cls === undefined ? undefined : pools.className.get(cls);
    if (classSymbol !== undefined) {
      const methodSymbol = pools.methodName.get(method);
      const name = `${this.symbolName(classSymbol)}.${methodSymbol === undefined ? "" : this.symbolName(methodSymbol)}`;
      id = this.nameIds.get(name);
      if (id === undefined) {
        id = this.names.length;
        this.names.push(name);
        this.nameIds.set(name, id);
      }
    }
    if (small) slots[method] = id + 2;
    else this.methodNames.set(method, id);
    return id;
  }

  /** A symbol as it appears in frame names; a missing symbol is "", as in Pyroscope. */
  private symbolName(symbol: number): string {
    let s = this.symbolNames.get(symbol);
    if (s === undefined) {
      s = mergeGeneratedName(this.pools!.symbols.get(symbol) ?? "");
      this.symbolNames.set(symbol, s);
    }
    return s;
  }
}
