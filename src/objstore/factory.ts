/**
 * Builds the configured bucket: picks the backend from `storage.backend`, resolves the filesystem
 * default directory and applies `storage.storage_prefix`. Config mistakes throw ConfigError naming the key.
 */
import { join } from "node:path";
import { ConfigError } from "../model/errors.js";
import type { Logger } from "../server/logger.js";
import { createAzureBucket } from "./azure.js";
import type { Bucket } from "./bucket.js";
import { STORAGE_BACKENDS } from "./config.js";
import type { StorageConfig } from "./config.js";
import { createFilesystemBucket } from "./filesystem.js";
import { createGcsBucket } from "./gcs.js";
import { isValidStoragePrefix, PrefixedBucket } from "./prefixed-bucket.js";
import type { RetryOptions } from "./retry.js";
import { createS3Bucket } from "./s3.js";
import { createSwiftBucket } from "./swift.js";

/** Knobs that are not part of Phlare's config (tests, tuning). */
export interface BucketOptions {
  /** Replaces every backend's retry policy (including Azure's and Swift's `max_retries`). */
  retry?: RetryOptions;
  /** Entries per list request; small values exercise pagination. */
  listPageSize?: number;
  /** Bodies above this size go up in parts (S3 multipart, GCS resumable, Azure blocks). */
  partSizeBytes?: number;
}

/** The directory of the filesystem backend: `storage.filesystem.dir`, or `<dataPath>/bucket` when empty. */
export function filesystemDir(cfg: StorageConfig, dataPath: string): string {
  return cfg.filesystem.dir !== "" ? cfg.filesystem.dir : join(dataPath, "bucket");
}

/** Creates the bucket `cfg` describes; `dataPath` is `phlaredb.data_path`. */
export async function createBucket(
  cfg: StorageConfig,
  dataPath: string,
  logger: Logger,
  options: BucketOptions = {},
): Promise<Bucket> {
  if (!STORAGE_BACKENDS.includes(cfg.backend)) {
    throw new ConfigError(
      `storage.backend: unsupported storage backend ${JSON.stringify(cfg.backend)}; supported: ${STORAGE_BACKENDS.join(", ")}`,
      "storage.backend",
    );
  }
  if (cfg.storage_prefix !== "" && !isValidStoragePrefix(cfg.storage_prefix)) {
    throw new ConfigError(
      "storage.storage_prefix: storage prefix contains invalid characters, it may only contain digits and English alphabet letters",
      "storage.storage_prefix",
    );
  }
  const log = logger.with({ component: "objstore" });
  const common = { retry: options.retry, logger: log, listPageSize: options.listPageSize };
  let bucket: Bucket;
  switch (cfg.backend) {
    case "filesystem":
      bucket = await createFilesystemBucket({ dir: filesystemDir(cfg, dataPath), retry: options.retry, logger: log });
      break;
    case "s3":
      bucket = createS3Bucket({ ...common, config: cfg.s3, partSizeBytes: options.partSizeBytes });
      break;
    case "gcs":
      bucket = createGcsBucket({ ...common, config: cfg.gcs, partSizeBytes: options.partSizeBytes });
      break;
    case "azure":
      bucket = await createAzureBucket({ ...common, config: cfg.azure, partSizeBytes: options.partSizeBytes });
      break;
    case "swift":
      bucket = createSwiftBucket({ ...common, config: cfg.swift });
      break;
    default:
      throw new ConfigError(
        `storage.backend: ${cfg.backend} is not supported by this server; COS speaks the S3 API, so use backend s3 with its endpoint`,
        "storage.backend",
      );
  }
  return cfg.storage_prefix !== "" ? new PrefixedBucket(bucket, cfg.storage_prefix) : bucket;
}
