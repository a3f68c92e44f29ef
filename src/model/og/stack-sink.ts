/**
 * Where every OG converter puts its stacks: a StackProfileBuilder behind the checks that
 * keep a hostile body from costing more than its size. Values are checked and scaled
 * here, frame names interned and measured here, and the three budgets below enforced
 * here, so each format parser only has to find stacks and counts.
 */
import { InvalidArgumentError } from "../errors.js";
import type { FlatProfile } from "../pprof/flat-profile.js";
import { StackProfileBuilder } from "../pprof/stack-builder.js";
import type { ValueType } from "../pprof/stack-builder.js";

/** Bounds on what one body may turn into; a value of 0 or less means "no limit". */
export interface OgLimits {
  /** Most stacks (samples) one profile may hold. */
  maxStacks: number;
  /** Longest frame name, in UTF-8 bytes. */
  maxFrameNameBytes?: number;
}

/** The sample type and period of the profile a sink builds. */
export interface SinkProfileType {
  sampleType: readonly [string, string];
  periodType?: readonly [string, string];
  period: number;
}

/**
 * Frame references across all stacks of one body, at least. The trie and tree formats
 * share prefixes, so a chain of n nodes that each carry a value expands to n²/2 frames;
 * the budget keeps that expansion linear in the body (never under 16 Mi frames, 64 MiB of
 * stack storage, which no real profile of a 10 MB body comes near).
 */
export const MIN_FRAME_BUDGET = 1 << 24;
/** Bytes of stack keys the trie decoder may decode per body, at least (same reason). */
export const MIN_KEY_BYTES_BUDGET = 1 << 26;

/** Accumulates stacks of one profile; parsers set `pos` so errors can say where. */
export class StackSink {
  /** Where the parser is, for messages: a line number, byte offset or sample index. */
  pos = 0;
  private readonly builder: StackProfileBuilder;
  private readonly ids = new Map<string, number>();
  private readonly value = new Float64Array(1);
  private scratch: Uint32Array = new Uint32Array(64);
  private scratchIds: Uint32Array = new Uint32Array(64);
  private stacks = 0;
  private frameRefs = 0;
  private keyBytes = 0;
  private readonly maxStacks: number;
  private readonly maxNameBytes: number;
  private readonly frameBudget: number;
  private readonly keyBytesBudget: number;

  /**
   * `scale` multiplies every count (the sampling period for CPU and wall profiles);
   * `posName` says what `pos` counts ("line", "byte", …); `bodyBytes` sizes the budgets.
   */
  constructor(
    type: SinkProfileType,
    private readonly scale: number,
    limits: OgLimits,
    private readonly format: string,
    /** What `pos` counts, for messages ("line", "byte", "profiles[0] sample"). */
    public posName: string,
    bodyBytes: number,
  ) {
    const opts: { sampleTypes: ValueType[]; periodType?: ValueType; period?: number } = { sampleTypes: [type.sampleType] };
    if (type.periodType) {
      opts.periodType = type.periodType;
      opts.period = type.period;
    }
    this.builder = new StackProfileBuilder(opts);
    this.maxStacks = limits.maxStacks > 0 ? limits.maxStacks : Infinity;
    this.maxNameBytes = limits.maxFrameNameBytes !== undefined && limits.maxFrameNameBytes > 0 ? limits.maxFrameNameBytes : Infinity;
    this.frameBudget = Math.max(MIN_FRAME_BUDGET, bodyBytes);
    this.keyBytesBudget = Math.max(MIN_KEY_BYTES_BUDGET, 4 * bodyBytes);
  }

  /** Number of stacks added so far (zero-valued ones are not counted). */
  get stackCount(): number {
    return this.stacks;
  }

  /** Throws the body error with the current position. */
  fail(what: string): never {
    throw new InvalidArgumentError("invalid_profile", `invalid ${this.format} body: ${what} at ${this.posName} ${this.pos}`);
  }

  /** The id of frame `name`, checking its length the first time it is seen. */
  frame(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      // A UTF-16 unit takes at most 3 UTF-8 bytes, so short names skip the byte count.
      if (name.length * 3 > this.maxNameBytes && Buffer.byteLength(name, "utf8") > this.maxNameBytes) {
        this.fail(`frame name of ${Buffer.byteLength(name, "utf8")} bytes exceeds the limit of ${this.maxNameBytes} bytes`);
      }
      id = this.builder.frame(name);
      this.ids.set(name, id);
    }
    return id;
  }

  /** Counts `n` frame references against the frame budget (for stacks summed before add()). */
  chargeFrames(n: number): void {
    this.frameRefs += n;
    if (this.frameRefs > this.frameBudget) this.fail(`stacks hold more than ${this.frameBudget} frames in total`);
  }

  /** Counts `n` bytes of stack keys decoded against the key-bytes budget. */
  chargeKeyBytes(n: number): void {
    this.keyBytes += n;
    if (this.keyBytes > this.keyBytesBudget) {
      this.fail(`stacks expand to more than ${this.keyBytesBudget} bytes of frame names`);
    }
  }

  /**
   * Adds `count` (before scaling) for the stack `ids[0..n)`, root first. Zero counts are
   * dropped, as pprof drops all-zero samples.
   */
  add(ids: ArrayLike<number>, n: number, count: number): void {
    if (count === 0) return;
    if (!(count > 0) || !Number.isSafeInteger(count)) this.fail(`count ${count} is not an integer in [0, 2^53)`);
    const scaled = count * this.scale;
    if (!Number.isSafeInteger(scaled)) this.fail(`count ${count} times ${this.scale} exceeds 2^53-1`);
    this.addScaled(ids, n, scaled);
  }

  /** Like add(), for a value already in the profile's unit (speedscope weights). */
  addScaled(ids: ArrayLike<number>, n: number, value: number): void {
    if (value === 0) return;
    if (!(value > 0) || !Number.isSafeInteger(value)) this.fail(`value ${value} is not an integer in [0, 2^53)`);
    this.stacks++;
    if (this.stacks > this.maxStacks) this.fail(`more than ${this.maxStacks} stacks`);
    this.chargeFrames(n);
    if (this.scratch.length < n) this.scratch = new Uint32Array(Math.max(n, this.scratch.length * 2));
    const leafFirst = this.scratch;
    for (let i = 0; i < n; i++) leafFirst[n - 1 - i] = ids[i]!;
    this.value[0] = value;
    this.builder.addSample(leafFirst.subarray(0, n), this.value);
  }

  /**
   * Adds a `;`-separated stack, root first. Split as Pyroscope's tree insert does:
   * every `;` ends a frame and a trailing empty segment is no frame, so "a;b;" is
   * [a, b], "a;;b" is [a, "", b] and "" is the empty stack.
   */
  addKey(key: string, count: number): void {
    let ids = this.scratchIds;
    let n = 0;
    let start = 0;
    for (;;) {
      const semi = key.indexOf(";", start);
      if (semi < 0) break;
      if (n === ids.length) ids = this.growIds();
      ids[n++] = this.frame(key.slice(start, semi));
      start = semi + 1;
    }
    if (start < key.length) {
      if (n === ids.length) ids = this.growIds();
      ids[n++] = this.frame(start === 0 ? key : key.slice(start));
    }
    this.add(ids, n, count);
  }

  /** The profile built so far. */
  build(timeNanos: bigint, durationNanos: bigint): FlatProfile {
    return this.builder.build(timeNanos, durationNanos);
  }

  private growIds(): Uint32Array {
    const next = new Uint32Array(this.scratchIds.length * 2);
    next.set(this.scratchIds);
    this.scratchIds = next;
    return next;
  }
}
