/**
 * profiles.parquet: one row per (profile, sample type), sorted by series then time.
 * It is the block's table that standard tools read (DuckDB, Spark, pandas); the
 * samples it refers to are in samples.bin (see docs/format/profiles-parquet.md).
 */
import { parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { CorruptionError } from "../../model/errors.js";

/** Columns of profiles.parquet, one entry per row. */
export interface ProfilesTable {
  /** Index into the block's series (index.bin). */
  seriesIndex: Uint32Array;
  /** The series' profile type ID, repeated per row (dictionary-encoded) so the table describes itself. */
  profileType: string[];
  timeNanos: BigInt64Array;
  /** Sum of the row's sample values. */
  totalValue: Float64Array;
  /** Profile UUID, shared by the rows of one pushed profile's sample types. */
  id: string[];
  /** Number of (stacktrace, value) samples of the row in samples.bin. */
  sampleCount: Uint32Array;
}

/** Rows per row group: big enough for good compression, small enough for partial reads later. */
const ROW_GROUP_ROWS = 100_000;

/** Encodes the table as a Parquet file (Snappy pages). */
export function writeProfilesParquet(t: ProfilesTable): Uint8Array {
  const buf = parquetWriteBuffer({
    columnData: [
      { name: "SeriesIndex", data: Array.from(t.seriesIndex), type: "INT32", nullable: false },
      { name: "ProfileType", data: t.profileType, type: "STRING", nullable: false },
      { name: "TimeNanos", data: Array.from(t.timeNanos), type: "INT64", nullable: false },
      { name: "TotalValue", data: Array.from(t.totalValue), type: "DOUBLE", nullable: false },
      { name: "ID", data: t.id, type: "UUID", nullable: false },
      { name: "SampleCount", data: Array.from(t.sampleCount), type: "INT32", nullable: false },
    ],
    rowGroupSize: ROW_GROUP_ROWS,
    createdBy: "phlare",
  });
  return new Uint8Array(buf);
}

/** Decodes profiles.parquet; CorruptionError when it is not the table we write. */
export async function readProfilesParquet(bytes: Uint8Array, file = "profiles.parquet"): Promise<ProfilesTable> {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({ file: ab, utf8: true });
  } catch (err) {
    throw new CorruptionError(file, 0, `not a readable parquet file: ${(err as Error).message}`);
  }
  const n = rows.length;
  const t: ProfilesTable = {
    seriesIndex: new Uint32Array(n),
    profileType: new Array<string>(n),
    timeNanos: new BigInt64Array(n),
    totalValue: new Float64Array(n),
    id: new Array<string>(n),
    sampleCount: new Uint32Array(n),
  };
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    const time = r.TimeNanos;
    if (typeof r.SeriesIndex !== "number" || typeof time !== "bigint" || typeof r.TotalValue !== "number" || typeof r.SampleCount !== "number") {
      throw new CorruptionError(file, 0, `row ${i} lacks a column or has the wrong type`);
    }
    t.seriesIndex[i] = r.SeriesIndex;
    t.profileType[i] = String(r.ProfileType);
    t.timeNanos[i] = time;
    t.totalValue[i] = r.TotalValue;
    t.id[i] = String(r.ID);
    t.sampleCount[i] = r.SampleCount;
  }
  return t;
}
