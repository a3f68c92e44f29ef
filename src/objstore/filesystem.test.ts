import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, describe, test } from "node:test";
import { NotFoundError } from "../model/errors.js";
import { createFilesystemBucket } from "./filesystem.js";

const root = mkdtempSync(join(tmpdir(), "phlare-fs-test-"));
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
async function fresh() {
  const dir = join(root, String(n++));
  return { dir, bucket: await createFilesystemBucket({ dir }) };
}

describe("filesystem bucket", () => {
  test("creates its directory; objects are plain files at their key's path", async () => {
    const { dir, bucket } = await fresh();
    await bucket.put("t/phlaredb/01H/meta.json", new TextEncoder().encode("{}"));
    assert.deepEqual(readdirSync(join(dir, "t", "phlaredb", "01H")), ["meta.json"]);
  });

  test("put and upload leave no temporary files behind", async () => {
    const { dir, bucket } = await fresh();
    await bucket.put("a/x", new Uint8Array(10));
    await bucket.put("a/x", new Uint8Array(20));
    await bucket.upload("a/y", () => Readable.from([Buffer.from("ab")]));
    assert.deepEqual(readdirSync(join(dir, "a")).sort(), ["x", "y"]);
  });

  test("a failed upload keeps the old object and leaves no temporary file", async () => {
    const { dir, bucket } = await fresh();
    await bucket.put("a/x", new TextEncoder().encode("old"));
    const failing = async function* () {
      yield Buffer.from("partial");
      throw new Error("source broke");
    };
    await assert.rejects(bucket.upload("a/x", failing), /source broke/);
    assert.equal(Buffer.from(await bucket.get("a/x")).toString(), "old");
    assert.deepEqual(readdirSync(join(dir, "a")), ["x"]);
  });

  test("leftover temporary files (a crash mid-put) are not listed", async () => {
    const { dir, bucket } = await fresh();
    await bucket.put("a/x", new Uint8Array(1));
    writeFileSync(join(dir, "a", ".x.tmp-0123456789abcdef"), "torn");
    assert.deepEqual((await bucket.list("a/")).objects.map((o) => o.key), ["a/x"]);
    assert.deepEqual((await bucket.list("", { delimiter: "/" })).prefixes, ["a/"]);
  });

  test("delete removes directories left empty, up to the root", async () => {
    const { dir, bucket } = await fresh();
    await bucket.put("a/b/c/d", new Uint8Array(1));
    await bucket.put("a/keep", new Uint8Array(1));
    await bucket.delete("a/b/c/d");
    assert.equal(existsSync(join(dir, "a", "b")), false);
    assert.equal(existsSync(join(dir, "a", "keep")), true);
    assert.equal(existsSync(dir), true);
  });

  test("a directory is not an object; empty directories are not prefixes", async () => {
    const { dir, bucket } = await fresh();
    await bucket.put("a/b/c", new Uint8Array(1));
    await assert.rejects(bucket.get("a/b"), NotFoundError);
    await assert.rejects(bucket.getRange("a/b", 0, 1), NotFoundError);
    await assert.rejects(bucket.attributes("a/b"), NotFoundError);
    assert.equal(await bucket.exists("a/b"), false);
    rmSync(join(dir, "a", "b", "c"));
    assert.deepEqual(await bucket.list("a/", { delimiter: "/" }), { objects: [], prefixes: [] });
  });

  test("concurrent puts and deletes in one directory all succeed", async () => {
    const { bucket } = await fresh();
    const ops = Array.from({ length: 60 }, (_, i) =>
      i % 2 === 0 ? bucket.put(`d/${i}`, new Uint8Array([i])) : bucket.delete(`d/${i - 1}`),
    );
    await Promise.all(ops);
    for (let i = 0; i < 60; i += 2) await bucket.put(`d/${i}`, new Uint8Array([i]));
    assert.equal((await bucket.list("d/")).objects.length, 30);
  });
});
