/**
 * Blocks in a local directory: written into a temporary directory, every file
 * fsynced, then renamed into place, so a crash leaves either the whole block or
 * a `.tmp` directory that start-up removes.
 */
import { mkdir, readFile, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { BuiltBlock } from "./block-build.js";
import { BlockFileName } from "./block-build.js";
import type { BlockSource } from "./open-block.js";
import { syncDir, writeSynced } from "../durable-file.js";

/** Suffix of a block directory still being written. */
const TMP_SUFFIX = ".tmp";

/**
 * Writes `block` to `<parent>/<ulid>/`, with `extra` files beside it (local
 * bookkeeping that is not part of the block); returns that path.
 */
export async function writeBlockDir(parent: string, block: BuiltBlock, extra: { relPath: string; bytes: Uint8Array }[] = []): Promise<string> {
  await mkdir(parent, { recursive: true });
  const final = join(parent, block.meta.ulid);
  const tmp = final + TMP_SUFFIX;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  for (const f of [...block.files, ...extra]) await writeSynced(join(tmp, f.relPath), f.bytes);
  await writeSynced(join(tmp, BlockFileName.Meta), Buffer.from(block.metaJson));
  await syncDir(tmp);
  await rename(tmp, final);
  await syncDir(parent);
  return final;
}

/** Block ULIDs in `parent` (complete blocks only); removes leftover temporary directories. */
export async function listBlockDirs(parent: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names) {
    if (name.endsWith(TMP_SUFFIX)) {
      await rm(join(parent, name), { recursive: true, force: true });
      continue;
    }
    if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(name)) continue;
    try {
      await readFile(join(parent, name, BlockFileName.Meta));
      out.push(name);
    } catch {
      // A block directory without meta.json was never finished: not a block.
    }
  }
  return out.sort();
}

/** A BlockSource over a block directory. */
export function dirSource(dir: string): BlockSource {
  return {
    describe: dir,
    read: async (relPath) => new Uint8Array(await readFile(join(dir, relPath))),
  };
}
