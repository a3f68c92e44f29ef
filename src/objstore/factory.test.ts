import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { defaultsOf } from "../config/field.js";
import { ConfigError } from "../model/errors.js";
import { nopLogger } from "../server/logger.js";
import { storageFields } from "./config.js";
import type { StorageConfig } from "./config.js";
import { createBucket, filesystemDir } from "./factory.js";

const tmp = mkdtempSync(join(tmpdir(), "phlare-factory-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function config(edit: (cfg: StorageConfig) => void = () => {}): StorageConfig {
  const cfg = (defaultsOf(storageFields) as unknown as { storage: StorageConfig }).storage;
  edit(cfg);
  return cfg;
}

describe("createBucket", () => {
  test("the default is a filesystem bucket in <data_path>/bucket", async () => {
    const cfg = config();
    assert.equal(filesystemDir(cfg, "/data"), join("/data", "bucket"));
    const bucket = await createBucket(cfg, tmp, nopLogger());
    assert.equal(bucket.kind, "filesystem");
    await bucket.put("t/k", new Uint8Array([1]));
    assert.ok(statSync(join(tmp, "bucket", "t", "k")).isFile());
    await bucket.close();
  });

  test("storage.filesystem.dir wins over the data path", () => {
    assert.equal(filesystemDir(config((c) => (c.filesystem.dir = "/elsewhere")), "/data"), "/elsewhere");
  });

  test("storage_prefix wraps the backend", async () => {
    const bucket = await createBucket(config((c) => (c.storage_prefix = "p1")), tmp, nopLogger());
    assert.equal(bucket.kind, "prefixed(filesystem)");
    await bucket.put("k", new Uint8Array([2]));
    assert.ok(statSync(join(tmp, "bucket", "p1", "k")).isFile());
  });

  const errors: Array<{ name: string; edit: (c: StorageConfig) => void; path: string }> = [
    { name: "unknown backend", edit: (c) => (c.backend = "minio"), path: "storage.backend" },
    { name: "cos", edit: (c) => (c.backend = "cos"), path: "storage.backend" },
    { name: "bad prefix", edit: (c) => (c.storage_prefix = "a/b"), path: "storage.storage_prefix" },
    { name: "s3 without bucket", edit: (c) => (c.backend = "s3"), path: "storage.s3.bucket_name" },
    {
      name: "s3 signature v2",
      edit: (c) => Object.assign(c, { backend: "s3", s3: { ...c.s3, bucket_name: "b", signature_version: "v2" } }),
      path: "storage.s3.signature_version",
    },
    {
      name: "s3 key without secret",
      edit: (c) => Object.assign(c, { backend: "s3", s3: { ...c.s3, bucket_name: "b", access_key_id: "AK" } }),
      path: "storage.s3.secret_access_key",
    },
    {
      name: "s3 SSE-KMS without key id",
      edit: (c) => Object.assign(c, { backend: "s3", s3: { ...c.s3, bucket_name: "b", sse: { ...c.s3.sse, type: "SSE-KMS" } } }),
      path: "storage.s3.sse.kms_key_id",
    },
    {
      name: "s3 encryption context not JSON",
      edit: (c) =>
        Object.assign(c, {
          backend: "s3",
          s3: { ...c.s3, bucket_name: "b", sse: { type: "SSE-KMS", kms_key_id: "k", kms_encryption_context: "{oops" } },
        }),
      path: "storage.s3.sse.kms_encryption_context",
    },
    { name: "gcs without bucket", edit: (c) => (c.backend = "gcs"), path: "storage.gcs.bucket_name" },
    {
      name: "gcs service account is a path",
      edit: (c) => Object.assign(c, { backend: "gcs", gcs: { ...c.gcs, bucket_name: "b", service_account: "/etc/sa.json" } }),
      path: "storage.gcs.service_account",
    },
    { name: "azure without account", edit: (c) => (c.backend = "azure"), path: "storage.azure.account_name" },
    {
      name: "azure managed identity",
      edit: (c) =>
        Object.assign(c, { backend: "azure", azure: { ...c.azure, account_name: "a", container_name: "c", user_assigned_id: "id" } }),
      path: "storage.azure.account_key",
    },
    { name: "swift without auth url", edit: (c) => (c.backend = "swift"), path: "storage.swift.auth_url" },
    {
      name: "swift without container",
      edit: (c) => Object.assign(c, { backend: "swift", swift: { ...c.swift, auth_url: "http://k/auth/v1.0" } }),
      path: "storage.swift.container_name",
    },
    {
      name: "swift keystone v2",
      edit: (c) =>
        Object.assign(c, { backend: "swift", swift: { ...c.swift, auth_url: "http://k/v2.0", container_name: "c", username: "u", password: "p" } }),
      path: "storage.swift.auth_version",
    },
    {
      name: "swift without password",
      edit: (c) => Object.assign(c, { backend: "swift", swift: { ...c.swift, auth_url: "http://k/v3", container_name: "c", username: "u" } }),
      path: "storage.swift.password",
    },
  ];
  for (const { name, edit, path } of errors) {
    test(`${name}: ConfigError naming ${path}`, async () => {
      await assert.rejects(
        createBucket(config(edit), tmp, nopLogger()),
        (err: unknown) => err instanceof ConfigError && err.path === path && err.message.includes(path),
      );
    });
  }
});
