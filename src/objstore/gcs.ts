/**
 * `storage.backend: gcs`: Google Cloud Storage through @google-cloud/storage (JSON API). Bodies above
 * the part size use a resumable upload; smaller ones a single multipart request. Uploads are checked
 * with CRC32C end to end by the client. The client's own retries are off: our Retrier does them.
 */
import { pipeline } from "node:stream/promises";
import { Storage } from "@google-cloud/storage";
import type { Bucket as GcsClientBucket, StorageOptions } from "@google-cloud/storage";
import { ConfigError, NotFoundError } from "../model/errors.js";
import type { Logger } from "../server/logger.js";
import { openBodyStream, plainBytes, readRange, validateKey, validatePrefix } from "./bucket.js";
import type { BodySource, Bucket, ListOptions, ListResult, ObjectAttributes } from "./bucket.js";
import type { GcsConfig } from "./config.js";
import { createRetrier, defaultRetryOptions, isConnectionError, isTransientStatus } from "./retry.js";
import type { Retrier, RetryOptions } from "./retry.js";

/** Settings of the GCS bucket beyond its config. */
export interface GcsBucketOptions {
  config: GcsConfig;
  retry?: RetryOptions;
  logger?: Logger;
  /** Objects per list request (GCS caps it at 1000). */
  listPageSize?: number;
  /** Bodies larger than this use a resumable upload. */
  partSizeBytes?: number;
}

const DEFAULT_PART_SIZE = 16 * 1024 * 1024;

function statusOf(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "number") return code;
  const status = (err as { response?: { status?: unknown } }).response?.status;
  return typeof status === "number" ? status : undefined;
}

/** Whether a GCS client error is worth retrying. */
export function isTransientGcsError(err: unknown): boolean {
  const status = statusOf(err);
  if (status !== undefined && status > 0) return isTransientStatus(status);
  return isConnectionError(err);
}

interface ServiceAccount {
  project_id?: string;
}

/** Checks the GCS config: bucket name, service account JSON, endpoint URL. */
export function validateGcsConfig(cfg: GcsConfig): ServiceAccount | undefined {
  if (cfg.bucket_name === "") throw new ConfigError("storage.gcs.bucket_name is required", "storage.gcs.bucket_name");
  if (cfg.endpoint !== "") {
    try {
      new URL(cfg.endpoint);
    } catch (err) {
      throw new ConfigError(`storage.gcs.endpoint: invalid URL ${JSON.stringify(cfg.endpoint)}`, "storage.gcs.endpoint", { cause: err });
    }
  }
  if (cfg.service_account === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(cfg.service_account);
  } catch (err) {
    throw new ConfigError(
      "storage.gcs.service_account is not valid JSON (it takes the key file's content, not its path)",
      "storage.gcs.service_account",
      { cause: err },
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError("storage.gcs.service_account must be a JSON object", "storage.gcs.service_account");
  }
  return parsed as ServiceAccount;
}

/** Creates a GCS bucket client; the bucket itself must exist. */
export function createGcsBucket(options: GcsBucketOptions): Bucket {
  const account = validateGcsConfig(options.config);
  const cfg = options.config;
  const storageOptions: StorageOptions = {
    retryOptions: { autoRetry: false, maxRetries: 0 },
    ...(account !== undefined
      ? { credentials: account as StorageOptions["credentials"], projectId: account.project_id }
      : {}),
    ...(cfg.endpoint !== ""
      ? { apiEndpoint: cfg.endpoint.replace(/\/+$/, ""), useAuthWithCustomEndpoint: account !== undefined }
      : {}),
  };
  return new GcsBucket(new Storage(storageOptions).bucket(cfg.bucket_name), options);
}

class GcsBucket implements Bucket {
  readonly kind = "gcs";
  readonly #bucket: GcsClientBucket;
  readonly #retrier: Retrier;
  readonly #pageSize: number;
  readonly #partSize: number;

  constructor(bucket: GcsClientBucket, options: GcsBucketOptions) {
    this.#bucket = bucket;
    this.#pageSize = Math.min(1000, Math.max(1, options.listPageSize ?? 1000));
    this.#partSize = options.partSizeBytes ?? DEFAULT_PART_SIZE;
    this.#retrier = createRetrier({
      ...(options.retry ?? defaultRetryOptions()),
      isTransient: isTransientGcsError,
      logger: options.logger?.with({ backend: "gcs", bucket: bucket.name }),
    });
  }

  async #call<T>(what: string, key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.#retrier.run(`${what} ${key}`, fn);
    } catch (err) {
      if (statusOf(err) === 404) {
        throw new NotFoundError(`object ${key} not found in gcs bucket ${this.#bucket.name}`, { cause: err });
      }
      throw new Error(`gcs ${what} ${key}`, { cause: err });
    }
  }

  async get(key: string): Promise<Uint8Array> {
    validateKey(key);
    return this.#call("get", key, async () => {
      const [data] = await this.#bucket.file(key).download();
      return plainBytes(data);
    });
  }

  getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    return readRange(this, key, offset, length, (last) => this.#call("get range", key, async () => {
      try {
        const [data] = await this.#bucket.file(key).download({ start: offset, end: last });
        return plainBytes(data);
      } catch (err) {
        // 416: the object exists and the offset is at or past its end.
        if (statusOf(err) === 416) return new Uint8Array();
        throw err;
      }
    }));
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    validateKey(key);
    await this.#call("put", key, () =>
      this.#bucket.file(key).save(Buffer.from(body.buffer, body.byteOffset, body.byteLength), {
        resumable: body.byteLength > this.#partSize,
        validation: "crc32c",
        contentType: "application/octet-stream",
      }),
    );
  }

  async upload(key: string, open: BodySource): Promise<void> {
    validateKey(key);
    await this.#call("upload", key, async () => {
      const stream = this.#bucket.file(key).createWriteStream({
        resumable: true,
        validation: "crc32c",
        contentType: "application/octet-stream",
      });
      await pipeline(openBodyStream(open), stream);
    });
  }

  async exists(key: string): Promise<boolean> {
    validateKey(key);
    return this.#call("exists", key, async () => (await this.#bucket.file(key).exists())[0]);
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    await this.#call("delete", key, async () => {
      await this.#bucket.file(key).delete({ ignoreNotFound: true });
    });
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    validatePrefix(prefix);
    const result: ListResult = { objects: [], prefixes: [] };
    let pageToken: string | undefined;
    do {
      const [files, next, raw] = await this.#call("list", prefix, () =>
        this.#bucket.getFiles({
          prefix,
          ...(options.delimiter !== undefined ? { delimiter: options.delimiter } : {}),
          autoPaginate: false,
          maxResults: this.#pageSize,
          ...(pageToken !== undefined ? { pageToken } : {}),
        }),
      );
      for (const f of files) {
        result.objects.push({
          key: f.name,
          size: Number(f.metadata.size ?? 0),
          lastModified: new Date(f.metadata.updated ?? 0),
        });
      }
      const prefixes = (raw as { prefixes?: unknown } | undefined)?.prefixes;
      if (Array.isArray(prefixes)) for (const p of prefixes) if (typeof p === "string") result.prefixes.push(p);
      const token = (next as { pageToken?: unknown } | null | undefined)?.pageToken;
      pageToken = typeof token === "string" && token !== "" ? token : undefined;
    } while (pageToken !== undefined);
    return result;
  }

  async attributes(key: string): Promise<ObjectAttributes> {
    validateKey(key);
    return this.#call("attributes", key, async () => {
      const [meta] = await this.#bucket.file(key).getMetadata();
      return { size: Number(meta.size ?? 0), lastModified: new Date(meta.updated ?? 0) };
    });
  }

  async close(): Promise<void> {}
}
