import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { syncDir, syncFile, writeSynced } from "./durable-file.js";
import { withTempDir } from "./wal/test-helpers.js";

describe("durable-file", () => {
  it("syncDir syncs a directory and fails for a missing one", async () => {
    await withTempDir(async (dir) => {
      await syncDir(dir);
      await assert.rejects(syncDir(join(dir, "missing")), /ENOENT/);
    });
  });

  it("syncFile syncs an existing file and fails for a missing one", async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, "f"), "x");
      await syncFile(join(dir, "f"));
      await assert.rejects(syncFile(join(dir, "missing")), /ENOENT/);
    });
  });

  it("writeSynced replaces a file, or with wx refuses an existing one", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "f");
      await writeSynced(path, Uint8Array.of(1, 2, 3));
      await writeSynced(path, Uint8Array.of(4));
      assert.deepEqual([...(await readFile(path))], [4]);
      await assert.rejects(writeSynced(path, Uint8Array.of(5), "wx"), /EEXIST/);
      assert.deepEqual([...(await readFile(path))], [4]);
    });
  });
});
