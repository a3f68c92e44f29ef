/**
 * Writes small JFR recordings for tests: async-profiler's types, a handful of methods and
 * stack traces, and the events the converter reads, in compressed or fixed-width integers,
 * one or several chunks, with the constant pools in one checkpoint or split over two.
 */

/** Class ids of the test metadata (0 and 1 are the metadata and checkpoint event types). */
export const TestTypeId = {
  Boolean: 10,
  Byte: 11,
  Char: 12,
  Short: 13,
  Int: 14,
  Long: 15,
  Float: 16,
  Double: 17,
  String: 20,
  Thread: 21,
  Class: 22,
  ClassLoader: 23,
  FrameType: 24,
  ThreadState: 25,
  Package: 26,
  Symbol: 27,
  Method: 28,
  StackTrace: 29,
  StackFrame: 30,
  VirtualSpace: 31,
  ExecutionSample: 101,
  AllocInNewTlab: 102,
  AllocOutsideTlab: 103,
  MonitorEnter: 104,
  ThreadPark: 105,
  LiveObject: 106,
  WallClockSample: 107,
  ActiveSetting: 108,
  CpuLoad: 109,
  GcHeapSummary: 110,
} as const;

/** A field of a test class: name, type id, and whether it is a constant-pool reference or an array. */
export type FieldSpec = [name: string, type: number, flags?: "cp" | "array"];

const CLASSES: Array<[id: number, name: string, fields: FieldSpec[]]> = [
  [TestTypeId.Boolean, "boolean", []],
  [TestTypeId.Byte, "byte", []],
  [TestTypeId.Char, "char", []],
  [TestTypeId.Short, "short", []],
  [TestTypeId.Int, "int", []],
  [TestTypeId.Long, "long", []],
  [TestTypeId.Float, "float", []],
  [TestTypeId.Double, "double", []],
  [TestTypeId.String, "java.lang.String", []],
  [TestTypeId.Thread, "java.lang.Thread", [["osName", TestTypeId.String], ["osThreadId", TestTypeId.Long], ["javaName", TestTypeId.String], ["javaThreadId", TestTypeId.Long]]],
  [TestTypeId.Class, "java.lang.Class", [["classLoader", TestTypeId.ClassLoader, "cp"], ["name", TestTypeId.Symbol, "cp"], ["package", TestTypeId.Package, "cp"], ["modifiers", TestTypeId.Int]]],
  [TestTypeId.ClassLoader, "jdk.types.ClassLoader", [["type", TestTypeId.Class, "cp"], ["name", TestTypeId.Symbol, "cp"]]],
  [TestTypeId.FrameType, "jdk.types.FrameType", [["description", TestTypeId.String]]],
  [TestTypeId.ThreadState, "jdk.types.ThreadState", [["name", TestTypeId.String]]],
  [TestTypeId.Package, "jdk.types.Package", [["name", TestTypeId.Symbol, "cp"]]],
  [TestTypeId.Symbol, "jdk.types.Symbol", [["string", TestTypeId.String]]],
  [TestTypeId.Method, "jdk.types.Method", [["type", TestTypeId.Class, "cp"], ["name", TestTypeId.Symbol, "cp"], ["descriptor", TestTypeId.Symbol, "cp"], ["modifiers", TestTypeId.Int], ["hidden", TestTypeId.Boolean]]],
  [TestTypeId.StackTrace, "jdk.types.StackTrace", [["truncated", TestTypeId.Boolean], ["frames", TestTypeId.StackFrame, "array"]]],
  [TestTypeId.StackFrame, "jdk.types.StackFrame", [["method", TestTypeId.Method, "cp"], ["lineNumber", TestTypeId.Int], ["bytecodeIndex", TestTypeId.Int], ["type", TestTypeId.FrameType, "cp"]]],
  [TestTypeId.VirtualSpace, "jdk.types.VirtualSpace", [["start", TestTypeId.Long], ["committedEnd", TestTypeId.Long], ["committedSize", TestTypeId.Long], ["reservedEnd", TestTypeId.Long], ["reservedSize", TestTypeId.Long]]],
  [TestTypeId.ExecutionSample, "jdk.ExecutionSample", [["startTime", TestTypeId.Long], ["sampledThread", TestTypeId.Thread, "cp"], ["stackTrace", TestTypeId.StackTrace, "cp"], ["state", TestTypeId.ThreadState, "cp"], ["contextId", TestTypeId.Long]]],
  [TestTypeId.AllocInNewTlab, "jdk.ObjectAllocationInNewTLAB", [["startTime", TestTypeId.Long], ["eventThread", TestTypeId.Thread, "cp"], ["stackTrace", TestTypeId.StackTrace, "cp"], ["objectClass", TestTypeId.Class, "cp"], ["allocationSize", TestTypeId.Long], ["tlabSize", TestTypeId.Long], ["contextId", TestTypeId.Long]]],
  [TestTypeId.AllocOutsideTlab, "jdk.ObjectAllocationOutsideTLAB", [["startTime", TestTypeId.Long], ["eventThread", TestTypeId.Thread, "cp"], ["stackTrace", TestTypeId.StackTrace, "cp"], ["objectClass", TestTypeId.Class, "cp"], ["allocationSize", TestTypeId.Long], ["contextId", TestTypeId.Long]]],
  [TestTypeId.MonitorEnter, "jdk.JavaMonitorEnter", [["startTime", TestTypeId.Long], ["duration", TestTypeId.Long], ["eventThread", TestTypeId.Thread, "cp"], ["stackTrace", TestTypeId.StackTrace, "cp"], ["monitorClass", TestTypeId.Class, "cp"], ["previousOwner", TestTypeId.Thread, "cp"], ["address", TestTypeId.Long], ["contextId", TestTypeId.Long]]],
  [TestTypeId.ThreadPark, "jdk.ThreadPark", [["startTime", TestTypeId.Long], ["duration", TestTypeId.Long], ["eventThread", TestTypeId.Thread, "cp"], ["stackTrace", TestTypeId.StackTrace, "cp"], ["parkedClass", TestTypeId.Class, "cp"], ["timeout", TestTypeId.Long], ["until", TestTypeId.Long], ["address", TestTypeId.Long]]],
  [TestTypeId.LiveObject, "profiler.LiveObject", [["startTime", TestTypeId.Long], ["eventThread", TestTypeId.Thread, "cp"], ["stackTrace", TestTypeId.StackTrace, "cp"], ["objectClass", TestTypeId.Class, "cp"], ["allocationSize", TestTypeId.Long], ["allocationTime", TestTypeId.Long]]],
  [TestTypeId.WallClockSample, "profiler.WallClockSample", [["startTime", TestTypeId.Long], ["sampledThread", TestTypeId.Thread, "cp"], ["stackTrace", TestTypeId.StackTrace, "cp"], ["state", TestTypeId.ThreadState, "cp"], ["samples", TestTypeId.Int]]],
  [TestTypeId.ActiveSetting, "jdk.ActiveSetting", [["startTime", TestTypeId.Long], ["id", TestTypeId.Long], ["name", TestTypeId.String], ["value", TestTypeId.String]]],
  [TestTypeId.CpuLoad, "jdk.CPULoad", [["startTime", TestTypeId.Long], ["jvmUser", TestTypeId.Float], ["jvmSystem", TestTypeId.Float], ["machineTotal", TestTypeId.Float]]],
  [TestTypeId.GcHeapSummary, "jdk.GCHeapSummary", [["startTime", TestTypeId.Long], ["gcId", TestTypeId.Int], ["heapSpace", TestTypeId.VirtualSpace], ["heapUsed", TestTypeId.Long], ["gcCause", TestTypeId.Short], ["ratio", TestTypeId.Double]]],
];

/** Appends JFR primitives to a growable buffer. */
export class JfrBytes {
  private buf = new Uint8Array(256);
  n = 0;

  constructor(readonly compressed = true) {}

  /** One byte. */
  u8(v: number): this {
    this.ensure(1);
    this.buf[this.n++] = v & 0xff;
    return this;
  }

  /** Raw bytes. */
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
    return this;
  }

  /** A big-endian fixed-width integer of `width` bytes (two's complement). */
  fixed(v: bigint | number, width: number): this {
    let x = BigInt.asUintN(width * 8, BigInt(v));
    const out = new Uint8Array(width);
    for (let i = width - 1; i >= 0; i--) {
      out[i] = Number(x & 0xffn);
      x >>= 8n;
    }
    return this.bytes(out);
  }

  /** A Java long: a JFR varint when compressed, 8 bytes otherwise. */
  long(v: bigint | number): this {
    if (!this.compressed) return this.fixed(v, 8);
    let x = BigInt.asUintN(64, BigInt(v));
    for (let i = 0; i < 8; i++) {
      if (x < 0x80n) return this.u8(Number(x));
      this.u8(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    return this.u8(Number(x));
  }

  /** A Java int: a varint when compressed, 4 bytes otherwise. */
  int(v: number): this {
    return this.compressed ? this.long(v) : this.fixed(v, 4);
  }

  /** A Java short or char. */
  short(v: number): this {
    return this.compressed ? this.long(v) : this.fixed(v, 2);
  }

  /** A string in `encoding`: 3 UTF-8 (default), 4 char array, 5 Latin-1, 1 empty, 0 null. */
  string(s: string, encoding = 3): this {
    this.u8(encoding);
    if (encoding === 3) {
      const b = new TextEncoder().encode(s);
      return this.int(b.length).bytes(b);
    }
    if (encoding === 4) {
      this.int(s.length);
      for (let i = 0; i < s.length; i++) this.short(s.charCodeAt(i));
      return this;
    }
    if (encoding === 5) {
      this.int(s.length);
      for (let i = 0; i < s.length; i++) this.u8(s.charCodeAt(i));
    }
    return this;
  }

  /** The bytes so far. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.n);
  }

  private ensure(extra: number): void {
    if (this.n + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.n + extra, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }
}

/** A record: its size (counting itself) and `body`. Compressed sizes are padded to 4 bytes, as the JDK writes them. */
export function jfrRecord(body: Uint8Array, compressed = true): Uint8Array {
  const out = new JfrBytes(compressed);
  const size = body.length + 4;
  if (compressed) out.u8((size & 0x7f) | 0x80).u8(((size >> 7) & 0x7f) | 0x80).u8(((size >> 14) & 0x7f) | 0x80).u8((size >> 21) & 0x7f);
  else out.fixed(size, 4);
  return out.bytes(body).finish();
}

/** Header fields of a hand-laid chunk. */
export interface ChunkLayout {
  compressed?: boolean;
  ticksPerSecond?: number;
  startNanos?: bigint;
  durationNanos?: bigint;
}

/**
 * A chunk of `records` laid end to end after the header; the header points at record
 * `metadataIndex` and record `checkpointIndex`.
 */
export function jfrChunk(records: Uint8Array[], metadataIndex: number, checkpointIndex: number, layout: ChunkLayout = {}): Uint8Array {
  const offsets: number[] = [];
  let at = 68;
  for (const r of records) {
    offsets.push(at);
    at += r.length;
  }
  const h = new JfrBytes(false);
  h.fixed(0x464c5200, 4).fixed(2, 2).fixed(1, 2).fixed(at, 8).fixed(offsets[checkpointIndex]!, 8).fixed(offsets[metadataIndex]!, 8);
  h.fixed(layout.startNanos ?? 1_700_000_000_000_000_000n, 8).fixed(layout.durationNanos ?? 10_000_000_000n, 8);
  h.fixed(123456, 8).fixed(layout.ticksPerSecond ?? 1_000_000_000, 8).fixed((layout.compressed ?? true) ? 1 : 0, 4);
  for (const r of records) h.bytes(r);
  return h.finish();
}

/** Options of a test recording. */
export interface TestJfrOptions {
  compressed?: boolean;
  /** Write symbols and string constants in an earlier checkpoint that the last one chains to. */
  splitCheckpoints?: boolean;
  ticksPerSecond?: number;
  startNanos?: bigint;
  durationNanos?: bigint;
  /** Encoding of symbol strings (3 UTF-8, 4 char array, 5 Latin-1, 2 string-pool reference). */
  symbolEncoding?: number;
  /** More classes for the metadata. */
  extraClasses?: Array<[id: number, name: string, fields: FieldSpec[]]>;
  /** More pools for the last checkpoint, each written whole by its function. */
  extraPools?: Array<(b: JfrBytes) => void>;
}

/** Builds a recording chunk by chunk; ids are per chunk, as in real recordings. */
export class TestJfrWriter {
  private readonly chunks: Uint8Array[] = [];
  private symbols: string[] = [];
  private classes: number[] = [];
  private methods: Array<[cls: number, name: number]> = [];
  private stacks: number[][] = [];
  private events: Uint8Array[] = [];
  private readonly states = ["STATE_RUNNABLE", "STATE_SLEEPING"];

  constructor(private readonly options: TestJfrOptions = {}) {}

  /** The id of a method `name` of class `className` (both interned). */
  method(className: string, name: string): number {
    this.classes.push(this.symbol(className));
    this.methods.push([this.classes.length, this.symbol(name)]);
    return this.methods.length;
  }

  /** The id of a stack trace of `methods`, leaf first; a 0 method id is an unknown method. */
  stack(methods: number[]): number {
    this.stacks.push(methods);
    return this.stacks.length;
  }

  /** A jdk.ExecutionSample. */
  executionSample(stack: number, opts: { sleeping?: boolean; contextId?: number } = {}): void {
    this.event(TestTypeId.ExecutionSample, (b) => b.long(1000).long(1).long(stack).long(opts.sleeping === true ? 2 : 1).long(opts.contextId ?? 0));
  }

  /** A jdk.ObjectAllocationInNewTLAB. */
  allocInNewTlab(stack: number, tlabSize: number, contextId = 0): void {
    this.event(TestTypeId.AllocInNewTlab, (b) => b.long(1000).long(1).long(stack).long(1).long(16).long(tlabSize).long(contextId));
  }

  /** A jdk.ObjectAllocationOutsideTLAB. */
  allocOutsideTlab(stack: number, size: number, contextId = 0): void {
    this.event(TestTypeId.AllocOutsideTlab, (b) => b.long(1000).long(1).long(stack).long(1).long(size).long(contextId));
  }

  /** A jdk.JavaMonitorEnter of `durationTicks`. */
  monitorEnter(stack: number, durationTicks: number, contextId = 0): void {
    this.event(TestTypeId.MonitorEnter, (b) => b.long(1000).long(durationTicks).long(1).long(stack).long(1).long(1).long(0xdeadbeefn).long(contextId));
  }

  /** A jdk.ThreadPark of `durationTicks`. */
  threadPark(stack: number, durationTicks: number): void {
    this.event(TestTypeId.ThreadPark, (b) => b.long(1000).long(durationTicks).long(1).long(stack).long(1).long(-1).long(-9223372036854775808n).long(0));
  }

  /** A profiler.LiveObject. */
  liveObject(stack: number): void {
    this.event(TestTypeId.LiveObject, (b) => b.long(1000).long(1).long(stack).long(1).long(64).long(900));
  }

  /** A profiler.WallClockSample standing for `samples` samples. */
  wallClockSample(stack: number, samples: number): void {
    this.event(TestTypeId.WallClockSample, (b) => b.long(1000).long(1).long(stack).long(1).int(samples));
  }

  /** A jdk.ActiveSetting. */
  activeSetting(name: string, value: string): void {
    this.event(TestTypeId.ActiveSetting, (b) => b.long(1000).long(7).string(name).string(value, 5));
  }

  /** Events the converter does not read: a jdk.CPULoad (floats) and a jdk.GCHeapSummary (an inline struct). */
  otherEvents(): void {
    this.event(TestTypeId.CpuLoad, (b) => b.long(1000).fixed(0x3f000000, 4).fixed(0x3e800000, 4).fixed(0x3f400000, 4));
    this.event(TestTypeId.GcHeapSummary, (b) => b.long(1000).int(3).long(1).long(2).long(3).long(4).long(5).long(4096).short(7).fixed(0x3ff0000000000000n, 8));
  }

  /** A record of type `type` whose fields `body` writes. */
  rawEvent(type: number, body: (b: JfrBytes) => void): void {
    this.event(type, body);
  }

  /** Closes the current chunk; later calls start a new one with fresh ids. */
  endChunk(): void {
    this.chunks.push(this.chunk());
    this.symbols = [];
    this.classes = [];
    this.methods = [];
    this.stacks = [];
    this.events = [];
  }

  /** The whole recording (closing the current chunk if it has anything in it). */
  finish(): Uint8Array {
    if (this.events.length > 0 || this.stacks.length > 0) this.endChunk();
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  private symbol(s: string): number {
    this.symbols.push(s);
    return this.symbols.length;
  }

  private bytes(): JfrBytes {
    return new JfrBytes(this.options.compressed ?? true);
  }

  private event(type: number, body: (b: JfrBytes) => void): void {
    const b = this.bytes();
    b.long(type);
    body(b);
    this.events.push(this.record(b.finish()));
  }

  private record(body: Uint8Array): Uint8Array {
    return jfrRecord(body, this.options.compressed ?? true);
  }

  private metadata(): Uint8Array {
    const strings: string[] = [];
    const ids = new Map<string, number>();
    const s = (x: string): number => {
      let i = ids.get(x);
      if (i === undefined) {
        i = strings.length;
        strings.push(x);
        ids.set(x, i);
      }
      return i;
    };
    const el = this.bytes();
    const element = (name: string, attrs: Array<[string, string]>, children: () => number): void => {
      el.int(s(name)).int(attrs.length);
      for (const [k, v] of attrs) el.int(s(k)).int(s(v));
      const nested = new JfrBytes(el.compressed);
      const saved = el.n;
      const count = children();
      // Children were appended after the attributes; the count must precede them.
      const childBytes = el.finish().slice(saved);
      el.n = saved;
      nested.int(count);
      el.bytes(nested.finish()).bytes(childBytes);
    };
    element("root", [], () => {
      element("metadata", [], () => {
        const classes = [...CLASSES, ...(this.options.extraClasses ?? [])];
        for (const [id, name, fields] of classes) {
          element("class", [["id", String(id)], ["name", name]], () => {
            for (const [fname, type, flag] of fields) {
              const attrs: Array<[string, string]> = [["name", fname], ["class", String(type)]];
              if (flag === "cp") attrs.push(["constantPool", "true"]);
              if (flag === "array") attrs.push(["dimension", "1"]);
              element("field", attrs, () => {
                element("annotation", [["class", "200"], ["value", fname]], () => 0);
                return 1;
              });
            }
            return fields.length;
          });
        }
        return classes.length;
      });
      element("region", [["locale", "en_US"]], () => 0);
      return 2;
    });
    const body = this.bytes().long(0).long(0).long(0).long(1).int(strings.length);
    for (const x of strings) body.string(x);
    body.bytes(el.finish());
    return this.record(body.finish());
  }

  private checkpoint(delta: number, pools: Array<(b: JfrBytes) => void>): Uint8Array {
    const b = this.bytes().long(1).long(0).long(0).long(delta).u8(1).int(pools.length);
    for (const pool of pools) pool(b);
    return this.record(b.finish());
  }

  private symbolPools(): Array<(b: JfrBytes) => void> {
    const enc = this.options.symbolEncoding ?? 3;
    const pools: Array<(b: JfrBytes) => void> = [
      (b) => {
        b.long(TestTypeId.Symbol).int(this.symbols.length);
        this.symbols.forEach((x, i) => {
          b.long(i + 1);
          if (enc === 2) b.u8(2).long(i + 1);
          else b.string(x, enc);
        });
      },
    ];
    if (enc === 2) {
      pools.push((b) => {
        b.long(TestTypeId.String).int(this.symbols.length);
        this.symbols.forEach((x, i) => b.long(i + 1).string(x));
      });
    }
    return pools;
  }

  private otherPools(): Array<(b: JfrBytes) => void> {
    return [
      (b) => b.long(TestTypeId.Thread).int(1).long(1).string("main").long(11).string("main").long(1),
      (b) => {
        b.long(TestTypeId.Class).int(this.classes.length);
        this.classes.forEach((sym, i) => b.long(i + 1).long(0).long(sym).long(0).int(1));
      },
      (b) => {
        b.long(TestTypeId.Method).int(this.methods.length);
        this.methods.forEach(([cls, name], i) => b.long(i + 1).long(cls).long(name).long(0).int(1).u8(0));
      },
      (b) => {
        b.long(TestTypeId.StackTrace).int(this.stacks.length);
        this.stacks.forEach((frames, i) => {
          b.long(i + 1).u8(0).int(frames.length);
          for (const m of frames) b.long(m).int(42).int(7).long(1);
        });
      },
      (b) => {
        b.long(TestTypeId.ThreadState).int(this.states.length);
        this.states.forEach((x, i) => b.long(i + 1).string(x));
      },
      (b) => b.long(TestTypeId.FrameType).int(1).long(1).string("Interpreted"),
    ];
  }

  private chunk(): Uint8Array {
    const records = [this.metadata()];
    let at = 68 + records[0]!.length;
    let firstCheckpointAt = 0;
    if (this.options.splitCheckpoints === true) {
      firstCheckpointAt = at;
      records.push(this.checkpoint(0, this.symbolPools()));
      at += records[1]!.length;
    }
    for (const e of this.events) {
      records.push(e);
      at += e.length;
    }
    const pools = this.options.splitCheckpoints === true ? this.otherPools() : [...this.symbolPools(), ...this.otherPools()];
    pools.push(...(this.options.extraPools ?? []));
    records.push(this.checkpoint(firstCheckpointAt === 0 ? 0 : firstCheckpointAt - at, pools));
    return jfrChunk(records, 0, records.length - 1, this.options);
  }
}
