/**
 * `storage.backend: s3`: Amazon S3 or any S3-compatible server (MinIO, Ceph, Swift's s3api, …) through
 * AWS SDK v3. Bodies above the part size go up as multipart uploads (lib-storage). The SDK's own
 * retries are off: every request goes through our Retrier so all backends retry alike.
 */
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { PutObjectCommandInput, S3ClientConfig } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { ConfigError, NotFoundError } from "../model/errors.js";
import type { Logger } from "../server/logger.js";
import { deleteIgnoringMissing, existsByAttributes, openBodyStream, plainBytes, readRange, validateKey, validatePrefix } from "./bucket.js";
import type { BodySource, Bucket, ListOptions, ListResult, ObjectAttributes } from "./bucket.js";
import type { S3Config } from "./config.js";
import { createRetrier, defaultRetryOptions, isConnectionError, isTransientStatus } from "./retry.js";
import type { Retrier, RetryOptions } from "./retry.js";

/** Settings of the S3 bucket beyond its config. */
export interface S3BucketOptions {
  config: S3Config;
  retry?: RetryOptions;
  logger?: Logger;
  /** Keys per ListObjectsV2 page (S3 caps it at 1000). */
  listPageSize?: number;
  /** Bodies larger than this go up as multipart uploads with parts of this size (≥ 5 MiB). */
  partSizeBytes?: number;
}

const MIB = 1024 * 1024;
const DEFAULT_PART_SIZE = 16 * MIB;
// S3 refuses parts below 5 MiB (except the last one).
const MIN_PART_SIZE = 5 * MIB;

function meta(err: unknown): { name: string; status: number | undefined } {
  if (typeof err !== "object" || err === null) return { name: "", status: undefined };
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const status = e.$metadata?.httpStatusCode;
  return { name: typeof e.name === "string" ? e.name : "", status: typeof status === "number" ? status : undefined };
}

function isNotFound(err: unknown): boolean {
  const { name, status } = meta(err);
  if (name === "NoSuchBucket") return false;
  return name === "NoSuchKey" || name === "NotFound" || status === 404;
}

function isInvalidRange(err: unknown): boolean {
  const { name, status } = meta(err);
  return name === "InvalidRange" || status === 416;
}

// Names the SDK gives to throttling and server-side failures whose status may be missing.
const TRANSIENT_NAMES = new Set(["SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout", "TimeoutError"]);

/** Whether an S3 SDK error is worth retrying. */
export function isTransientS3Error(err: unknown): boolean {
  const { name, status } = meta(err);
  if (status !== undefined && status > 0) return isTransientStatus(status);
  return TRANSIENT_NAMES.has(name) || isConnectionError(err);
}

/** The endpoint URL for a Phlare-style `host:port` endpoint, or undefined for AWS's own. */
export function s3EndpointUrl(cfg: S3Config): URL | undefined {
  if (cfg.endpoint === "") return undefined;
  const text = cfg.endpoint.includes("://") ? cfg.endpoint : `${cfg.insecure ? "http" : "https"}://${cfg.endpoint}`;
  try {
    return new URL(text);
  } catch (err) {
    throw new ConfigError(`storage.s3.endpoint: invalid endpoint ${JSON.stringify(cfg.endpoint)}`, "storage.s3.endpoint", {
      cause: err,
    });
  }
}

/** Checks what the field table cannot: required keys, signature version, SSE settings. */
export function validateS3Config(cfg: S3Config): void {
  if (cfg.bucket_name === "") throw new ConfigError("storage.s3.bucket_name is required", "storage.s3.bucket_name");
  if (cfg.signature_version === "v2") {
    throw new ConfigError(
      "storage.s3.signature_version: v2 is not supported (AWS SDK v3 signs with v4 only); use v4",
      "storage.s3.signature_version",
    );
  }
  if ((cfg.access_key_id === "") !== (cfg.secret_access_key === "")) {
    throw new ConfigError(
      "storage.s3.access_key_id and storage.s3.secret_access_key must be set together",
      cfg.access_key_id === "" ? "storage.s3.access_key_id" : "storage.s3.secret_access_key",
    );
  }
  if (cfg.sse.type === "SSE-KMS" && cfg.sse.kms_key_id === "") {
    throw new ConfigError("storage.s3.sse.kms_key_id is required with SSE-KMS", "storage.s3.sse.kms_key_id");
  }
  if (cfg.sse.kms_encryption_context !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(cfg.sse.kms_encryption_context);
    } catch (err) {
      throw new ConfigError("storage.s3.sse.kms_encryption_context is not valid JSON", "storage.s3.sse.kms_encryption_context", {
        cause: err,
      });
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError("storage.s3.sse.kms_encryption_context must be a JSON object", "storage.s3.sse.kms_encryption_context");
    }
  }
  s3EndpointUrl(cfg);
}

/** The server-side encryption parameters of every PutObject and CreateMultipartUpload. */
export function s3SseParams(cfg: S3Config): Partial<PutObjectCommandInput> {
  switch (cfg.sse.type) {
    case "SSE-S3":
      return { ServerSideEncryption: "AES256" };
    case "SSE-KMS":
      return {
        ServerSideEncryption: "aws:kms",
        SSEKMSKeyId: cfg.sse.kms_key_id,
        ...(cfg.sse.kms_encryption_context !== ""
          ? { SSEKMSEncryptionContext: Buffer.from(cfg.sse.kms_encryption_context).toString("base64") }
          : {}),
      };
    default:
      return {};
  }
}

/** The SDK client config for a Phlare S3 config (exported for tests). */
export function s3ClientConfig(cfg: S3Config): S3ClientConfig {
  const url = s3EndpointUrl(cfg);
  const http = cfg.http;
  // Go's http.Transport settings mapped onto Node's agent where Node has an equivalent:
  // idle timeout, idle sockets kept per host, connections per host, certificate checks.
  const agentOptions = {
    keepAlive: true,
    timeout: http.idle_conn_timeout > 0 ? http.idle_conn_timeout : undefined,
    maxFreeSockets: http.max_idle_connections_per_host > 0 ? http.max_idle_connections_per_host : 256,
    maxSockets: http.max_connections_per_host > 0 ? http.max_connections_per_host : Infinity,
  };
  return {
    region: cfg.region !== "" ? cfg.region : "us-east-1",
    ...(url !== undefined ? { endpoint: url.toString().replace(/\/$/, "") } : {}),
    // Custom endpoints rarely have per-bucket DNS names; AWS's own endpoints use virtual hosts.
    forcePathStyle: url !== undefined && !url.hostname.endsWith("amazonaws.com"),
    followRegionRedirects: true,
    ...(cfg.access_key_id !== ""
      ? { credentials: { accessKeyId: cfg.access_key_id, secretAccessKey: cfg.secret_access_key } }
      : {}),
    maxAttempts: 1,
    // Checksums only where S3 requires them: many S3-compatible servers reject the newer trailers.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: {
      connectionTimeout: http.tls_handshake_timeout,
      socketTimeout: http.response_header_timeout,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent({ ...agentOptions, rejectUnauthorized: !http.insecure_skip_verify }),
    },
  };
}

/** Creates an S3 bucket client; the bucket itself must exist. */
export function createS3Bucket(options: S3BucketOptions): Bucket {
  validateS3Config(options.config);
  return new S3Bucket(options);
}

class S3Bucket implements Bucket {
  readonly kind = "s3";
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #retrier: Retrier;
  readonly #sse: Partial<PutObjectCommandInput>;
  readonly #pageSize: number;
  readonly #partSize: number;

  constructor(options: S3BucketOptions) {
    this.#client = new S3Client(s3ClientConfig(options.config));
    this.#bucket = options.config.bucket_name;
    this.#sse = s3SseParams(options.config);
    this.#pageSize = Math.min(1000, Math.max(1, options.listPageSize ?? 1000));
    this.#partSize = Math.max(MIN_PART_SIZE, options.partSizeBytes ?? DEFAULT_PART_SIZE);
    this.#retrier = createRetrier({
      ...(options.retry ?? defaultRetryOptions()),
      isTransient: isTransientS3Error,
      logger: options.logger?.with({ backend: "s3", bucket: this.#bucket }),
    });
  }

  #notFound(key: string, err: unknown): NotFoundError {
    return new NotFoundError(`object ${key} not found in s3 bucket ${this.#bucket}`, { cause: err });
  }

  async #call<T>(what: string, key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.#retrier.run(`${what} ${key}`, fn);
    } catch (err) {
      if (isNotFound(err)) throw this.#notFound(key, err);
      throw new Error(`s3 ${what} ${key}`, { cause: err });
    }
  }

  async get(key: string): Promise<Uint8Array> {
    validateKey(key);
    return this.#call("get", key, async () => {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return out.Body === undefined ? new Uint8Array() : plainBytes(await out.Body.transformToByteArray());
    });
  }

  getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    return readRange(this, key, offset, length, (last) => this.#call("get range", key, async () => {
      try {
        const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key, Range: `bytes=${offset}-${last}` }));
        const bytes = out.Body === undefined ? new Uint8Array() : plainBytes(await out.Body.transformToByteArray());
        // Without Content-Range the server ignored Range and sent the whole object: cut the range here.
        return out.ContentRange === undefined ? bytes.subarray(offset, offset + length) : bytes;
      } catch (err) {
        // 416 means the object exists and the offset is at or past its end.
        if (isInvalidRange(err)) return new Uint8Array();
        throw err;
      }
    }));
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    validateKey(key);
    if (body.byteLength > this.#partSize) {
      await this.#multipart(key, () => body);
      return;
    }
    await this.#call("put", key, () =>
      this.#client.send(
        new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: body, ContentLength: body.byteLength, ...this.#sse }),
      ),
    );
  }

  async upload(key: string, open: BodySource): Promise<void> {
    validateKey(key);
    await this.#multipart(key, () => openBodyStream(open));
  }

  // lib-storage sends one PutObject when the body fits one part, else a multipart upload that it
  // aborts on failure; a retry starts the upload again from a fresh body.
  async #multipart(key: string, body: () => Uint8Array | Readable): Promise<void> {
    await this.#call("upload", key, async () => {
      const upload = new Upload({
        client: this.#client,
        params: { Bucket: this.#bucket, Key: key, Body: body(), ...this.#sse },
        partSize: this.#partSize,
        queueSize: 4,
        leavePartsOnError: false,
      });
      await upload.done();
    });
  }

  exists(key: string): Promise<boolean> {
    return existsByAttributes(this, key);
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    await deleteIgnoringMissing(this.#call("delete", key, () => this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }))));
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    validatePrefix(prefix);
    const result: ListResult = { objects: [], prefixes: [] };
    let token: string | undefined;
    do {
      const page = await this.#call("list", prefix, () =>
        this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: prefix,
            Delimiter: options.delimiter,
            ContinuationToken: token,
            MaxKeys: this.#pageSize,
          }),
        ),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined) continue;
        result.objects.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) });
      }
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) result.prefixes.push(p.Prefix);
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return result;
  }

  async attributes(key: string): Promise<ObjectAttributes> {
    validateKey(key);
    return this.#call("attributes", key, async () => {
      const out = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return { size: out.ContentLength ?? 0, lastModified: out.LastModified ?? new Date(0) };
    });
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }
}
