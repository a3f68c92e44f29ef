import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError } from "../model/errors.js";
import { applyYaml, defaultsOf, getPath } from "../config/field.js";
import { ingesterFields } from "./config.js";

describe("ingester config", () => {
  test("phlaredb keys", () => {
    const tree = defaultsOf(ingesterFields);
    const phlaredb = { data_path: "/d", max_block_duration: "3h", max_block_bytes: 4096, row_group_target_size: 1024 };
    applyYaml(tree, { phlaredb }, ingesterFields, true);
    assert.deepEqual(getPath(tree, "phlaredb"), { ...phlaredb, max_block_duration: 3 * 3_600_000 });
  });

  const bad: Array<{ name: string; yaml: Record<string, unknown>; message: string }> = [
    {
      name: "zero block duration",
      yaml: { max_block_duration: "0s" },
      message: "phlaredb.max_block_duration: max block duration must be positive",
    },
    {
      name: "zero row group size",
      yaml: { row_group_target_size: 0 },
      message: "phlaredb.row_group_target_size: row group target size must be positive",
    },
  ];
  for (const c of bad) {
    test(`rejects ${c.name}`, () => {
      assert.throws(
        () => applyYaml(defaultsOf(ingesterFields), { phlaredb: c.yaml }, ingesterFields, true),
        (err: unknown) => err instanceof ConfigError && err.message === c.message,
      );
    });
  }
});
