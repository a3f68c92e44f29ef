/**
 * samples.bin: every profile row's (stacktrace id, value) pairs, one deflated chunk
 * per series. Inside a chunk the rows' columns are stored apart — sample counts and
 * value divisors, then stack-id deltas, then values divided by the row's GCD —
 * because each column alone compresses far better than interleaved rows
 * (docs/format/samples.md has the measurements).
 */
import { ByteReader } from "../encoding/byte-reader.js";
import { ByteWriter } from "../encoding/byte-writer.js";
import { beginFrame, compress, decompress, endFrame, FRAME_HEADER_BYTES, openFrame } from "./file-frame.js";
import { resized } from "../../model/typed-array.js";

/** Magic of samples.bin. */
export const SAMPLES_MAGIC = "PHSM";
/** Version of samples.bin this code writes and reads. */
export const SAMPLES_VERSION = 1;

/** The samples of a block's rows, in block row order: row r is [offsets[r], offsets[r+1]). */
export interface SampleColumns {
  offsets: Uint32Array;
  stacks: Uint32Array;
  values: Float64Array;
}

/**
 * Encodes samples. `seriesRows[s]` is the number of consecutive block rows of
 * series s (rows are ordered by series), so chunk s holds exactly those rows.
 */
export function writeSamples(seriesRows: readonly number[], cols: SampleColumns): Uint8Array {
  const w = beginFrame(SAMPLES_MAGIC, SAMPLES_VERSION);
  w.uvarint(seriesRows.length);
  const a = new ByteWriter(1024);
  const b = new ByteWriter(4096);
  const c = new ByteWriter(4096);
  let row = 0;
  for (const n of seriesRows) {
    a.reset();
    b.reset();
    c.reset();
    for (let i = 0; i < n; i++, row++) {
      const from = cols.offsets[row]!;
      const to = cols.offsets[row + 1]!;
      let g = 0;
      for (let j = from; j < to; j++) g = gcd(g, Math.abs(cols.values[j]!));
      a.uvarint(to - from).uvarint(g);
      let prev = 0;
      for (let j = from; j < to; j++) {
        // Stack ids are sorted within a row, so deltas are small and never negative.
        b.uvarint(cols.stacks[j]! - prev);
        prev = cols.stacks[j]!;
        c.varint(g === 0 ? 0 : cols.values[j]! / g);
      }
    }
    const raw = new ByteWriter(a.length + b.length + c.length + 16);
    raw.uvarint(n).uvarint(a.length).uvarint(b.length).raw(a.view()).raw(b.view()).raw(c.view());
    const bytes = raw.view();
    w.uvarint(bytes.length).bytes(compress(bytes));
  }
  return endFrame(w);
}

/** Decodes samples.bin into columns for `totalRows` rows. */
export function readSamples(bytes: Uint8Array, totalRows: number, file = "samples.bin"): SampleColumns {
  const r = new ByteReader(openFrame(bytes, SAMPLES_MAGIC, SAMPLES_VERSION, file), file, FRAME_HEADER_BYTES);
  const chunks = r.uvarint();
  const offsets = new Uint32Array(totalRows + 1);
  let stacks = new Uint32Array(1024);
  let values = new Float64Array(1024);
  let row = 0;
  let k = 0;
  for (let s = 0; s < chunks; s++) {
    const rawLength = r.uvarint();
    const at = r.offset;
    const chunk = new ByteReader(decompress(r.bytes(), rawLength, file, at), `${file} chunk ${s}`);
    const n = chunk.uvarint();
    const aLen = chunk.uvarint();
    const bLen = chunk.uvarint();
    if (row + n > totalRows) throw r.corruption(`chunk ${s} has ${n} rows, past the ${totalRows} rows of the block`, at);
    const ra = new ByteReader(chunk.raw(aLen), chunk.file);
    const rb = new ByteReader(chunk.raw(bLen), chunk.file);
    const rc = new ByteReader(chunk.raw(chunk.remaining), chunk.file);
    for (let i = 0; i < n; i++, row++) {
      const m = ra.uvarint();
      const g = ra.uvarint();
      if (m > rb.remaining) throw r.corruption(`row ${row} claims ${m} samples, more than chunk ${s} holds`, at);
      if (k + m > stacks.length) {
        const cap = Math.max(stacks.length * 2, k + m);
        stacks = resized(stacks, cap);
        values = resized(values, cap);
      }
      let prev = 0;
      for (let j = 0; j < m; j++) {
        prev += rb.uvarint();
        stacks[k] = prev;
        values[k++] = rc.varint() * g;
      }
      offsets[row + 1] = k;
    }
  }
  if (row !== totalRows) throw r.corruption(`samples for ${row} rows, the block has ${totalRows}`);
  return { offsets, stacks: stacks.subarray(0, k), values: values.subarray(0, k) };
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
