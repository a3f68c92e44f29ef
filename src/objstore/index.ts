/** Object storage: the Bucket interface, its backends, their config and the factory that picks one. */
export { bytesSource, compareKeys, openBodyStream, plainBytes, readBody, validateKey, validatePrefix } from "./bucket.js";
export type {
  BodySource,
  Bucket,
  ListOptions,
  ListResult,
  ObjectAttributes,
  ObjectInfo,
  UploadOptions,
} from "./bucket.js";
export { STORAGE_BACKENDS, storageFields } from "./config.js";
export type {
  AzureConfig,
  CosConfig,
  FilesystemConfig,
  GcsConfig,
  S3Config,
  S3HttpConfig,
  S3SseConfig,
  StorageConfig,
  SwiftConfig,
} from "./config.js";
export { createBucket, filesystemDir } from "./factory.js";
export type { BucketOptions } from "./factory.js";
export { isValidStoragePrefix, PrefixedBucket } from "./prefixed-bucket.js";
export { defaultRetryOptions } from "./retry.js";
export type { RetryOptions } from "./retry.js";
