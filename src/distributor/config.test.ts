import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError } from "../model/errors.js";
import { applyYaml, defaultsOf, getPath } from "../config/field.js";
import { distributorFields } from "./config.js";

describe("distributor config", () => {
  test("the replication factor lives in the ingester ring section", () => {
    const tree = defaultsOf(distributorFields);
    const yaml = { ingester: { lifecycler: { ring: { replication_factor: 3 } } }, distributor: { pushtimeout: "1s" } };
    applyYaml(tree, yaml, distributorFields, true);
    assert.equal(getPath(tree, "ingester.lifecycler.ring.replication_factor"), 3);
    assert.equal(getPath(tree, "distributor.pushtimeout"), 1000);
  });

  test("a replication factor below 1 is rejected", () => {
    const yaml = { ingester: { lifecycler: { ring: { replication_factor: 0 } } } };
    assert.throws(() => applyYaml(defaultsOf(distributorFields), yaml, distributorFields, true), {
      name: ConfigError.name,
      message: "ingester.lifecycler.ring.replication_factor: replication factor must be at least 1, got 0",
    });
  });
});
