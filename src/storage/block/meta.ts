/**
 * meta.json of a block: the fields of Phlare's block meta (reference §5.3), written
 * last so that a directory or bucket prefix without it is an incomplete block.
 */
import { CorruptionError } from "../../model/errors.js";

/** Version of the block layout this code writes and reads. */
export const BLOCK_FORMAT_VERSION = 1;

/** One file of a block, as listed in meta.json. */
export interface BlockFile {
  relPath: string;
  sizeBytes: number;
  parquet?: { numRowGroups: number; numRows: number };
}

/** A block's meta.json. Times are milliseconds since epoch in memory. */
export interface BlockMeta {
  ulid: string;
  minTimeMs: number;
  maxTimeMs: number;
  stats: { numSamples: number; numSeries: number; numProfiles: number };
  files: BlockFile[];
  compaction: { level: number; sources: string[]; parents: { ulid: string; minTime: number; maxTime: number }[] };
  version: number;
  labels: Record<string, string>;
  /** "ingester" or "compactor". */
  source: string;
}

/** meta.json text: tab-indented, times in seconds with millisecond decimals like Prometheus' model.Time. */
export function formatMeta(m: BlockMeta): string {
  const out = {
    ulid: m.ulid,
    minTime: m.minTimeMs / 1000,
    maxTime: m.maxTimeMs / 1000,
    stats: m.stats,
    files: [...m.files].sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0)),
    compaction: m.compaction,
    version: m.version,
    labels: m.labels,
    source: m.source,
  };
  return `${JSON.stringify(out, null, "\t")}\n`;
}

/** Parses meta.json; CorruptionError names the problem. */
export function parseMeta(text: string, file = "meta.json"): BlockMeta {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new CorruptionError(file, 0, `not JSON: ${(err as Error).message}`);
  }
  const o = v as Record<string, unknown>;
  const num = (x: unknown, name: string): number => {
    if (typeof x !== "number" || !Number.isFinite(x)) throw new CorruptionError(file, 0, `${name} is not a number`);
    return x;
  };
  if (typeof o.ulid !== "string" || !/^[0-9A-HJKMNP-TV-Z]{26}$/.test(o.ulid)) throw new CorruptionError(file, 0, "ulid is missing or not a ULID");
  const version = num(o.version, "version");
  if (version !== BLOCK_FORMAT_VERSION) throw new CorruptionError(file, 0, `block format version ${version} is not supported (this build reads ${BLOCK_FORMAT_VERSION})`);
  const stats = (o.stats ?? {}) as Record<string, unknown>;
  const compaction = (o.compaction ?? {}) as Record<string, unknown>;
  return {
    ulid: o.ulid,
    minTimeMs: Math.round(num(o.minTime, "minTime") * 1000),
    maxTimeMs: Math.round(num(o.maxTime, "maxTime") * 1000),
    stats: { numSamples: Number(stats.numSamples ?? 0), numSeries: Number(stats.numSeries ?? 0), numProfiles: Number(stats.numProfiles ?? 0) },
    files: Array.isArray(o.files) ? (o.files as BlockFile[]) : [],
    compaction: {
      level: Number(compaction.level ?? 1),
      sources: Array.isArray(compaction.sources) ? (compaction.sources as string[]) : [],
      parents: Array.isArray(compaction.parents) ? (compaction.parents as BlockMeta["compaction"]["parents"]) : [],
    },
    version,
    labels: (o.labels ?? {}) as Record<string, string>,
    source: typeof o.source === "string" ? o.source : "",
  };
}
