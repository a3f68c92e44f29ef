/**
 * Every object-storage backend under test, each against its test server: filesystem (a temporary
 * directory), s3 and swift (one real Swift all-in-one, two containers), azure (Azurite) and gcs (the
 * in-process fake). Configs are built from the storage field table's defaults, as the server does.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultsOf } from "../../../src/config/field.js";
import type { Bucket } from "../../../src/objstore/bucket.js";
import { storageFields } from "../../../src/objstore/config.js";
import type { StorageConfig } from "../../../src/objstore/config.js";
import { createBucket } from "../../../src/objstore/factory.js";
import type { BucketOptions } from "../../../src/objstore/factory.js";
import type { RetryOptions } from "../../../src/objstore/retry.js";
import { nopLogger } from "../../../src/server/logger.js";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite } from "./azurite.js";
import type { AzuriteServer } from "./azurite.js";
import { startGcsFake } from "./gcs-fake.js";
import { forgetOnExit, removeOnExit } from "./processes.js";
import type { GcsFake } from "./gcs-fake.js";
import { startSwiftServer, SWIFT_KEY, SWIFT_S3_REGION, SWIFT_USER } from "./swift-server.js";
import type { SwiftServer } from "./swift-server.js";

// The AWS SDK warns once per process that future releases need Node 22; the tests know.
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

/** The backends of `storage.backend` that this server implements. */
export type BackendName = "filesystem" | "s3" | "swift" | "azure" | "gcs";

/** Names of the buckets/containers the servers are given. */
export const S3_BUCKET = "phlare-s3";
export const SWIFT_CONTAINER = "phlare-swift";
export const GCS_BUCKET = "phlare-gcs";
export const AZURE_CONTAINER = "phlare-azure";

/** Quick retries so failure tests stay fast. */
export const FAST_RETRY: RetryOptions = { maxAttempts: 4, minBackoffMs: 5, maxBackoffMs: 50 };

/** All test servers, started together. */
export interface ObjstoreServers {
  readonly swift: SwiftServer;
  readonly azurite: AzuriteServer;
  readonly gcs: GcsFake;
  /** Root under which filesystem buckets live. */
  readonly fsRoot: string;
  /** How long each server took to start, in milliseconds. */
  readonly startMs: Record<"swift" | "azurite" | "gcs", number>;
  close(): Promise<void>;
}

/** Starts Swift, Azurite and the GCS fake in parallel and creates their buckets. */
export async function startObjstoreServers(): Promise<ObjstoreServers> {
  let gcsMs = 0;
  const startGcs = async (): Promise<GcsFake> => {
    const t0 = Date.now();
    const fake = await startGcsFake();
    gcsMs = Date.now() - t0;
    return fake;
  };
  const [swift, azurite, gcs] = await Promise.allSettled([startSwiftServer(), startAzurite(), startGcs()]);
  const started = [swift, azurite, gcs].flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  if (swift.status === "rejected" || azurite.status === "rejected" || gcs.status === "rejected") {
    await Promise.all(started.map((s) => s.close()));
    const failed = [swift, azurite, gcs].find((r) => r.status === "rejected") as PromiseRejectedResult;
    throw failed.reason;
  }
  await swift.value.createContainer(S3_BUCKET);
  await swift.value.createContainer(SWIFT_CONTAINER);
  gcs.value.createBucket(GCS_BUCKET);
  const fsRoot = mkdtempSync(join(tmpdir(), "phlare-fs-bucket-"));
  removeOnExit(fsRoot);
  return {
    swift: swift.value,
    azurite: azurite.value,
    gcs: gcs.value,
    fsRoot,
    startMs: { swift: swift.value.startMs, azurite: azurite.value.startMs, gcs: gcsMs },
    async close() {
      await Promise.allSettled([swift.value.close(), azurite.value.close(), gcs.value.close()]);
      rmSync(fsRoot, { recursive: true, force: true });
      forgetOnExit(fsRoot);
    },
  };
}

/** A fresh `storage:` config holding every default, built from the field table. */
export function defaultStorageConfig(): StorageConfig {
  return defaultsOf(storageFields)["storage"] as unknown as StorageConfig;
}

/** The `storage:` config that points `backend` at its test server. */
export function storageConfigFor(backend: BackendName, servers: ObjstoreServers, fsDir = "shared"): StorageConfig {
  const cfg = defaultStorageConfig();
  cfg.backend = backend;
  switch (backend) {
    case "filesystem":
      cfg.filesystem.dir = join(servers.fsRoot, fsDir);
      break;
    case "s3":
      cfg.s3.endpoint = servers.swift.endpoint.replace(/^http:\/\//, "");
      cfg.s3.insecure = true;
      cfg.s3.region = SWIFT_S3_REGION;
      cfg.s3.bucket_name = S3_BUCKET;
      cfg.s3.access_key_id = SWIFT_USER;
      cfg.s3.secret_access_key = SWIFT_KEY;
      break;
    case "swift":
      cfg.swift.auth_url = servers.swift.authUrl;
      cfg.swift.username = SWIFT_USER;
      cfg.swift.password = SWIFT_KEY;
      cfg.swift.container_name = SWIFT_CONTAINER;
      break;
    case "azure":
      cfg.azure.account_name = AZURITE_ACCOUNT;
      cfg.azure.account_key = AZURITE_KEY;
      cfg.azure.container_name = AZURE_CONTAINER;
      cfg.azure.endpoint = servers.azurite.endpoint;
      break;
    case "gcs":
      cfg.gcs.bucket_name = GCS_BUCKET;
      cfg.gcs.endpoint = servers.gcs.endpoint;
      break;
  }
  return cfg;
}

/** Opens a bucket of `backend` through the factory, optionally under a storage prefix. */
export function openBucket(
  backend: BackendName,
  servers: ObjstoreServers,
  options: BucketOptions & { storagePrefix?: string } = {},
): Promise<Bucket> {
  const cfg = storageConfigFor(backend, servers);
  cfg.storage_prefix = options.storagePrefix ?? "";
  return createBucket(cfg, servers.fsRoot, nopLogger(), { retry: FAST_RETRY, ...options });
}
