/**
 * `storage.backend: filesystem`: objects are files under one directory, keys are relative paths.
 * A put is atomic and durable: write a temporary file beside the target, fsync it, rename it over the
 * target, fsync the directory. Empty directories are removed on delete so listings match object stores.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, rmdir, stat, unlink } from "node:fs/promises";
import { dirname, join, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { NotFoundError } from "../model/errors.js";
import { syncDir, syncFile, writeSynced } from "../storage/durable-file.js";
import { compareKeys, plainBytes, validateKey, validatePrefix, validateRange } from "./bucket.js";
import type {
  BodySource,
  Bucket,
  ListOptions,
  ListResult,
  ObjectAttributes,
  ObjectInfo,
} from "./bucket.js";
import { createRetrier, defaultRetryOptions } from "./retry.js";
import type { Retrier, RetryOptions } from "./retry.js";
import type { Logger } from "../server/logger.js";

/** Settings of the filesystem bucket. */
export interface FilesystemBucketOptions {
  /** Root directory; created when missing. */
  dir: string;
  retry?: RetryOptions;
  logger?: Logger;
}

// Temporary files live beside their target (same filesystem, so rename is atomic) and are hidden from
// listings by this pattern. A crash can leave one behind: it stays invisible and harmless.
const TEMP_NAME = /^\..+\.tmp-[0-9a-f]{16}$/;

function tempName(base: string): string {
  return `.${base}.tmp-${randomBytes(8).toString("hex")}`;
}

function errCode(err: unknown): string | undefined {
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

function isMissing(err: unknown): boolean {
  const code = errCode(err);
  return code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR";
}

// Running out of descriptors or a busy resource passes; anything else on a local disk does not.
const TRANSIENT_FS = new Set(["EMFILE", "ENFILE", "EAGAIN", "EBUSY", "EINTR"]);

/** Creates a filesystem bucket rooted at `options.dir`. */
export async function createFilesystemBucket(options: FilesystemBucketOptions): Promise<Bucket> {
  await mkdir(options.dir, { recursive: true });
  return new FilesystemBucket(options);
}

/** Objects as files under a root directory. */
class FilesystemBucket implements Bucket {
  readonly kind = "filesystem";
  readonly #root: string;
  readonly #retrier: Retrier;

  constructor(options: FilesystemBucketOptions) {
    this.#root = options.dir;
    this.#retrier = createRetrier({
      ...(options.retry ?? defaultRetryOptions()),
      isTransient: (err) => TRANSIENT_FS.has(errCode(err) ?? ""),
      logger: options.logger,
    });
  }

  #path(key: string): string {
    return join(this.#root, ...validateKey(key).split("/"));
  }

  #notFound(key: string, err: unknown): NotFoundError {
    return new NotFoundError(`object ${key} not found in ${this.#root}`, { cause: err });
  }

  async get(key: string): Promise<Uint8Array> {
    const path = this.#path(key);
    return this.#retrier.run(`get ${key}`, async () => {
      try {
        const handle = await open(path, "r");
        try {
          return plainBytes(await handle.readFile());
        } finally {
          await handle.close();
        }
      } catch (err) {
        if (isMissing(err)) throw this.#notFound(key, err);
        throw err;
      }
    });
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    validateRange(offset, length);
    const path = this.#path(key);
    return this.#retrier.run(`get range ${key}`, async () => {
      let handle;
      try {
        handle = await open(path, "r");
      } catch (err) {
        if (isMissing(err)) throw this.#notFound(key, err);
        throw err;
      }
      try {
        const st = await handle.stat();
        if (!st.isFile()) throw this.#notFound(key, undefined);
        const size = st.size;
        const n = Math.max(0, Math.min(length, size - offset));
        const buf = new Uint8Array(n);
        let done = 0;
        while (done < n) {
          const { bytesRead } = await handle.read(buf, done, n - done, offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return done === n ? buf : buf.subarray(0, done);
      } finally {
        await handle.close();
      }
    });
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    return this.#write(key, (tmp) => writeSynced(tmp, body, "wx"));
  }

  async upload(key: string, source: BodySource): Promise<void> {
    return this.#write(key, async (tmp) => {
      await pipeline(source(), createWriteStream(tmp, { flags: "wx" }));
      await syncFile(tmp);
    });
  }

  async #write(key: string, writeTemp: (tmp: string) => Promise<void>): Promise<void> {
    const path = this.#path(key);
    const dir = dirname(path);
    await this.#retrier.run(`put ${key}`, async () => {
      // A concurrent delete may remove the (then empty) directory between mkdir and open: try again.
      for (let attempt = 0; ; attempt++) {
        const created = await mkdir(dir, { recursive: true });
        const tmp = join(dir, tempName(path.slice(dir.length + 1)));
        try {
          await writeTemp(tmp);
          await rename(tmp, path);
        } catch (err) {
          await rm(tmp, { force: true });
          if (errCode(err) === "ENOENT" && attempt < 3) continue;
          throw err;
        }
        await syncDir(dir);
        if (created !== undefined) await this.#syncCreated(created, dir);
        return;
      }
    });
  }

  // mkdir -p made `first` and everything below it down to `last`: make each new entry durable.
  async #syncCreated(first: string, last: string): Promise<void> {
    for (let d = last; ; d = dirname(d)) {
      await syncDir(dirname(d));
      if (d === first || d.length <= this.#root.length) return;
    }
  }

  async exists(key: string): Promise<boolean> {
    const path = this.#path(key);
    return this.#retrier.run(`exists ${key}`, async () => {
      try {
        return (await stat(path)).isFile();
      } catch (err) {
        if (isMissing(err)) return false;
        throw err;
      }
    });
  }

  async delete(key: string): Promise<void> {
    const path = this.#path(key);
    await this.#retrier.run(`delete ${key}`, async () => {
      try {
        await unlink(path);
      } catch (err) {
        if (isMissing(err)) return;
        throw err;
      }
      await this.#pruneEmpty(dirname(path));
    });
  }

  // Removes now-empty parents up to (not including) the root; stops at the first one still in use.
  async #pruneEmpty(dir: string): Promise<void> {
    for (let d = dir; d.length > this.#root.length && d.startsWith(this.#root + sep); d = dirname(d)) {
      try {
        await rmdir(d);
      } catch {
        return;
      }
    }
  }

  async attributes(key: string): Promise<ObjectAttributes> {
    const path = this.#path(key);
    return this.#retrier.run(`attributes ${key}`, async () => {
      try {
        const st = await stat(path);
        if (!st.isFile()) throw this.#notFound(key, undefined);
        return { size: st.size, lastModified: st.mtime };
      } catch (err) {
        if (isMissing(err)) throw this.#notFound(key, err);
        throw err;
      }
    });
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    validatePrefix(prefix);
    const cut = prefix.lastIndexOf("/");
    const dirKey = prefix.slice(0, cut + 1);
    const namePrefix = prefix.slice(cut + 1);
    return this.#retrier.run(`list ${prefix}`, async () => {
      const result: ListResult = { objects: [], prefixes: [] };
      for (const entry of await this.#entries(dirKey)) {
        if (!entry.name.startsWith(namePrefix)) continue;
        const key = dirKey + entry.name;
        if (entry.isDir) {
          if (options.delimiter === "/") {
            if (await this.#hasObject(key)) result.prefixes.push(`${key}/`);
          } else {
            await this.#walk(`${key}/`, result.objects);
          }
        } else {
          const info = await this.#info(key);
          if (info !== undefined) result.objects.push(info);
        }
      }
      result.objects.sort((a, b) => compareKeys(a.key, b.key));
      result.prefixes.sort(compareKeys);
      return result;
    });
  }

  async #entries(dirKey: string): Promise<Array<{ name: string; isDir: boolean }>> {
    const dir = join(this.#root, ...dirKey.split("/").filter((s) => s !== ""));
    let dirents;
    try {
      dirents = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    return dirents
      .filter((d) => !TEMP_NAME.test(d.name) && (d.isDirectory() || d.isFile()))
      .map((d) => ({ name: d.name, isDir: d.isDirectory() }));
  }

  async #info(key: string): Promise<ObjectInfo | undefined> {
    try {
      const st = await stat(join(this.#root, ...key.split("/")));
      return { key, size: st.size, lastModified: st.mtime };
    } catch (err) {
      // Deleted while we listed: it is simply not part of the listing.
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async #walk(dirKey: string, out: ObjectInfo[]): Promise<void> {
    for (const entry of await this.#entries(dirKey)) {
      const key = dirKey + entry.name;
      if (entry.isDir) await this.#walk(`${key}/`, out);
      else {
        const info = await this.#info(key);
        if (info !== undefined) out.push(info);
      }
    }
  }

  async #hasObject(dirKey: string): Promise<boolean> {
    for (const entry of await this.#entries(`${dirKey}/`)) {
      if (!entry.isDir || (await this.#hasObject(`${dirKey}/${entry.name}`))) return true;
    }
    return false;
  }

  async close(): Promise<void> {}
}
