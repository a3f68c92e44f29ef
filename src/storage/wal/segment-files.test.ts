import assert from "node:assert/strict";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { deleteSegmentsBefore, listSegments, segmentPath } from "./segment-files.js";
import { encodeSegment } from "./segment-format.js";
import { withTempDir } from "./test-helpers.js";

const FILES = ["00000003.wal", "00000001.wal", "00000010.wal", "00000002.wal.corrupt", "notes.txt", "0000002.wal", "00000004.wal.tmp"];

async function populate(dir: string): Promise<void> {
  for (const name of FILES) await writeFile(join(dir, name), encodeSegment(1, []));
}

describe("listSegments", () => {
  it("lists canonical segment names in numeric order, ignoring everything else", async () => {
    await withTempDir(async (dir) => {
      await populate(dir);
      assert.deepEqual(await listSegments(dir), [1, 3, 10]);
    });
  });

  it("returns nothing for a missing directory", async () => {
    await withTempDir(async (dir) => assert.deepEqual(await listSegments(join(dir, "nope")), []));
  });

  it("segmentPath pads to 8 digits", () => {
    assert.equal(segmentPath("/d", 42), join("/d", "00000042.wal"));
  });
});

describe("deleteSegmentsBefore", () => {
  const cases: Array<{ before: number; deleted: number[]; left: number[] }> = [
    { before: 0, deleted: [], left: [1, 3, 10] },
    { before: 1, deleted: [], left: [1, 3, 10] },
    { before: 3, deleted: [1], left: [3, 10] },
    { before: 4, deleted: [1, 3], left: [10] },
    { before: 11, deleted: [1, 3, 10], left: [] },
  ];
  for (const c of cases) {
    it(`before ${c.before} deletes ${JSON.stringify(c.deleted)} and never other files`, async () => {
      await withTempDir(async (dir) => {
        await populate(dir);
        assert.deepEqual(await deleteSegmentsBefore(dir, c.before), c.deleted);
        assert.deepEqual(await listSegments(dir), c.left);
        const others = (await readdir(dir)).filter((n) => !/^\d{8}\.wal$/.test(n)).sort();
        assert.deepEqual(others, ["00000002.wal.corrupt", "00000004.wal.tmp", "0000002.wal", "notes.txt"]);
      });
    });
  }
});
