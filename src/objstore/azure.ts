/**
 * `storage.backend: azure`: Azure Blob Storage (block blobs) through @azure/storage-blob, authenticated
 * with the account key. The container is created when missing, as Phlare does. Bodies above the part
 * size go up as blocks plus a block list. `max_retries` is the retry count of our Retrier; the SDK's
 * own retries are off.
 */
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import type { ContainerClient } from "@azure/storage-blob";
import { ConfigError, NotFoundError } from "../model/errors.js";
import type { Logger } from "../server/logger.js";
import { openBodyStream, plainBytes, readRange, validateKey, validatePrefix } from "./bucket.js";
import type { BodySource, Bucket, ListOptions, ListResult, ObjectAttributes } from "./bucket.js";
import type { AzureConfig } from "./config.js";
import { createRetrier, defaultRetryOptions, isConnectionError, isTransientStatus } from "./retry.js";
import type { Retrier, RetryOptions } from "./retry.js";

/** Settings of the Azure bucket beyond its config. */
export interface AzureBucketOptions {
  config: AzureConfig;
  /** Replaces the policy derived from `max_retries` (tests). */
  retry?: RetryOptions;
  logger?: Logger;
  /** Blobs per list request (Azure caps it at 5000). */
  listPageSize?: number;
  /** Bodies larger than this go up in blocks of this size. */
  partSizeBytes?: number;
}

const DEFAULT_PART_SIZE = 16 * 1024 * 1024;
const DEFAULT_ENDPOINT_SUFFIX = "blob.core.windows.net";

function errorInfo(err: unknown): { status: number | undefined; code: string } {
  if (typeof err !== "object" || err === null) return { status: undefined, code: "" };
  const e = err as { statusCode?: unknown; code?: unknown };
  return {
    status: typeof e.statusCode === "number" ? e.statusCode : undefined,
    code: typeof e.code === "string" ? e.code : "",
  };
}

/** Whether an Azure SDK error is worth retrying. */
export function isTransientAzureError(err: unknown): boolean {
  const { status, code } = errorInfo(err);
  if (status !== undefined && status > 0) return isTransientStatus(status);
  return code === "REQUEST_SEND_ERROR" || isConnectionError(err);
}

function isBlobNotFound(err: unknown): boolean {
  const { status, code } = errorInfo(err);
  return status === 404 && code !== "ContainerNotFound";
}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<Uint8Array> {
  if (stream === undefined) return new Uint8Array();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return plainBytes(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
}

/** Checks the Azure config: account, key, container; managed identities are refused. */
export function validateAzureConfig(cfg: AzureConfig): void {
  if (cfg.account_name === "") throw new ConfigError("storage.azure.account_name is required", "storage.azure.account_name");
  if (cfg.container_name === "") {
    throw new ConfigError("storage.azure.container_name is required", "storage.azure.container_name");
  }
  if (cfg.account_key === "") {
    const why = cfg.msi_resource !== "" || cfg.user_assigned_id !== "" ? " (managed identities are not supported)" : "";
    throw new ConfigError(`storage.azure.account_key is required${why}`, "storage.azure.account_key");
  }
  if (cfg.endpoint !== "") {
    try {
      new URL(cfg.endpoint);
    } catch (err) {
      throw new ConfigError(`storage.azure.endpoint: invalid URL ${JSON.stringify(cfg.endpoint)}`, "storage.azure.endpoint", {
        cause: err,
      });
    }
  }
}

/** The blob service URL: the endpoint override, else https://<account>.<endpoint_suffix>. */
export function azureServiceUrl(cfg: AzureConfig): string {
  if (cfg.endpoint !== "") return cfg.endpoint.replace(/\/+$/, "");
  return `https://${cfg.account_name}.${cfg.endpoint_suffix !== "" ? cfg.endpoint_suffix : DEFAULT_ENDPOINT_SUFFIX}`;
}

/** Creates an Azure bucket client and the container when it does not exist yet. */
export async function createAzureBucket(options: AzureBucketOptions): Promise<Bucket> {
  const cfg = options.config;
  validateAzureConfig(cfg);
  const credential = new StorageSharedKeyCredential(cfg.account_name, cfg.account_key);
  const service = new BlobServiceClient(azureServiceUrl(cfg), credential, { retryOptions: { maxTries: 1 } });
  const bucket = new AzureBucket(service.getContainerClient(cfg.container_name), options);
  await bucket.ensureContainer();
  return bucket;
}

class AzureBucket implements Bucket {
  readonly kind = "azure";
  readonly #container: ContainerClient;
  readonly #retrier: Retrier;
  readonly #pageSize: number;
  readonly #partSize: number;

  constructor(container: ContainerClient, options: AzureBucketOptions) {
    this.#container = container;
    this.#pageSize = Math.min(5000, Math.max(1, options.listPageSize ?? 5000));
    this.#partSize = options.partSizeBytes ?? DEFAULT_PART_SIZE;
    this.#retrier = createRetrier({
      ...(options.retry ?? { ...defaultRetryOptions(), maxAttempts: options.config.max_retries + 1 }),
      isTransient: isTransientAzureError,
      logger: options.logger?.with({ backend: "azure", container: container.containerName }),
    });
  }

  async ensureContainer(): Promise<void> {
    await this.#call("create container", this.#container.containerName, () => this.#container.createIfNotExists());
  }

  async #call<T>(what: string, key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.#retrier.run(`${what} ${key}`, fn);
    } catch (err) {
      if (isBlobNotFound(err)) {
        throw new NotFoundError(`object ${key} not found in azure container ${this.#container.containerName}`, { cause: err });
      }
      throw new Error(`azure ${what} ${key}`, { cause: err });
    }
  }

  #blob(key: string) {
    return this.#container.getBlockBlobClient(validateKey(key));
  }

  async get(key: string): Promise<Uint8Array> {
    const blob = this.#blob(key);
    return this.#call("get", key, async () => readAll((await blob.download(0, undefined, { maxRetryRequests: 0 })).readableStreamBody));
  }

  getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    return readRange(this, key, offset, length, () => this.#call("get range", key, async () => {
      try {
        return await readAll((await this.#blob(key).download(offset, length, { maxRetryRequests: 0 })).readableStreamBody);
      } catch (err) {
        // 416: the blob exists and the offset is at or past its end.
        if (errorInfo(err).status === 416) return new Uint8Array();
        throw err;
      }
    }));
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const blob = this.#blob(key);
    await this.#call("put", key, () =>
      blob.uploadData(body, {
        maxSingleShotSize: this.#partSize,
        blockSize: this.#partSize,
        concurrency: 4,
        blobHTTPHeaders: { blobContentType: "application/octet-stream" },
      }),
    );
  }

  async upload(key: string, open: BodySource): Promise<void> {
    const blob = this.#blob(key);
    await this.#call("upload", key, () =>
      blob.uploadStream(openBodyStream(open), this.#partSize, 4, { blobHTTPHeaders: { blobContentType: "application/octet-stream" } }),
    );
  }

  async exists(key: string): Promise<boolean> {
    const blob = this.#blob(key);
    return this.#call("exists", key, () => blob.exists());
  }

  async delete(key: string): Promise<void> {
    const blob = this.#blob(key);
    await this.#call("delete", key, () => blob.deleteIfExists());
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    validatePrefix(prefix);
    const result: ListResult = { objects: [], prefixes: [] };
    let token: string | undefined;
    do {
      const page = await this.#call("list", prefix, async () => {
        const pages =
          options.delimiter !== undefined
            ? this.#container.listBlobsByHierarchy(options.delimiter, { prefix }).byPage({ continuationToken: token, maxPageSize: this.#pageSize })
            : this.#container.listBlobsFlat({ prefix }).byPage({ continuationToken: token, maxPageSize: this.#pageSize });
        const next = await pages.next();
        return next.done === true ? undefined : next.value;
      });
      if (page === undefined) break;
      for (const b of page.segment.blobItems) {
        result.objects.push({ key: b.name, size: b.properties.contentLength ?? 0, lastModified: b.properties.lastModified });
      }
      const segment = page.segment as { blobPrefixes?: Array<{ name: string }> };
      for (const p of segment.blobPrefixes ?? []) result.prefixes.push(p.name);
      token = page.continuationToken !== undefined && page.continuationToken !== "" ? page.continuationToken : undefined;
    } while (token !== undefined);
    return result;
  }

  async attributes(key: string): Promise<ObjectAttributes> {
    const blob = this.#blob(key);
    return this.#call("attributes", key, async () => {
      const props = await blob.getProperties();
      return { size: props.contentLength ?? 0, lastModified: props.lastModified ?? new Date(0) };
    });
  }

  async close(): Promise<void> {}
}
