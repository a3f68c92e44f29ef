import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { InvalidArgumentError } from "../model/errors.js";
import { createFilesystemBucket } from "./filesystem.js";
import { isValidStoragePrefix, PrefixedBucket } from "./prefixed-bucket.js";

const root = mkdtempSync(join(tmpdir(), "phlare-prefixed-test-"));
after(() => rmSync(root, { recursive: true, force: true }));

describe("PrefixedBucket", () => {
  const table: Array<[string, boolean]> = [
    ["abc", true],
    ["ABC123", true],
    ["", false],
    ["a/b", false],
    ["a-b", false],
    ["a_b", false],
    ["ü", false],
  ];
  for (const [prefix, ok] of table) {
    test(`prefix ${JSON.stringify(prefix)} is ${ok ? "accepted" : "rejected"}`, () => assert.equal(isValidStoragePrefix(prefix), ok));
  }

  test("stores under <prefix>/ and lists without it", async () => {
    const inner = await createFilesystemBucket({ dir: root });
    const bucket = new PrefixedBucket(inner, "p1");
    await bucket.put("t/x", new Uint8Array([1]));
    assert.equal(await inner.exists("p1/t/x"), true);
    assert.deepEqual((await bucket.list("")).objects.map((o) => o.key), ["t/x"]);
    assert.deepEqual((await bucket.list("", { delimiter: "/" })).prefixes, ["t/"]);
    assert.deepEqual((await inner.list("", { delimiter: "/" })).prefixes, ["p1/"]);
  });

  test("rejects a bad prefix and bad keys", async () => {
    const inner = await createFilesystemBucket({ dir: root });
    assert.throws(() => new PrefixedBucket(inner, "a/b"), InvalidArgumentError);
    await assert.rejects(new PrefixedBucket(inner, "p").get("../x"), InvalidArgumentError);
  });
});
