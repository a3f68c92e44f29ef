/**
 * Constant pools of a JFR chunk: the checkpoint events that define, by id, the stack
 * traces, methods, classes, symbols, thread states and strings that events refer to.
 * The chunk header points at the last checkpoint; each one gives the (negative) distance
 * to the one before it, and 0 ends the chain.
 *
 * Only what frame names and sample values need is kept, in maps of numbers and one flat
 * frame array, so a pool of any size costs no object per entry.
 */
import { F64Vec, U32Vec } from "../pprof/growable.js";
import { invalidJfr } from "./byte-reader.js";
import type { JfrByteReader } from "./byte-reader.js";
import { FieldKind, fieldIndex, readField, readFields } from "./layout.js";
import type { Layout, Layouts } from "./layout.js";
import { CHECKPOINT_EVENT_TYPE } from "./metadata.js";

/** What the constant pools of one chunk define. */
export interface ConstantPools {
  /** Stack trace id → index s; its frames' method ids are frameMethod[stackStart[s] .. stackStart[s+1]), leaf first. */
  stackIndex: Map<number, number>;
  stackStart: U32Vec;
  frameMethod: F64Vec;
  /** Method id → class id. */
  methodClass: Map<number, number>;
  /** Method id → name symbol id. */
  methodName: Map<number, number>;
  /** Class id → name symbol id. */
  className: Map<number, number>;
  /** Symbol id → text. */
  symbols: Map<number, string>;
  /** Thread state id → name, e.g. "STATE_RUNNABLE". */
  threadStates: Map<number, string>;
}

function emptyPools(checkpointBytes: number): ConstantPools {
  const stackStart = new U32Vec();
  stackStart.push(0);
  return {
    stackIndex: new Map(),
    stackStart,
    // Stack frames are most of a checkpoint, at 4 to 8 bytes each: sized once, rarely grown.
    frameMethod: new F64Vec(Math.max(1024, checkpointBytes >> 3)),
    methodClass: new Map(),
    methodName: new Map(),
    className: new Map(),
    symbols: new Map(),
    threadStates: new Map(),
  };
}

/** Field positions of the pool classes whose contents are kept; -1 when absent. */
interface PoolPlan {
  stackTrace: Layout | undefined;
  framesField: number;
  frame: Layout | undefined;
  frameMethodField: number;
  methodTypeField: number;
  methodNameField: number;
  classNameField: number;
  symbolStringField: number;
  stateNameField: number;
}

function plan(layouts: Layouts, at: number): PoolPlan {
  const byName = layouts.metadata.byName;
  const layoutOf = (name: string): Layout | undefined => {
    const cls = byName.get(name);
    return cls === undefined ? undefined : layouts.get(cls.id, at);
  };
  const idx = (l: Layout | undefined, name: string): number => (l === undefined ? -1 : fieldIndex(l, name));
  const stackTrace = layoutOf("jdk.types.StackTrace");
  let framesField = idx(stackTrace, "frames");
  let frame: Layout | undefined;
  if (stackTrace !== undefined && framesField >= 0) {
    // Frames are an inline array of jdk.types.StackFrame; any other shape is not understood.
    if (stackTrace.arrays[framesField] === 1 && stackTrace.kinds[framesField] === FieldKind.Struct) frame = stackTrace.sub[framesField];
    else framesField = -1;
  }
  const method = layoutOf("jdk.types.Method");
  const cls = layoutOf("java.lang.Class");
  const symbol = layoutOf("jdk.types.Symbol");
  const state = layoutOf("jdk.types.ThreadState");
  return {
    stackTrace,
    framesField,
    frame,
    frameMethodField: idx(frame, "method"),
    methodTypeField: idx(method, "type"),
    methodNameField: idx(method, "name"),
    classNameField: idx(cls, "name"),
    symbolStringField: idx(symbol, "string"),
    stateNameField: idx(state, "name"),
  };
}

/** Offsets of the chunk's checkpoint events, oldest first. */
function checkpointChain(r: JfrByteReader, chunkStart: number, firstEventAt: number, lastAt: number): number[] {
  const chain: number[] = [];
  let at = lastAt;
  // Checkpoints are records and cannot overlap: each must end where the next one (in file order) starts, or before.
  let limit = r.end;
  for (;;) {
    if (at < firstEventAt || at >= r.end) invalidJfr(`constant pool offset ${at - chunkStart} is outside the chunk`, at);
    chain.push(at);
    r.pos = at;
    const size = r.int("checkpoint size");
    if (size < 2 || at + size > limit) invalidJfr(`checkpoint size ${size} runs past ${limit === r.end ? "the chunk end" : "the next checkpoint"}`, at);
    limit = at;
    const type = r.long("checkpoint type");
    if (type !== CHECKPOINT_EVENT_TYPE) invalidJfr(`checkpoint event has type ${type}, expected ${CHECKPOINT_EVENT_TYPE}`, at);
    r.long("checkpoint start time");
    r.long("checkpoint duration");
    const deltaAt = r.pos;
    const delta = r.long("checkpoint delta");
    if (delta === 0) break;
    // Each step must go strictly backwards, which bounds the chain by the chunk size.
    if (delta > 0 || at + delta < firstEventAt) invalidJfr(`checkpoint delta ${delta} does not point to an earlier checkpoint`, deltaAt);
    at += delta;
  }
  return chain.reverse();
}

/** Reads the pools of the checkpoint at `at`, whose size checkpointChain() has checked. */
function readCheckpoint(r: JfrByteReader, at: number, layouts: Layouts, p: PoolPlan, pools: ConstantPools, slots: Float64Array): void {
  r.pos = at;
  const chunkEnd = r.end;
  const size = r.int("checkpoint size");
  r.end = at + size;
  r.long("checkpoint type");
  r.long("checkpoint start time");
  r.long("checkpoint duration");
  r.long("checkpoint delta");
  r.u8("checkpoint kind");
  const poolCount = r.count("constant pool count", 2);
  const strings: string[] = [];
  for (let i = 0; i < poolCount; i++) {
    const typeAt = r.pos;
    const typeId = r.long("constant pool type");
    const layout = layouts.get(typeId, typeAt);
    const count = r.count(`constant pool ${layout.cls.name} size`, 1);
    readPool(r, layout, count, p, pools, slots, strings);
  }
  r.end = chunkEnd;
}

function readPool(r: JfrByteReader, layout: Layout, count: number, p: PoolPlan, pools: ConstantPools, slots: Float64Array, strings: string[]): void {
  const name = layout.cls.name;
  if (layout.selfKind === FieldKind.String) {
    for (let j = 0; j < count; j++) {
      const id = r.id("string constant id");
      r.stringPool.set(id, r.string("string constant"));
    }
    return;
  }
  if (layout.selfKind !== FieldKind.Struct) {
    // A pool of bare primitives: read as a one-field struct would be.
    for (let j = 0; j < count; j++) {
      r.id("constant id");
      skipPrimitive(r, layout.selfKind);
    }
    return;
  }
  if (layout === p.stackTrace) {
    for (let j = 0; j < count; j++) readStackTrace(r, p, pools, slots);
    return;
  }
  for (let j = 0; j < count; j++) {
    const id = r.id(`${name} constant id`);
    strings.length = 0;
    readFields(r, layout, slots, strings, 0);
    switch (name) {
      case "jdk.types.Method":
        if (p.methodTypeField >= 0) pools.methodClass.set(id, slots[p.methodTypeField]!);
        if (p.methodNameField >= 0) pools.methodName.set(id, slots[p.methodNameField]!);
        break;
      case "java.lang.Class":
        if (p.classNameField >= 0) pools.className.set(id, slots[p.classNameField]!);
        break;
      case "jdk.types.Symbol":
        if (p.symbolStringField >= 0) pools.symbols.set(id, strings[p.symbolStringField] ?? "");
        break;
      case "jdk.types.ThreadState":
        if (p.stateNameField >= 0) pools.threadStates.set(id, strings[p.stateNameField] ?? "");
        break;
      default:
    }
  }
}

function skipPrimitive(r: JfrByteReader, kind: number): void {
  switch (kind) {
    case FieldKind.Boolean:
    case FieldKind.Byte:
      r.skip(1, "constant");
      return;
    case FieldKind.Float:
      r.skip(4, "constant");
      return;
    case FieldKind.Double:
      r.skip(8, "constant");
      return;
    case FieldKind.Short:
      r.short("constant");
      return;
    case FieldKind.Int:
      r.int("constant");
      return;
    default:
      r.long("constant");
  }
}

function readStackTrace(r: JfrByteReader, p: PoolPlan, pools: ConstantPools, slots: Float64Array): void {
  const layout = p.stackTrace!;
  const id = r.id("stack trace id");
  const n = layout.kinds.length;
  for (let i = 0; i < n; i++) {
    if (i !== p.framesField) {
      readField(r, layout, i, null, null, 0);
      continue;
    }
    const frame = p.frame!;
    const count = r.count("stack trace frame count", Math.max(1, frame.minBytes));
    const methods = pools.frameMethod;
    for (let j = 0; j < count; j++) {
      readFields(r, frame, slots, null, 1);
      methods.push(p.frameMethodField >= 0 ? slots[p.frameMethodField]! : 0);
    }
  }
  pools.stackIndex.set(id, pools.stackStart.n - 1);
  pools.stackStart.push(pools.frameMethod.n);
}

/**
 * Reads every constant pool of the chunk whose last checkpoint is at `lastAt`. `r.end`
 * must be the chunk end; `firstEventAt` is where the chunk's records begin.
 */
export function readConstantPools(r: JfrByteReader, layouts: Layouts, chunkStart: number, firstEventAt: number, lastAt: number): ConstantPools {
  const chain = checkpointChain(r, chunkStart, firstEventAt, lastAt);
  const p = plan(layouts, lastAt);
  let maxFields = 1;
  for (const cls of layouts.metadata.byId.values()) maxFields = Math.max(maxFields, cls.fields.length);
  const slots = new Float64Array(maxFields);
  // The chain's checkpoints do not overlap, so their sizes sum to at most the chunk size.
  let checkpointBytes = 0;
  for (const at of chain) {
    r.pos = at;
    checkpointBytes += r.int("checkpoint size");
  }
  let pools = emptyPools(checkpointBytes);
  for (const at of chain) readCheckpoint(r, at, layouts, p, pools, slots);
  if (r.unresolvedStringRef) {
    // A string referred to the string pool before that pool was read; it is complete now.
    r.unresolvedStringRef = false;
    pools = emptyPools(checkpointBytes);
    for (const at of chain) readCheckpoint(r, at, layouts, p, pools, slots);
  }
  return pools;
}
