/**
 * A second, deliberately naive JFR decoder for tests: every value becomes a plain object,
 * every long a bigint, and nothing is compiled, cached or bounded. Tests compare the
 * converter's profiles against sums computed from what this decoder sees, so the two
 * share no parsing code.
 */

/** A decoded value: a number (bool/byte/int/float), a bigint (long, constant-pool id), a string, an array or a struct. */
export type ScanValue = number | bigint | string | ScanValue[] | { [field: string]: ScanValue };

interface ScanField {
  name: string;
  type: string;
  cp: boolean;
  array: boolean;
}

/** One event of a scanned recording. */
export interface ScanEvent {
  type: string;
  fields: Record<string, ScanValue>;
}

/** One scanned chunk: its events in file order and its constant pools by class name then id. */
export interface ScanChunk {
  events: ScanEvent[];
  pools: Map<string, Map<bigint, ScanValue>>;
  ticksPerSecond: number;
}

class Cursor {
  constructor(
    readonly b: Uint8Array,
    public p: number,
  ) {}
  u8(): number {
    if (this.p >= this.b.length) throw new Error("scan: truncated");
    return this.b[this.p++]!;
  }
  varlong(): bigint {
    let v = 0n;
    for (let i = 0; i < 9; i++) {
      const x = this.u8();
      if (i === 8) return BigInt.asIntN(64, v | (BigInt(x) << 56n));
      v |= BigInt(x & 0x7f) << BigInt(7 * i);
      if (x < 0x80) break;
    }
    return BigInt.asIntN(64, v);
  }
  str(): string {
    const enc = this.u8();
    if (enc <= 1) return "";
    if (enc === 2) return `\u0000ref${this.varlong()}`;
    const n = Number(this.varlong());
    let s = "";
    if (enc === 3) {
      s = new TextDecoder().decode(this.b.subarray(this.p, this.p + n));
      this.p += n;
      return s;
    }
    for (let i = 0; i < n; i++) s += String.fromCharCode(enc === 4 ? Number(this.varlong()) : this.u8());
    return s;
  }
}

/** Decodes every chunk of a gunzipped recording written with compressed integers. */
export function scanJfr(buf: Uint8Array): ScanChunk[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const chunks: ScanChunk[] = [];
  for (let start = 0; start < buf.length; ) {
    const size = Number(view.getBigInt64(start + 8));
    const cpOffset = Number(view.getBigInt64(start + 16));
    const metaOffset = Number(view.getBigInt64(start + 24));
    const ticksPerSecond = Number(view.getBigInt64(start + 56));
    if ((view.getUint32(start + 64) & 1) === 0) throw new Error("scan: only compressed integers are supported");
    const classes = readClasses(new Cursor(buf, start + metaOffset));
    const byName = new Map([...classes.values()].map((c) => [c.name, c]));
    const read = (c: Cursor, type: string): ScanValue => {
      const cls = byName.get(type)!;
      switch (type) {
        case "boolean":
        case "byte":
          return c.u8();
        case "short":
        case "char":
        case "int":
          return Number(c.varlong());
        case "long":
          return c.varlong();
        case "float":
          c.p += 4;
          return 0;
        case "double":
          c.p += 8;
          return 0;
        case "java.lang.String":
          return c.str();
        default: {
          const o: { [field: string]: ScanValue } = {};
          for (const f of cls.fields) {
            const one = (): ScanValue => (f.cp ? c.varlong() : read(c, f.type));
            if (f.array) {
              const n = Number(c.varlong());
              const arr: ScanValue[] = [];
              for (let i = 0; i < n; i++) arr.push(one());
              o[f.name] = arr;
            } else {
              o[f.name] = one();
            }
          }
          return o;
        }
      }
    };
    const pools = new Map<string, Map<bigint, ScanValue>>();
    let at = start + cpOffset;
    for (;;) {
      const c = new Cursor(buf, at);
      c.varlong();
      c.varlong();
      c.varlong();
      c.varlong();
      const delta = Number(c.varlong());
      c.u8();
      const poolCount = Number(c.varlong());
      for (let i = 0; i < poolCount; i++) {
        const cls = classes.get(Number(c.varlong()))!;
        const n = Number(c.varlong());
        const pool = pools.get(cls.name) ?? new Map<bigint, ScanValue>();
        pools.set(cls.name, pool);
        for (let j = 0; j < n; j++) {
          const id = c.varlong();
          pool.set(id, read(c, cls.name));
        }
      }
      if (delta === 0) break;
      at += delta;
    }
    const events: ScanEvent[] = [];
    for (let p = start + 68; p < start + size; ) {
      const c = new Cursor(buf, p);
      const recordSize = Number(c.varlong());
      const type = Number(c.varlong());
      if (type > 1) {
        const cls = classes.get(type)!;
        events.push({ type: cls.name, fields: read(c, cls.name) as Record<string, ScanValue> });
      }
      p += recordSize;
    }
    chunks.push({ events, pools, ticksPerSecond });
    start += size;
  }
  return chunks;
}

interface ScanElement {
  name: string;
  attrs: Record<string, string>;
  children: ScanElement[];
}

function readClasses(c: Cursor): Map<number, { name: string; fields: ScanField[] }> {
  for (let i = 0; i < 5; i++) c.varlong();
  const n = Number(c.varlong());
  const strings: string[] = [];
  for (let i = 0; i < n; i++) strings.push(c.str());
  const element = (): ScanElement => {
    const name = strings[Number(c.varlong())]!;
    const attrs: Record<string, string> = {};
    const na = Number(c.varlong());
    for (let i = 0; i < na; i++) attrs[strings[Number(c.varlong())]!] = strings[Number(c.varlong())]!;
    const children: ScanElement[] = [];
    const nc = Number(c.varlong());
    for (let i = 0; i < nc; i++) children.push(element());
    return { name, attrs, children };
  };
  const root = element();
  const ids = new Map<string, string>();
  const out = new Map<number, { name: string; fields: ScanField[] }>();
  const metadata = root.children.find((e) => e.name === "metadata")!;
  for (const cls of metadata.children) ids.set(cls.attrs["id"]!, cls.attrs["name"]!);
  for (const cls of metadata.children) {
    const fields = cls.children
      .filter((f) => f.name === "field")
      .map((f) => ({ name: f.attrs["name"]!, type: ids.get(f.attrs["class"]!)!, cp: f.attrs["constantPool"] === "true", array: f.attrs["dimension"] === "1" }));
    out.set(Number(cls.attrs["id"]), { name: cls.attrs["name"]!, fields });
  }
  return out;
}

/** Field `name` of struct `v`. */
export function field(v: ScanValue | undefined, name: string): ScanValue | undefined {
  return v !== undefined && typeof v === "object" && !Array.isArray(v) ? v[name] : undefined;
}

/** Frame names (class "." method, through `rename`) of stack trace `id`, root first; undefined when the stack is unknown. */
export function scanStack(chunk: ScanChunk, id: ScanValue | undefined, rename: (cls: string, method: string) => string): string[] | undefined {
  const st = chunk.pools.get("jdk.types.StackTrace")?.get(id as bigint);
  if (st === undefined) return undefined;
  const sym = (ref: ScanValue | undefined): string => {
    const s = field(chunk.pools.get("jdk.types.Symbol")?.get(ref as bigint), "string");
    return typeof s === "string" ? s : "";
  };
  const names: string[] = [];
  for (const frame of (field(st, "frames") ?? []) as ScanValue[]) {
    const method = chunk.pools.get("jdk.types.Method")?.get(field(frame, "method") as bigint);
    const cls = chunk.pools.get("java.lang.Class")?.get(field(method, "type") as bigint);
    if (method === undefined || cls === undefined) continue;
    names.push(rename(sym(field(cls, "name")), sym(field(method, "name"))));
  }
  return names.reverse();
}
