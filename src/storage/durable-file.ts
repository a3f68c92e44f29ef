/**
 * fsync helpers shared by the WAL, block directories and the filesystem bucket: a
 * file's bytes are durable after its own fsync, its name only after its directory's.
 */
import { open } from "node:fs/promises";

/** fsyncs directory `dir`, making entries created, renamed or removed in it durable. */
export async function syncDir(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync, and NTFS journals the entry anyway.
  if (process.platform === "win32") return;
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsyncs an existing file. */
export async function syncFile(path: string): Promise<void> {
  const fh = await open(path, "r+");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes `bytes` to `path` and fsyncs it; `flags` "wx" refuses an existing file. */
export async function writeSynced(path: string, bytes: Uint8Array, flags: "w" | "wx" = "w"): Promise<void> {
  const fh = await open(path, flags);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
