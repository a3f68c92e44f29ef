/**
 * symbols.bin: the block's deduplicated symbols — strings, functions, mappings,
 * locations and the stack-trace tree — as one deflated section of varints
 * (docs/format/symbols.md).
 */
import type { RowTable, SymbolsData } from "../mem-block.js";
import { ByteReader } from "../encoding/byte-reader.js";
import { ByteWriter } from "../encoding/byte-writer.js";
import { beginFrame, compress, decompress, endFrame, FRAME_HEADER_BYTES, openFrame } from "./file-frame.js";

/** Magic of symbols.bin. */
export const SYMBOLS_MAGIC = "PHSY";
/** Version of symbols.bin this code writes and reads. */
export const SYMBOLS_VERSION = 1;

/** Encodes the symbols of a block. */
export function writeSymbols(s: SymbolsData): Uint8Array {
  const body = new ByteWriter(1 << 16);
  const strings = s.strings.strings;
  body.uvarint(strings.length);
  for (const str of strings) body.string(str);
  for (const t of [s.functions, s.mappings, s.locations]) writeRows(body, t);
  const st = s.stacktraces;
  body.uvarint(st.count);
  // parent[n] < n, so n - parent[n] is a small positive number for most nodes.
  for (let n = 1; n < st.count; n++) body.uvarint(n - st.parent[n]!).uvarint(st.location[n]!);
  const raw = body.view();
  const w = beginFrame(SYMBOLS_MAGIC, SYMBOLS_VERSION);
  w.uvarint(raw.length).bytes(compress(raw));
  return endFrame(w);
}

/** Decodes symbols.bin. */
export function readSymbols(bytes: Uint8Array, file = "symbols.bin"): SymbolsData {
  const frame = new ByteReader(openFrame(bytes, SYMBOLS_MAGIC, SYMBOLS_VERSION, file), file, FRAME_HEADER_BYTES);
  const rawLength = frame.uvarint();
  const at = frame.offset;
  const r = new ByteReader(decompress(frame.bytes(), rawLength, file, at), `${file} (inflated)`);
  const n = count(r, "strings");
  const strings = new Array<string>(n);
  for (let i = 0; i < n; i++) strings[i] = r.string();
  const functions = readRows(r, "functions");
  const mappings = readRows(r, "mappings");
  const locations = readRows(r, "locations");
  const nodes = count(r, "stack-trace nodes");
  if (nodes < 1) throw r.corruption("stack-trace tree has no root");
  const parent = new Uint32Array(nodes);
  const location = new Uint32Array(nodes);
  location[0] = 0xffffffff;
  for (let i = 1; i < nodes; i++) {
    const d = r.uvarint();
    if (d < 1 || d > i) throw r.corruption(`stack-trace node ${i} has parent offset ${d}`);
    parent[i] = i - d;
    location[i] = r.uvarint();
    if (location[i]! >= locations.count) throw r.corruption(`stack-trace node ${i} refers to location ${location[i]} of ${locations.count}`);
  }
  if (!r.done) throw r.corruption(`${r.remaining} bytes after the stack-trace tree`);
  return { strings: { strings }, functions, mappings, locations, stacktraces: { parent, location, count: nodes } };
}

function writeRows(w: ByteWriter, t: RowTable): void {
  w.uvarint(t.count);
  for (let i = 0; i < t.count; i++) {
    const start = t.rowStart(i);
    const len = t.rowLength(i);
    w.uvarint(len);
    for (let j = start; j < start + len; j++) w.uvarint(t.data[j]!);
  }
}

function readRows(r: ByteReader, what: string): RowTable {
  const n = count(r, what);
  const offsets = new Uint32Array(n + 1);
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const len = r.uvarint();
    if (len > r.remaining) throw r.corruption(`${what} row ${i} of ${len} values runs past the end`);
    for (let j = 0; j < len; j++) {
      const v = r.uvarint();
      if (v > 0xffffffff) throw r.corruption(`${what} row ${i} has value ${v} beyond 32 bits`);
      values.push(v);
    }
    offsets[i + 1] = values.length;
  }
  return staticRows(Uint32Array.from(values), offsets);
}

/** A read-only RowTable over decoded arrays. */
export function staticRows(data: Uint32Array, offsets: Uint32Array): RowTable {
  return new StaticRows(data, offsets);
}

// A class rather than an object of closures: merges call rowStart/rowLength per frame.
class StaticRows implements RowTable {
  readonly count: number;

  constructor(
    readonly data: Uint32Array,
    readonly offsets: Uint32Array,
  ) {
    this.count = offsets.length - 1;
  }

  rowStart(id: number): number {
    return this.offsets[id]!;
  }

  rowLength(id: number): number {
    return this.offsets[id + 1]! - this.offsets[id]!;
  }
}

function count(r: ByteReader, what: string): number {
  const at = r.pos;
  const n = r.uvarint();
  // Every entry takes at least one byte, so a count beyond the bytes left is corruption, not a huge allocation.
  if (n > r.remaining + 1) throw r.corruption(`${what} count ${n} exceeds the ${r.remaining} bytes left`, at);
  return n;
}
