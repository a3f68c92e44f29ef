import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { applyFlag, defaultsOf, getPath } from "../config/field.js";
import { querierFields } from "./config.js";

describe("querier config", () => {
  test("-querier.max-concurrent sets frontend_worker.max_concurrent, as in Phlare", () => {
    const tree = defaultsOf(querierFields);
    const field = querierFields.find((f) => f.flag === "querier.max-concurrent");
    assert.ok(field);
    applyFlag(tree, field, "16");
    assert.equal(getPath(tree, "frontend_worker.max_concurrent"), 16);
  });

  test("query_store_after takes a Go duration", () => {
    const tree = defaultsOf(querierFields);
    const field = querierFields.find((f) => f.flag === "querier.query-store-after");
    assert.ok(field);
    applyFlag(tree, field, "30m");
    assert.equal(getPath(tree, "querier.query_store_after"), 30 * 60_000);
  });
});
