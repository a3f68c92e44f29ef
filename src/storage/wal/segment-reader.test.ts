import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { FRAME_HEADER_BYTES, SEGMENT_HEADER_BYTES, encodeSegment } from "./segment-format.js";
import { scanSegment } from "./segment-reader.js";
import { makeRecord, recordIndex, withTempDir } from "./test-helpers.js";

/** Sizes that straddle the 1 MiB read window in every way: many small, one over a window, exact fits. */
const SIZES = [
  { name: "many small records across window edges", sizes: Array.from({ length: 3000 }, (_, i) => 300 + ((i * 37) % 900)) },
  { name: "one record larger than the window", sizes: [100, (1 << 20) + 5000, 100] },
  { name: "a frame ending exactly at the window edge", sizes: [(1 << 20) - SEGMENT_HEADER_BYTES - FRAME_HEADER_BYTES, 64, 64] },
];

async function scanAll(path: string, seq: number): Promise<{ records: Uint8Array[]; offsets: number[]; scan: Awaited<ReturnType<typeof scanSegment>> }> {
  const records: Uint8Array[] = [];
  const offsets: number[] = [];
  const scan = await scanSegment(path, seq, (r, off) => {
    records.push(r);
    offsets.push(off);
  });
  return { records, offsets, scan };
}

describe("scanSegment", () => {
  for (const c of SIZES) {
    it(`reads back ${c.name}`, async () => {
      await withTempDir(async (dir) => {
        const want = c.sizes.map((n, i) => makeRecord(i, n));
        const bytes = encodeSegment(3, want);
        const path = join(dir, "00000003.wal");
        await writeFile(path, bytes);
        const { records, offsets, scan } = await scanAll(path, 3);
        assert.equal(scan.problem, null);
        assert.equal(records.length, want.length);
        for (let i = 0; i < want.length; i++) assert.deepEqual(records[i], want[i], `record ${i}`);
        assert.equal(offsets[0], SEGMENT_HEADER_BYTES);
        assert.equal(scan.validBytes, bytes.length);
        assert.equal(scan.payloadBytes, c.sizes.reduce((a, b) => a + b, 0));
      });
    });
  }

  it("hands out records the caller owns (not views of a reused buffer)", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "00000001.wal");
      await writeFile(path, encodeSegment(1, [makeRecord(0), makeRecord(1)]));
      const { records } = await scanAll(path, 1);
      assert.deepEqual(records.map(recordIndex), [0, 1]);
      assert.equal(records[0]!.byteOffset, 0);
      assert.equal(records[0]!.buffer.byteLength, records[0]!.length);
    });
  });

  it("finds the next valid frame far past the damage, across read windows", async () => {
    await withTempDir(async (dir) => {
      const want = Array.from({ length: 400 }, (_, i) => makeRecord(i, 7000));
      const bytes = encodeSegment(1, want);
      // Overwrite records 10..199 (1.3 MB, more than a read window) with garbage; 200.. are intact.
      const frame = FRAME_HEADER_BYTES + 7000;
      const at = SEGMENT_HEADER_BYTES + 10 * frame;
      for (let p = at; p < at + 190 * frame; p++) bytes[p] = (p * 2654435761) >>> 24;
      const path = join(dir, "00000001.wal");
      await writeFile(path, bytes);
      const { records, scan } = await scanAll(path, 1);
      assert.equal(records.length, 10);
      assert.deepEqual(scan.problem, {
        offset: at,
        reason: scan.problem?.reason,
        torn: false,
        nextFrameOffset: at + 190 * frame,
      });
      assert.match(scan.problem!.reason, /frame checksum/);
    });
  });

  it("does not mistake a frame of another segment for a valid one", async () => {
    await withTempDir(async (dir) => {
      // Segment 2 whose tail holds a frame copied from segment 1, as a reused disk block would.
      const own = encodeSegment(2, [makeRecord(0)]);
      const foreign = encodeSegment(1, [makeRecord(1)]).subarray(SEGMENT_HEADER_BYTES);
      const bytes = new Uint8Array(own.length + foreign.length);
      bytes.set(own);
      bytes.set(foreign, own.length);
      const path = join(dir, "00000002.wal");
      await writeFile(path, bytes);
      const { records, scan } = await scanAll(path, 2);
      assert.deepEqual(records.map(recordIndex), [0]);
      assert.equal(scan.problem?.offset, own.length);
      assert.equal(scan.problem?.torn, true);
    });
  });
});
