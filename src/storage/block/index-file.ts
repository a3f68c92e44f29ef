/**
 * index.bin: the block's series — label sets, their row counts and time ranges —
 * and postings (label name → value → series), behind a string table
 * (docs/format/index.md). It is all a block needs for the label APIs.
 */
import type { Labels } from "../../model/labels.js";
import { ByteReader } from "../encoding/byte-reader.js";
import { ByteWriter } from "../encoding/byte-writer.js";
import { beginFrame, compress, decompress, endFrame, FRAME_HEADER_BYTES, openFrame } from "./file-frame.js";

/** Magic of index.bin. */
export const INDEX_MAGIC = "PHIX";
/** Version of index.bin this code writes and reads. */
export const INDEX_VERSION = 1;

/** One series of a block: its rows are the next `rowCount` rows of profiles.parquet. */
export interface IndexSeries {
  labels: Labels;
  rowCount: number;
  minTimeMs: number;
  maxTimeMs: number;
}

/** A postings list: the series (indices, ascending) with label name = value. */
export interface IndexPosting {
  name: string;
  value: string;
  series: number[];
}

/** The decoded index. */
export interface BlockIndex {
  series: IndexSeries[];
  postings: IndexPosting[];
}

/** Encodes the index; postings are derived from the series' labels. */
export function writeIndex(series: readonly IndexSeries[]): Uint8Array {
  const ids = new Map<string, number>();
  const strings: string[] = [];
  const ref = (s: string): number => {
    let id = ids.get(s);
    if (id === undefined) {
      id = strings.length;
      strings.push(s);
      ids.set(s, id);
    }
    return id;
  };
  const postings = new Map<string, { name: number; value: number; series: number[] }>();
  const body = new ByteWriter(4096);
  const seriesBody = new ByteWriter(4096);
  series.forEach((s, i) => {
    seriesBody.uvarint(s.labels.length);
    for (const l of s.labels) {
      const n = ref(l.name);
      const v = ref(l.value);
      seriesBody.uvarint(n).uvarint(v);
      const key = `${n}:${v}`;
      let p = postings.get(key);
      if (!p) postings.set(key, (p = { name: n, value: v, series: [] }));
      p.series.push(i);
    }
    seriesBody.uvarint(s.rowCount).varint(s.minTimeMs).varint(s.maxTimeMs - s.minTimeMs);
  });
  body.uvarint(strings.length);
  for (const s of strings) body.string(s);
  body.uvarint(series.length).raw(seriesBody.view());
  body.uvarint(postings.size);
  for (const p of postings.values()) {
    body.uvarint(p.name).uvarint(p.value).uvarint(p.series.length);
    let prev = 0;
    for (const s of p.series) {
      body.uvarint(s - prev);
      prev = s;
    }
  }
  const raw = body.view();
  const w = beginFrame(INDEX_MAGIC, INDEX_VERSION);
  w.uvarint(raw.length).bytes(compress(raw));
  return endFrame(w);
}

/** Decodes index.bin. */
export function readIndex(bytes: Uint8Array, file = "index.bin"): BlockIndex {
  const frame = new ByteReader(openFrame(bytes, INDEX_MAGIC, INDEX_VERSION, file), file, FRAME_HEADER_BYTES);
  const rawLength = frame.uvarint();
  const at = frame.offset;
  const r = new ByteReader(decompress(frame.bytes(), rawLength, file, at), `${file} (inflated)`);
  const nStrings = bounded(r, "strings");
  const strings = new Array<string>(nStrings);
  for (let i = 0; i < nStrings; i++) strings[i] = r.string();
  const str = (): string => {
    const at2 = r.pos;
    const i = r.uvarint();
    if (i >= nStrings) throw r.corruption(`string ref ${i} of ${nStrings}`, at2);
    return strings[i]!;
  };
  const nSeries = bounded(r, "series");
  const series: IndexSeries[] = new Array(nSeries);
  for (let i = 0; i < nSeries; i++) {
    const nLabels = bounded(r, "labels");
    const labels: Labels = new Array(nLabels);
    for (let j = 0; j < nLabels; j++) labels[j] = { name: str(), value: str() };
    const rowCount = r.uvarint();
    const minTimeMs = r.varint();
    series[i] = { labels, rowCount, minTimeMs, maxTimeMs: minTimeMs + r.varint() };
  }
  const nPostings = bounded(r, "postings");
  const postings: IndexPosting[] = new Array(nPostings);
  for (let i = 0; i < nPostings; i++) {
    const name = str();
    const value = str();
    const n = bounded(r, "postings list");
    const list: number[] = new Array(n);
    let prev = 0;
    for (let j = 0; j < n; j++) {
      prev += r.uvarint();
      if (prev >= nSeries) throw r.corruption(`postings for ${name}=${value} refer to series ${prev} of ${nSeries}`);
      list[j] = prev;
    }
    postings[i] = { name, value, series: list };
  }
  if (!r.done) throw r.corruption(`${r.remaining} bytes after the postings`);
  return { series, postings };
}

function bounded(r: ByteReader, what: string): number {
  const at = r.pos;
  const n = r.uvarint();
  if (n > r.remaining + 1) throw r.corruption(`${what} count ${n} exceeds the ${r.remaining} bytes left`, at);
  return n;
}
