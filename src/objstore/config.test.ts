import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { seconds } from "../config/duration.js";
import { defaultsOf, formatValue, getPath, parseFlagValue } from "../config/field.js";
import { loadConfig, applyYamlText } from "../config/load.js";
import { ConfigError, FlagError } from "../model/errors.js";
import { storageFields } from "./config.js";
import type { StorageConfig } from "./config.js";

function storageOf(tree: object): StorageConfig {
  return (tree as { storage: StorageConfig }).storage;
}

describe("storageFields", () => {
  test("every row is under storage., flags are -storage.<...> kebab-case and unique", () => {
    const flags = new Set<string>();
    for (const f of storageFields) {
      assert.ok(f.yaml.startsWith("storage."), f.yaml);
      assert.ok(f.flag.startsWith("storage."), f.flag);
      assert.match(f.flag, /^[a-z0-9]+([.-][a-z0-9]+)*$/);
      assert.ok(!flags.has(f.flag), `flag ${f.flag} twice`);
      flags.add(f.flag);
      assert.deepEqual(parseFlagValue(f, formatValue(f, f.default)), f.default, f.flag);
      assert.equal(f.validate?.(f.default as never), undefined, f.flag);
    }
  });

  test("only the test endpoint overrides are hidden", () => {
    assert.deepEqual(
      storageFields.filter((f) => f.hidden === true).map((f) => f.yaml),
      ["storage.gcs.endpoint", "storage.azure.endpoint"],
    );
  });

  const defaults: Array<[path: string, flag: string, want: unknown]> = [
    ["storage.backend", "storage.backend", "filesystem"],
    ["storage.storage_prefix", "storage.storage-prefix", ""],
    ["storage.filesystem.dir", "storage.filesystem.dir", ""],
    ["storage.s3.bucket_name", "storage.s3.bucket-name", ""],
    ["storage.s3.signature_version", "storage.s3.signature-version", "v4"],
    ["storage.s3.insecure", "storage.s3.insecure", false],
    ["storage.s3.sse.type", "storage.s3.sse.type", ""],
    ["storage.s3.sse.kms_encryption_context", "storage.s3.sse.kms-encryption-context", ""],
    ["storage.s3.http.idle_conn_timeout", "storage.s3.http.idle-conn-timeout", seconds(90)],
    ["storage.s3.http.response_header_timeout", "storage.s3.http.response-header-timeout", seconds(120)],
    ["storage.s3.http.insecure_skip_verify", "storage.s3.http.insecure-skip-verify", false],
    ["storage.s3.http.tls_handshake_timeout", "storage.s3.tls-handshake-timeout", seconds(10)],
    ["storage.s3.http.expect_continue_timeout", "storage.s3.expect-continue-timeout", seconds(1)],
    ["storage.s3.http.max_idle_connections", "storage.s3.max-idle-connections", 100],
    ["storage.s3.http.max_idle_connections_per_host", "storage.s3.max-idle-connections-per-host", 100],
    ["storage.s3.http.max_connections_per_host", "storage.s3.max-connections-per-host", 0],
    ["storage.gcs.service_account", "storage.gcs.service-account", ""],
    ["storage.azure.max_retries", "storage.azure.max-retries", 20],
    ["storage.azure.endpoint_suffix", "storage.azure.endpoint-suffix", ""],
    ["storage.azure.user_assigned_id", "storage.azure.user-assigned-id", ""],
    ["storage.swift.auth_version", "storage.swift.auth-version", 0],
    ["storage.swift.user_domain_name", "storage.swift.user-domain-name", ""],
    ["storage.swift.project_domain_id", "storage.swift.project-domain-id", ""],
    ["storage.swift.max_retries", "storage.swift.max-retries", 3],
    ["storage.swift.connect_timeout", "storage.swift.connect-timeout", seconds(10)],
    ["storage.swift.request_timeout", "storage.swift.request-timeout", seconds(5)],
    ["storage.cos.app_id", "storage.cos.app-id", ""],
    ["storage.cos.http.idle_conn_timeout", "storage.cos.http.idle-conn-timeout", seconds(90)],
  ];
  const tree = defaultsOf(storageFields);
  for (const [path, flag, want] of defaults) {
    test(`${path} (-${flag}) defaults to ${JSON.stringify(want)} as in Phlare`, () => {
      assert.deepEqual(getPath(tree, path), want);
      assert.equal(storageFields.find((f) => f.yaml === path)?.flag, flag);
    });
  }
});

describe("storage config from YAML and flags", () => {
  test("a Phlare-style YAML section loads", () => {
    const tree = defaultsOf(storageFields);
    applyYamlText(
      tree,
      [
        "storage:",
        "  backend: s3",
        "  storage_prefix: cluster1",
        "  s3:",
        "    bucket_name: b",
        "    endpoint: s3.eu-west-2.amazonaws.com",
        "    region: eu-west-2",
        "    access_key_id: AK",
        "    secret_access_key: SK",
        "    sse: {type: SSE-S3}",
        "    http: {idle_conn_timeout: 1m, max_connections_per_host: 8}",
        "  swift: {auth_version: 3, request_timeout: 30s}",
      ].join("\n"),
      "phlare.yaml",
      storageFields,
    );
    const cfg = storageOf(tree);
    assert.equal(cfg.backend, "s3");
    assert.equal(cfg.storage_prefix, "cluster1");
    assert.equal(cfg.s3.endpoint, "s3.eu-west-2.amazonaws.com");
    assert.equal(cfg.s3.sse.type, "SSE-S3");
    assert.equal(cfg.s3.http.idle_conn_timeout, seconds(60));
    assert.equal(cfg.s3.http.max_connections_per_host, 8);
    assert.equal(cfg.swift.auth_version, 3);
    assert.equal(cfg.swift.request_timeout, seconds(30));
  });

  test("flags set the same keys", () => {
    const r = loadConfig<{ storage: StorageConfig }>(
      ["-storage.backend=swift", "-storage.swift.auth-url", "http://k/v3", "-storage.s3.tls-handshake-timeout=3s", "-storage.storage-prefix=abc123"],
      {},
      storageFields,
    );
    assert.equal(r.kind, "run");
    if (r.kind !== "run") return;
    assert.equal(r.config.storage.backend, "swift");
    assert.equal(r.config.storage.swift.auth_url, "http://k/v3");
    assert.equal(r.config.storage.s3.http.tls_handshake_timeout, seconds(3));
    assert.equal(r.config.storage.storage_prefix, "abc123");
  });

  const badYaml: Array<[name: string, yaml: string, path: string]> = [
    ["unknown backend", "storage: {backend: minio}", "storage.backend"],
    ["prefix with a slash", "storage: {storage_prefix: a/b}", "storage.storage_prefix"],
    ["prefix with a dash", "storage: {storage_prefix: a-b}", "storage.storage_prefix"],
    ["signature version v3", "storage: {s3: {signature_version: v3}}", "storage.s3.signature_version"],
    ["SSE type", "storage: {s3: {sse: {type: SSE-C}}}", "storage.s3.sse.type"],
    ["swift auth version 4", "storage: {swift: {auth_version: 4}}", "storage.swift.auth_version"],
    ["unknown key", "storage: {s3: {bucket: x}}", "storage.s3.bucket"],
  ];
  for (const [name, yaml, path] of badYaml) {
    test(`rejects ${name} naming ${path}`, () => {
      assert.throws(
        () => applyYamlText(defaultsOf(storageFields), yaml, "phlare.yaml", storageFields),
        (err: unknown) => err instanceof ConfigError && err.message.includes(path),
      );
    });
  }

  test("rejects a bad prefix flag with Go's wording", () => {
    assert.throws(
      () => loadConfig(["-storage.storage-prefix=a_b"], {}, storageFields),
      (err: unknown) => err instanceof FlagError && err.message.includes("-storage.storage-prefix") && err.message.includes("digits"),
    );
  });
});
