/**
 * WAL append throughput: 64 concurrent appenders of 20 KiB records through WalWriter's
 * group commit, against a baseline that writes and fdatasyncs every record on its own
 * (the same frames, one at a time), in one process, in a temp directory under
 * os.tmpdir(). Rates: ratio = value / baseline, above 1 means group commit is faster.
 * Run directly: node --import tsx src/storage/wal/wal.bench.ts [--quick]
 */
import { open, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultBenchOptions, printWhenMain, round } from "../../../bench/bench-result.js";
import type { BenchOptions } from "../../../bench/bench-result.js";
import { ByteWriter } from "../encoding/byte-writer.js";
import { encodeSegmentHeader, frameSeed, writeFrame } from "./segment-format.js";
import { WalWriter } from "./wal-writer.js";

/** One benchmark result; value and baseline in `unit`, ratio = value / baseline. */
export interface WalBenchResult {
  name: string;
  baseline: number;
  value: number;
  ratio: number;
  unit: string;
  note?: string;
}

const APPENDERS = 64;
const RECORD_BYTES = 20 * 1024;

/** An appender: a function that makes one record durable. */
type AppendFn = (record: Uint8Array) => Promise<unknown>;

/** Runs APPENDERS loops of `perAppender` sequential appends; returns elapsed milliseconds. */
async function drive(append: AppendFn, perAppender: number): Promise<number> {
  const record = new Uint8Array(RECORD_BYTES);
  for (let i = 0; i < RECORD_BYTES; i++) record[i] = (i * 131) & 0xff;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: APPENDERS }, async () => {
      for (let i = 0; i < perAppender; i++) await append(record);
    }),
  );
  return performance.now() - t0;
}

/** The naive WAL: each append is its own write + fdatasync, serialized. */
async function naiveWal(path: string): Promise<{ append: AppendFn; close: () => Promise<void> }> {
  const fh = await open(path, "wx");
  const header = encodeSegmentHeader(1);
  await fh.write(header, 0, header.length, 0);
  await fh.sync();
  const seed = frameSeed(1);
  let pos = header.length;
  let tail: Promise<unknown> = Promise.resolve();
  const append = (record: Uint8Array): Promise<unknown> => {
    const done = tail.then(async () => {
      const w = new ByteWriter(record.length + 16);
      writeFrame(w, record, seed);
      const bytes = w.view();
      await fh.write(bytes, 0, bytes.length, pos);
      pos += bytes.length;
      await fh.datasync();
    });
    tail = done;
    return done;
  };
  return { append, close: () => fh.close() };
}

/** Measures group commit against one sync per record. */
export async function run(options: BenchOptions = defaultBenchOptions()): Promise<WalBenchResult[]> {
  const baselinePer = options.quick ? 4 : 16;
  const groupPer = options.quick ? 20 : 100;
  const root = await mkdtemp(join(tmpdir(), "phlare-wal-bench-"));
  try {
    const naive = await naiveWal(join(root, "naive.wal"));
    const baselineMs = await drive(naive.append, baselinePer);
    await naive.close();

    let syncs = 0;
    const wal = await WalWriter.open(join(root, "wal"), { onSync: () => void syncs++ });
    await drive((r) => wal.append(r), 2);
    syncs = 0;
    const groupMs = await drive((r) => wal.append(r), groupPer);
    await wal.close();

    const baselineRecords = APPENDERS * baselinePer;
    const groupRecords = APPENDERS * groupPer;
    const rate = (records: number, ms: number): number => (records * 1000) / ms;
    const mbps = (records: number, ms: number): number => (records * RECORD_BYTES) / 1e6 / (ms / 1000);
    const baseRate = rate(baselineRecords, baselineMs);
    const groupRate = rate(groupRecords, groupMs);
    const note = `${groupRecords} records in ${syncs} syncs (${round(groupRecords / syncs, 1)} per sync); baseline ${baselineRecords} records, one sync each`;
    return [
      {
        name: "wal append, 64 appenders × 20 KiB, group commit vs sync per record",
        baseline: round(baseRate, 0),
        value: round(groupRate, 0),
        ratio: round(groupRate / baseRate),
        unit: "appends/s",
        note,
      },
      {
        name: "wal append throughput, 64 appenders × 20 KiB, group commit vs sync per record",
        baseline: round(mbps(baselineRecords, baselineMs), 1),
        value: round(mbps(groupRecords, groupMs), 1),
        ratio: round(mbps(groupRecords, groupMs) / mbps(baselineRecords, baselineMs)),
        unit: "MB/s",
      },
    ];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await printWhenMain(import.meta.url, run);
