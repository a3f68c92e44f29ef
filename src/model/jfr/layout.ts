/**
 * Record layouts compiled from the metadata: for each class, how to read or skip each
 * field. Events and constants are read into a reusable Float64Array of field values (and
 * a string array for the few string fields wanted), so reading a record allocates nothing.
 */
import { invalidJfr } from "./byte-reader.js";
import type { JfrByteReader } from "./byte-reader.js";
import type { JfrClass, JfrMetadata } from "./metadata.js";

/** How one field is encoded. */
export const FieldKind = {
  /** A constant-pool id: a long. */
  Ref: 0,
  Boolean: 1,
  Byte: 2,
  /** short and char. */
  Short: 3,
  Int: 4,
  Long: 5,
  Float: 6,
  Double: 7,
  String: 8,
  /** Another class's fields, inline. */
  Struct: 9,
} as const;

const PRIMITIVES = new Map<string, number>([
  ["boolean", FieldKind.Boolean],
  ["byte", FieldKind.Byte],
  ["char", FieldKind.Short],
  ["short", FieldKind.Short],
  ["int", FieldKind.Int],
  ["long", FieldKind.Long],
  ["float", FieldKind.Float],
  ["double", FieldKind.Double],
  ["java.lang.String", FieldKind.String],
]);

// Inline structs nest a few levels in real recordings (StackTrace > StackFrame); deeper is hostile.
const MAX_VALUE_DEPTH = 32;

/** The compiled form of a class. */
export interface Layout {
  cls: JfrClass;
  /** FieldKind per field. */
  kinds: Uint8Array;
  /** 1 where the field is an array. */
  arrays: Uint8Array;
  /** For Struct fields, the inline class's layout. */
  sub: (Layout | undefined)[];
  /** Smallest encoding of one value of this class, in bytes. */
  minBytes: number;
  /** Kind of the class itself when it is a primitive or String (its pool holds bare values), else Struct. */
  selfKind: number;
  /**
   * Every field is a single varint (a reference, long, int, short or char in a compressed
   * chunk): true of async-profiler's events and stack frames, which then take a fast path.
   */
  varintsOnly: boolean;
}

/** Compiles and caches layouts for one chunk's metadata. */
export class Layouts {
  private readonly cache = new Map<number, Layout>();
  private readonly compiling = new Set<number>();

  /** `compressed` is the chunk's compressed-integers flag, which sets the minimum field sizes. */
  constructor(
    readonly metadata: JfrMetadata,
    private readonly compressed: boolean,
  ) {}

  /** The layout of type `typeId`; `at` is the offset blamed if the type is unknown or recursive. */
  get(typeId: number, at: number): Layout {
    const cached = this.cache.get(typeId);
    if (cached !== undefined) return cached;
    const cls = this.metadata.byId.get(typeId);
    if (cls === undefined) return invalidJfr(`type id ${typeId} is not in the metadata`, at);
    if (this.compiling.has(typeId)) return invalidJfr(`class ${cls.name} contains itself inline`, at);
    this.compiling.add(typeId);
    const n = cls.fields.length;
    const kinds = new Uint8Array(n);
    const arrays = new Uint8Array(n);
    const sub: (Layout | undefined)[] = new Array<Layout | undefined>(n).fill(undefined);
    let minBytes = 0;
    for (let i = 0; i < n; i++) {
      const f = cls.fields[i]!;
      arrays[i] = f.array ? 1 : 0;
      let kind: number;
      if (f.constantPool) {
        kind = FieldKind.Ref;
      } else {
        const fieldCls = this.metadata.byId.get(f.typeId);
        if (fieldCls === undefined) invalidJfr(`field ${f.name} of ${cls.name} has unknown type id ${f.typeId}`, at);
        kind = PRIMITIVES.get(fieldCls.name) ?? FieldKind.Struct;
        // An array may be empty, so its element type need not be compiled to size it;
        // it is compiled here anyway, which also rejects a class containing itself.
        if (kind === FieldKind.Struct && !f.array) sub[i] = this.get(f.typeId, at);
      }
      kinds[i] = kind;
      minBytes += f.array ? this.minIntBytes() : this.minBytesOf(kind, sub[i]);
    }
    this.compiling.delete(typeId);
    let varintsOnly = this.compressed;
    for (let i = 0; i < n; i++) {
      const k = kinds[i]!;
      if (arrays[i] === 1 || (k !== FieldKind.Ref && k !== FieldKind.Long && k !== FieldKind.Int && k !== FieldKind.Short)) varintsOnly = false;
    }
    const layout: Layout = { cls, kinds, arrays, sub, minBytes, selfKind: PRIMITIVES.get(cls.name) ?? FieldKind.Struct, varintsOnly };
    this.cache.set(typeId, layout);
    // Array element layouts are compiled after this one is cached, so self-referencing arrays resolve.
    for (let i = 0; i < n; i++) {
      const f = cls.fields[i]!;
      if (f.array && kinds[i] === FieldKind.Struct) sub[i] = this.get(f.typeId, at);
    }
    return layout;
  }

  /** Smallest encoding of one value of `kind`. */
  minBytesOf(kind: number, sub: Layout | undefined): number {
    switch (kind) {
      case FieldKind.Ref:
      case FieldKind.Long:
        return this.compressed ? 1 : 8;
      case FieldKind.Short:
        return this.compressed ? 1 : 2;
      case FieldKind.Int:
        return this.minIntBytes();
      case FieldKind.Float:
        return 4;
      case FieldKind.Double:
        return 8;
      case FieldKind.Struct:
        return sub?.minBytes ?? 0;
      default:
        return 1;
    }
  }

  private minIntBytes(): number {
    return this.compressed ? 1 : 4;
  }
}

/** Skips one value of `kind` (not an array). */
export function skipValue(r: JfrByteReader, kind: number, sub: Layout | undefined, depth: number): void {
  switch (kind) {
    case FieldKind.Ref:
    case FieldKind.Long:
      r.long("long field");
      return;
    case FieldKind.Boolean:
    case FieldKind.Byte:
      r.skip(1, "byte field");
      return;
    case FieldKind.Short:
      r.short("short field");
      return;
    case FieldKind.Int:
      r.int("int field");
      return;
    case FieldKind.Float:
      r.skip(4, "float field");
      return;
    case FieldKind.Double:
      r.skip(8, "double field");
      return;
    case FieldKind.String:
      r.skipString("string field");
      return;
    default:
      // A struct whose smallest encoding is empty holds no primitives or arrays at any depth,
      // so it is never read: nesting empty structs cannot make work without consuming bytes.
      if (sub!.minBytes > 0) readFields(r, sub!, null, null, depth + 1);
  }
}

/**
 * Reads one value of `layout`'s class at `r.pos`. Numeric and reference fields land in
 * `out[i]` (arrays: their length; structs: 0); string fields land in `strings[i]` when a
 * strings array is given and are skipped otherwise. Either array may be null to skip.
 */
export function readFields(
  r: JfrByteReader,
  layout: Layout,
  out: Float64Array | null,
  strings: string[] | null,
  depth: number,
): void {
  if (depth > MAX_VALUE_DEPTH) invalidJfr(`values nest deeper than ${MAX_VALUE_DEPTH}`, r.pos);
  if (layout.varintsOnly && out !== null) {
    readVarints(r, layout, out);
    return;
  }
  const n = layout.kinds.length;
  for (let i = 0; i < n; i++) readField(r, layout, i, out, strings, depth);
}

/** readFields() for a layout of single varints: values of one or two bytes are decoded inline. */
function readVarints(r: JfrByteReader, layout: Layout, out: Float64Array): void {
  const buf = r.buf;
  const end = r.end;
  const kinds = layout.kinds;
  const n = kinds.length;
  let p = r.pos;
  for (let i = 0; i < n; i++) {
    if (p + 1 < end) {
      const b0 = buf[p]!;
      if (b0 < 0x80) {
        out[i] = b0;
        p += 1;
        continue;
      }
      const b1 = buf[p + 1]!;
      if (b1 < 0x80) {
        out[i] = (b0 & 0x7f) | (b1 << 7);
        p += 2;
        continue;
      }
    }
    r.pos = p;
    const kind = kinds[i]!;
    out[i] = kind === FieldKind.Ref ? r.id("reference field") : kind === FieldKind.Int ? r.int("int field") : r.long("long field");
    p = r.pos;
  }
  r.pos = p;
}

/** Reads field `i` of `layout` as readFields() does. */
export function readField(
  r: JfrByteReader,
  layout: Layout,
  i: number,
  out: Float64Array | null,
  strings: string[] | null,
  depth: number,
): void {
  const kind = layout.kinds[i]!;
  if (layout.arrays[i] === 1) {
    const sub = layout.sub[i];
    const elementBytes = kind === FieldKind.Struct ? (sub?.minBytes ?? 0) : 1;
    // Elements of an empty struct take no bytes: there is nothing to read however many.
    const count = r.count("array length", elementBytes);
    if (out !== null) out[i] = count;
    if (kind === FieldKind.Struct && elementBytes === 0) return;
    for (let j = 0; j < count; j++) skipValue(r, kind, sub, depth);
    return;
  }
  switch (kind) {
    case FieldKind.Ref:
      if (out !== null) out[i] = r.id("reference field");
      else r.long("reference field");
      return;
    case FieldKind.Long:
      if (out !== null) out[i] = r.long("long field");
      else r.long("long field");
      return;
    case FieldKind.Int:
      if (out !== null) out[i] = r.int("int field");
      else r.int("int field");
      return;
    case FieldKind.Boolean:
    case FieldKind.Byte:
      if (out !== null) out[i] = r.u8("byte field");
      else r.skip(1, "byte field");
      return;
    case FieldKind.Short:
      if (out !== null) out[i] = r.short("short field");
      else r.short("short field");
      return;
    case FieldKind.String:
      if (strings !== null) strings[i] = r.string("string field");
      else r.skipString("string field");
      return;
    default:
      skipValue(r, kind, layout.sub[i], depth);
      if (out !== null) out[i] = 0;
  }
}

/** Index of field `name` in `layout`'s class, or -1. */
export function fieldIndex(layout: Layout, name: string): number {
  return layout.cls.fields.findIndex((f) => f.name === name);
}
