/**
 * `storage.storage_prefix`: every key of the wrapped bucket lives under `<prefix>/`, and listings
 * hide the prefix again, so several clusters can share one bucket without seeing each other.
 */
import { InvalidArgumentError } from "../model/errors.js";
import { validateKey, validatePrefix } from "./bucket.js";
import type {
  BodySource,
  Bucket,
  ListOptions,
  ListResult,
  ObjectAttributes,
  UploadOptions,
} from "./bucket.js";

const PREFIX = /^[A-Za-z0-9]+$/;

/** Whether a storage prefix is acceptable: digits and English letters only (Phlare's rule). */
export function isValidStoragePrefix(prefix: string): boolean {
  return PREFIX.test(prefix);
}

/** A bucket whose keys are stored under `<prefix>/` in the wrapped bucket. */
export class PrefixedBucket implements Bucket {
  readonly kind: string;
  readonly #inner: Bucket;
  readonly #prefix: string;

  constructor(inner: Bucket, prefix: string) {
    if (!isValidStoragePrefix(prefix)) {
      throw new InvalidArgumentError(
        "invalid_request",
        `storage prefix ${JSON.stringify(prefix)} may only contain digits and English letters`,
      );
    }
    this.#inner = inner;
    this.#prefix = `${prefix}/`;
    this.kind = `prefixed(${inner.kind})`;
  }

  #full(key: string): string {
    return this.#prefix + validateKey(key);
  }

  #strip(key: string): string {
    return key.startsWith(this.#prefix) ? key.slice(this.#prefix.length) : key;
  }

  async get(key: string): Promise<Uint8Array> {
    return this.#inner.get(this.#full(key));
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    return this.#inner.getRange(this.#full(key), offset, length);
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    return this.#inner.put(this.#full(key), body);
  }

  async upload(key: string, open: BodySource, options?: UploadOptions): Promise<void> {
    return this.#inner.upload(this.#full(key), open, options);
  }

  async exists(key: string): Promise<boolean> {
    return this.#inner.exists(this.#full(key));
  }

  async delete(key: string): Promise<void> {
    return this.#inner.delete(this.#full(key));
  }

  async list(prefix: string, options?: ListOptions): Promise<ListResult> {
    const inner = await this.#inner.list(this.#prefix + validatePrefix(prefix), options);
    return {
      objects: inner.objects.map((o) => ({ ...o, key: this.#strip(o.key) })),
      prefixes: inner.prefixes.map((p) => this.#strip(p)),
    };
  }

  async attributes(key: string): Promise<ObjectAttributes> {
    return this.#inner.attributes(this.#full(key));
  }

  async close(): Promise<void> {
    return this.#inner.close();
  }
}
