/**
 * The few file operations WalWriter needs, behind an interface so tests can inject
 * failing writes and syncs. The default is node:fs/promises.
 */
import { open } from "node:fs/promises";
import { syncDir } from "../durable-file.js";

/** An open segment file. Node's FileHandle satisfies it. */
export interface WalFile {
  /** Writes `length` bytes of `buffer` from `offset` at file `position` (pwrite). */
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  /** fdatasync: flushes the data and the metadata needed to read it back (the size). */
  datasync(): Promise<void>;
  /** fsync: flushes data and all metadata. */
  sync(): Promise<void>;
  /** Cuts the file to `lengthBytes`. */
  truncate(lengthBytes: number): Promise<void>;
  /** Closes the descriptor. */
  close(): Promise<void>;
}

/** Creates segment files and makes directory entries durable. */
export interface WalFileSystem {
  /** Creates `path` for writing; fails if it exists, so a segment is never overwritten. */
  createFile(path: string): Promise<WalFile>;
  /** fsyncs directory `dir`, making entries created, renamed or removed in it durable. */
  syncDir(dir: string): Promise<void>;
}

/** The real file system. */
export function nodeWalFileSystem(): WalFileSystem {
  return {
    createFile: (path) => open(path, "wx"),
    syncDir,
  };
}
