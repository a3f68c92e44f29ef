import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { applyFlag, defaultsOf, getPath } from "../config/field.js";
import { storeGatewayFields } from "./config.js";

describe("store-gateway config", () => {
  test("defaults: Phlare's 15m sync, no age filter, 1 GiB loaded", () => {
    const tree = defaultsOf(storeGatewayFields);
    assert.equal(getPath(tree, "store_gateway.bucket_store.sync_interval"), 15 * 60_000);
    assert.equal(getPath(tree, "store_gateway.bucket_store.ignore_blocks_within"), 0);
    assert.equal(getPath(tree, "store_gateway.max_loaded_bytes"), 1 << 30);
  });

  const cases: [string, string, string, unknown][] = [
    ["blocks-storage.bucket-store.sync-interval", "1m30s", "store_gateway.bucket_store.sync_interval", 90_000],
    ["blocks-storage.bucket-store.ignore-blocks-within", "2h", "store_gateway.bucket_store.ignore_blocks_within", 7_200_000],
    ["store-gateway.max-loaded-bytes", "268435456", "store_gateway.max_loaded_bytes", 268_435_456],
  ];
  for (const [flag, raw, path, want] of cases) {
    test(`-${flag}=${raw}`, () => {
      const tree = defaultsOf(storeGatewayFields);
      const field = storeGatewayFields.find((f) => f.flag === flag);
      assert.ok(field);
      applyFlag(tree, field, raw);
      assert.equal(getPath(tree, path), want);
    });
  }

  const rejected: [string, string][] = [
    ["blocks-storage.bucket-store.sync-interval", "0s"],
    ["store-gateway.max-loaded-bytes", "-1"],
    ["blocks-storage.bucket-store.sync-interval", "15"],
  ];
  for (const [flag, raw] of rejected) {
    test(`rejects -${flag}=${raw}`, () => {
      const field = storeGatewayFields.find((f) => f.flag === flag);
      assert.ok(field);
      assert.throws(() => applyFlag(defaultsOf(storeGatewayFields), field, raw));
    });
  }
});
