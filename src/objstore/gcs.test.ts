import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError } from "../model/errors.js";
import type { GcsConfig } from "./config.js";
import { isTransientGcsError, validateGcsConfig } from "./gcs.js";

describe("isTransientGcsError", () => {
  const api = (code: number): unknown => Object.assign(new Error(`HTTP ${code}`), { code });
  const table: Array<[string, unknown, boolean]> = [
    ["503", api(503), true],
    ["500", api(500), true],
    ["429", api(429), true],
    ["408", api(408), true],
    ["404", api(404), false],
    ["403", api(403), false],
    ["412", api(412), false],
    ["gaxios response 502", Object.assign(new Error("bad gateway"), { response: { status: 502 } }), true],
    ["ECONNRESET", Object.assign(new Error("reset"), { code: "ECONNRESET" }), true],
    ["plain", new Error("x"), false],
  ];
  for (const [name, err, want] of table) test(`${name} → ${want}`, () => assert.equal(isTransientGcsError(err), want));
});

describe("validateGcsConfig", () => {
  const base: GcsConfig = { bucket_name: "b", service_account: "", endpoint: "" };
  test("accepts no credentials (Google default logic) and a JSON key", () => {
    assert.equal(validateGcsConfig(base), undefined);
    assert.deepEqual(validateGcsConfig({ ...base, service_account: '{"type":"service_account","project_id":"p"}' }), {
      type: "service_account",
      project_id: "p",
    });
  });
  const bad: Array<[string, GcsConfig, string]> = [
    ["no bucket", { ...base, bucket_name: "" }, "storage.gcs.bucket_name"],
    ["a path instead of JSON", { ...base, service_account: "/keys/sa.json" }, "storage.gcs.service_account"],
    ["a JSON array", { ...base, service_account: "[1]" }, "storage.gcs.service_account"],
    ["a bad endpoint", { ...base, endpoint: "not a url" }, "storage.gcs.endpoint"],
  ];
  for (const [name, cfg, path] of bad) {
    test(`rejects ${name}`, () => assert.throws(() => validateGcsConfig(cfg), (e: unknown) => e instanceof ConfigError && e.path === path));
  }
});
