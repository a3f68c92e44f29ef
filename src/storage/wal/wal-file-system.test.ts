import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { withTempDir } from "./test-helpers.js";
import { nodeWalFileSystem } from "./wal-file-system.js";

describe("nodeWalFileSystem", () => {
  it("creates a file exclusively and writes at a position", async () => {
    await withTempDir(async (dir) => {
      const fs = nodeWalFileSystem();
      const path = join(dir, "00000001.wal");
      const f = await fs.createFile(path);
      await f.write(Uint8Array.of(1, 2, 3, 4), 1, 2, 5);
      await f.datasync();
      await f.close();
      assert.deepEqual([...(await readFile(path))], [0, 0, 0, 0, 0, 2, 3]);
      await assert.rejects(fs.createFile(path), /EEXIST/, "an existing segment is never overwritten");
    });
  });
});
