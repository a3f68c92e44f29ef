import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defaultsOf } from "../config/field.js";
import { storageFields } from "./config.js";
import type { S3Config, StorageConfig } from "./config.js";
import { isTransientS3Error, s3ClientConfig, s3EndpointUrl, s3SseParams } from "./s3.js";

function s3(edit: Partial<S3Config> = {}): S3Config {
  const cfg = (defaultsOf(storageFields) as unknown as { storage: StorageConfig }).storage.s3;
  return { ...cfg, bucket_name: "b", ...edit };
}

describe("s3 endpoint and client config", () => {
  const endpoints: Array<{ cfg: Partial<S3Config>; url: string | undefined; pathStyle: boolean }> = [
    { cfg: {}, url: undefined, pathStyle: false },
    { cfg: { endpoint: "minio:9000" }, url: "https://minio:9000/", pathStyle: true },
    { cfg: { endpoint: "127.0.0.1:9000", insecure: true }, url: "http://127.0.0.1:9000/", pathStyle: true },
    { cfg: { endpoint: "http://ceph.local:7480" }, url: "http://ceph.local:7480/", pathStyle: true },
    { cfg: { endpoint: "s3.eu-west-2.amazonaws.com" }, url: "https://s3.eu-west-2.amazonaws.com/", pathStyle: false },
  ];
  for (const { cfg, url, pathStyle } of endpoints) {
    test(`endpoint ${JSON.stringify(cfg.endpoint ?? "")}${cfg.insecure === true ? " insecure" : ""} → ${url ?? "AWS default"}`, () => {
      assert.equal(s3EndpointUrl(s3(cfg))?.toString(), url);
      assert.equal(s3ClientConfig(s3(cfg)).forcePathStyle, pathStyle);
    });
  }

  test("region defaults to us-east-1; static credentials only when a key is set; SDK retries off", () => {
    const plain = s3ClientConfig(s3());
    assert.equal(plain.region, "us-east-1");
    assert.equal(plain.credentials, undefined);
    assert.equal(plain.maxAttempts, 1);
    const keyed = s3ClientConfig(s3({ region: "eu-west-2", access_key_id: "AK", secret_access_key: "SK" }));
    assert.equal(keyed.region, "eu-west-2");
    assert.deepEqual(keyed.credentials, { accessKeyId: "AK", secretAccessKey: "SK" });
  });

  test("http settings reach the request handler and agents", () => {
    const cfg = s3({ endpoint: "x:1" });
    cfg.http = { ...cfg.http, tls_handshake_timeout: 3000, response_header_timeout: 7000, max_connections_per_host: 5, insecure_skip_verify: true };
    const handler = s3ClientConfig(cfg).requestHandler as {
      connectionTimeout: number;
      socketTimeout: number;
      httpsAgent: { maxSockets: number; options: { rejectUnauthorized: boolean } };
    };
    assert.equal(handler.connectionTimeout, 3000);
    assert.equal(handler.socketTimeout, 7000);
    assert.equal(handler.httpsAgent.maxSockets, 5);
    assert.equal(handler.httpsAgent.options.rejectUnauthorized, false);
  });
});

describe("isTransientS3Error", () => {
  const err = (name: string, status?: number): unknown =>
    Object.assign(new Error(name), { name, ...(status !== undefined ? { $metadata: { httpStatusCode: status } } : {}) });
  const table: Array<[string, unknown, boolean]> = [
    ["503 ServiceUnavailable", err("ServiceUnavailable", 503), true],
    ["500 InternalError", err("InternalError", 500), true],
    ["429 SlowDown", err("SlowDown", 429), true],
    ["408 RequestTimeout", err("RequestTimeout", 408), true],
    ["403 AccessDenied", err("AccessDenied", 403), false],
    ["404 NoSuchKey", err("NoSuchKey", 404), false],
    ["400 InvalidArgument", err("InvalidArgument", 400), false],
    ["TimeoutError without status", err("TimeoutError"), true],
    ["ECONNREFUSED", Object.assign(new Error("refused"), { code: "ECONNREFUSED" }), true],
    ["plain Error", new Error("x"), false],
  ];
  for (const [name, e, want] of table) test(`${name} → ${want}`, () => assert.equal(isTransientS3Error(e), want));
});

describe("s3SseParams", () => {
  const sse = (type: string, kms_key_id = "", kms_encryption_context = ""): S3Config => s3({ sse: { type, kms_key_id, kms_encryption_context } });
  test("none, SSE-S3, SSE-KMS with and without a context", () => {
    assert.deepEqual(s3SseParams(sse("")), {});
    assert.deepEqual(s3SseParams(sse("SSE-S3")), { ServerSideEncryption: "AES256" });
    assert.deepEqual(s3SseParams(sse("SSE-KMS", "alias/k")), { ServerSideEncryption: "aws:kms", SSEKMSKeyId: "alias/k" });
    assert.deepEqual(s3SseParams(sse("SSE-KMS", "alias/k", '{"a":"b"}')), {
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: "alias/k",
      SSEKMSEncryptionContext: Buffer.from('{"a":"b"}').toString("base64"),
    });
  });
});
