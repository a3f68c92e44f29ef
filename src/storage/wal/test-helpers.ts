/** Shared fixtures for the WAL tests: temp directories, a log recorder, records that name their index. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../server/logger.js";
import type { Logger } from "../../server/logger.js";

/** Runs `fn` with a fresh directory under os.tmpdir(), removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "phlare-wal-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One parsed log line. */
export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A logger that keeps every line, for assertions on warnings and errors. */
export function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger("debug", "json", (l) => lines.push(JSON.parse(l) as LogLine));
  return { logger, lines };
}

/** A deterministic record of `sizeBytes` (≥ 4) whose first 4 bytes hold `index` (u32 LE). */
export function makeRecord(index: number, sizeBytes = 32): Uint8Array {
  const r = new Uint8Array(sizeBytes);
  for (let i = 0; i < sizeBytes; i++) r[i] = (index * 31 + i * 7) & 0xff;
  new DataView(r.buffer).setUint32(0, index, true);
  return r;
}

/** The index makeRecord stored in `record`. */
export function recordIndex(record: Uint8Array): number {
  return new DataView(record.buffer, record.byteOffset, record.byteLength).getUint32(0, true);
}
