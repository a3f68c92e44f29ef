import assert from "node:assert/strict";
import { mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { nopLogger } from "../../server/logger.js";
import { crc32c } from "../encoding/crc32c.js";
import { FRAME_HEADER_BYTES, SEGMENT_HEADER_BYTES, encodeSegment } from "./segment-format.js";
import { makeRecord, recordIndex, recordingLogger, withTempDir } from "./test-helpers.js";
import type { LogLine } from "./test-helpers.js";
import { replayWal } from "./wal-replay.js";
import type { ReplayResult } from "./wal-replay.js";

/** Frame start offsets of `records` in a segment. */
function frameOffsets(records: readonly Uint8Array[]): number[] {
  const out: number[] = [];
  let pos = SEGMENT_HEADER_BYTES;
  for (const r of records) {
    out.push(pos);
    pos += FRAME_HEADER_BYTES + r.length;
  }
  return out;
}

interface Replayed {
  result: ReplayResult;
  indexes: number[];
  lines: LogLine[];
  files: string[];
}

async function replay(dir: string): Promise<Replayed> {
  const { logger, lines } = recordingLogger();
  const indexes: number[] = [];
  const result = await replayWal(dir, (r) => void indexes.push(recordIndex(r)), logger);
  return { result, indexes, lines, files: (await readdir(dir)).sort() };
}

const levels = (lines: LogLine[], level: string): LogLine[] => lines.filter((l) => l.level === level);

// Segment 1 holds records 0..1, segment 2 (the last) holds 2..4.
const SEG1 = [makeRecord(0, 20), makeRecord(1, 9)];
const SEG2 = [makeRecord(2, 17), makeRecord(3, 5), makeRecord(4, 23)];

async function writeTwoSegments(dir: string, seg2: Uint8Array = encodeSegment(2, SEG2)): Promise<void> {
  await writeFile(join(dir, "00000001.wal"), encodeSegment(1, SEG1));
  await writeFile(join(dir, "00000002.wal"), seg2);
}

describe("replayWal after a crash mid-write (last segment cut at every byte)", () => {
  it("yields exactly the complete records, cuts the torn tail with a warning, and is clean the second time", async () => {
    const full = encodeSegment(2, SEG2);
    const ends = frameOffsets(SEG2).map((o, i) => o + FRAME_HEADER_BYTES + SEG2[i]!.length);
    await withTempDir(async (root) => {
      for (let cut = 0; cut < full.length; cut++) {
        const dir = join(root, String(cut));
        await mkdir(dir);
        await writeTwoSegments(dir, full.subarray(0, cut));
        const complete = ends.filter((e) => e <= cut).length;
        const want = [0, 1, ...[2, 3, 4].slice(0, complete)];
        const validEnd = cut < SEGMENT_HEADER_BYTES ? 0 : complete === 0 ? SEGMENT_HEADER_BYTES : ends[complete - 1]!;
        const first = await replay(dir);
        assert.deepEqual(first.indexes, want, `cut at ${cut}`);
        assert.equal((await stat(join(dir, "00000002.wal"))).size, validEnd, `file size after cut at ${cut}`);
        assert.equal(first.result.bytesCut, cut - validEnd);
        assert.deepEqual(first.files, ["00000001.wal", "00000002.wal"], "no .corrupt copy for a torn tail");
        assert.equal(levels(first.lines, "error").length, 0);
        const warns = levels(first.lines, "warn");
        if (cut === validEnd) assert.equal(warns.length, 0, `nothing torn at ${cut}`);
        else {
          assert.equal(warns.length, 1, `one warning at ${cut}`);
          assert.equal(warns[0]!["file"], join(dir, "00000002.wal"));
          assert.equal(warns[0]!["offset"], validEnd);
          assert.match(String(warns[0]!["reason"]), /partial|runs past the end/);
          assert.equal(first.result.problems[0]!.offset, validEnd);
        }
        const second = await replay(dir);
        assert.deepEqual(second.indexes, want);
        assert.equal(second.result.problems.length, 0, `second replay after cut at ${cut} is clean`);
      }
    });
  });
});

describe("replayWal detects a flipped bit in every byte", () => {
  it("never delivers a record that was not written, and reports the damage", async () => {
    const records = [makeRecord(0, 6), makeRecord(1, 7)];
    const seg = encodeSegment(1, records);
    const want = records.map((r) => [...r]);
    await withTempDir(async (root) => {
      // One bit per byte, a different bit position in consecutive bytes: every field is hit.
      for (let byte = 0; byte < seg.length; byte++) {
        const bit = byte * 8 + (byte % 8);
        const bad = seg.slice();
        bad[byte]! ^= 1 << (byte % 8);
        const dir = join(root, String(byte));
        await mkdir(dir);
        await writeFile(join(dir, "00000001.wal"), bad);
        const got: number[][] = [];
        const res = await replayWal(dir, (r) => void got.push([...r]), nopLogger());
        assert.equal(res.problems.length, 1, `bit ${bit}`);
        assert.deepEqual(got, want.slice(0, got.length), `bit ${bit}: only written records, in order`);
        assert.ok(got.length < 2, `bit ${bit}: the damaged record is not delivered`);
      }
    });
  });
});

describe("replayWal damage cases", () => {
  const seg2 = encodeSegment(2, SEG2);
  const [f2, f3, f4] = frameOffsets(SEG2) as [number, number, number];
  const flip = (pos: number, mask = 0x01): Uint8Array => {
    const b = seg2.slice();
    b[pos]! ^= mask;
    return b;
  };
  const cases: Array<{
    name: string;
    seg2: Uint8Array;
    records: number[];
    level: "warn" | "error";
    offset: number;
    reason: RegExp;
    corruptCopy: boolean;
  }> = [
    { name: "last record payload bit flip", seg2: flip(f4 + FRAME_HEADER_BYTES + 5), records: [0, 1, 2, 3], level: "warn", offset: f4, reason: /payload checksum/, corruptCopy: false },
    { name: "last record length bit flip", seg2: flip(f4, 0x40), records: [0, 1, 2, 3], level: "warn", offset: f4, reason: /frame checksum .* \(length field 87\)/, corruptCopy: false },
    { name: "last record length high bit flip", seg2: flip(f4 + 3, 0x80), records: [0, 1, 2, 3], level: "warn", offset: f4, reason: /frame checksum/, corruptCopy: false },
    { name: "last record payload_crc bit flip", seg2: flip(f4 + 4), records: [0, 1, 2, 3], level: "warn", offset: f4, reason: /frame checksum/, corruptCopy: false },
    { name: "last record frame_crc bit flip", seg2: flip(f4 + 8), records: [0, 1, 2, 3], level: "warn", offset: f4, reason: /frame checksum/, corruptCopy: false },
    { name: "zero-filled tail", seg2: concat(seg2, new Uint8Array(4096)), records: [0, 1, 2, 3, 4], level: "warn", offset: seg2.length, reason: /zero-filled frame header/, corruptCopy: false },
    { name: "random garbage tail", seg2: concat(seg2, Uint8Array.from({ length: 300 }, (_, i) => (i * 97 + 13) & 0xff)), records: [0, 1, 2, 3, 4], level: "warn", offset: seg2.length, reason: /frame checksum/, corruptCopy: false },
    { name: "first record of the last segment damaged, valid records after", seg2: flip(f2 + FRAME_HEADER_BYTES), records: [0, 1], level: "error", offset: f2, reason: /payload checksum/, corruptCopy: true },
    { name: "middle record damaged, valid record after", seg2: flip(f3 + 1), records: [0, 1, 2], level: "error", offset: f3, reason: /frame checksum/, corruptCopy: true },
    { name: "wrong magic", seg2: flip(0, 0xff), records: [0, 1], level: "error", offset: 0, reason: /wrong magic/, corruptCopy: true },
    { name: "header checksum", seg2: flip(9), records: [0, 1], level: "error", offset: 0, reason: /header checksum/, corruptCopy: true },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      await withTempDir(async (dir) => {
        await writeTwoSegments(dir, c.seg2);
        const original = await readFile(join(dir, "00000002.wal"));
        const got = await replay(dir);
        assert.deepEqual(got.indexes, c.records);
        const logged = levels(got.lines, c.level);
        assert.equal(logged.length, 1, `one ${c.level} line: ${JSON.stringify(got.lines)}`);
        assert.equal(logged[0]!["file"], join(dir, "00000002.wal"));
        assert.equal(logged[0]!["offset"], c.offset);
        assert.match(String(logged[0]!["reason"]), c.reason);
        assert.equal((await stat(join(dir, "00000002.wal"))).size, c.offset, "cut where the damage starts");
        assert.equal(got.result.bytesCut, c.seg2.length - c.offset);
        if (c.corruptCopy) {
          assert.deepEqual(got.files, ["00000001.wal", "00000002.wal", "00000002.wal.corrupt"]);
          assert.deepEqual(await readFile(join(dir, "00000002.wal.corrupt")), original, "the copy is the file as found");
          assert.deepEqual(got.result.corruptSegments, [2]);
        } else {
          assert.deepEqual(got.files, ["00000001.wal", "00000002.wal"]);
        }
        const again = await replay(dir);
        assert.deepEqual(again.indexes, c.records, "the valid prefix replays again");
        assert.equal(again.result.problems.length, 0);
      });
    });
  }

  it("damage in a middle segment: error, copy kept, later segments still replayed", async () => {
    await withTempDir(async (dir) => {
      const seg1 = encodeSegment(1, SEG1);
      seg1[frameOffsets(SEG1)[1]! + FRAME_HEADER_BYTES + 2]! ^= 0x04;
      await writeFile(join(dir, "00000001.wal"), seg1);
      await writeFile(join(dir, "00000002.wal"), encodeSegment(2, SEG2));
      const got = await replay(dir);
      assert.deepEqual(got.indexes, [0, 2, 3, 4]);
      const errors = levels(got.lines, "error");
      assert.equal(errors.length, 1);
      assert.equal(errors[0]!["file"], join(dir, "00000001.wal"));
      assert.equal(errors[0]!["offset"], frameOffsets(SEG1)[1]);
      assert.equal(errors[0]!["lastSegment"], false);
      assert.equal(errors[0]!["keptAs"], "00000001.wal.corrupt");
      assert.deepEqual(got.files, ["00000001.wal", "00000001.wal.corrupt", "00000002.wal"]);
    });
  });

  it("a torn tail in a middle segment is an error too (no crash leaves one there)", async () => {
    await withTempDir(async (dir) => {
      const seg1 = encodeSegment(1, SEG1);
      await writeTwoSegments(dir);
      await writeFile(join(dir, "00000001.wal"), seg1.subarray(0, seg1.length - 3));
      const got = await replay(dir);
      assert.deepEqual(got.indexes, [0, 2, 3, 4]);
      assert.equal(levels(got.lines, "error").length, 1);
      assert.ok(got.files.includes("00000001.wal.corrupt"));
    });
  });

  it("a second corruption of the same segment keeps a second copy", async () => {
    await withTempDir(async (dir) => {
      await writeTwoSegments(dir, flip(0, 0xff));
      await replay(dir);
      await writeFile(join(dir, "00000002.wal"), flip(0, 0xff));
      const got = await replay(dir);
      assert.ok(got.files.includes("00000002.wal.corrupt.1"), got.files.join(","));
    });
  });
});

describe("replayWal headers and empty files", () => {
  const cases: Array<{ name: string; bytes: Uint8Array; records: number[]; warn: boolean; sizeAfter: number }> = [
    { name: "zero-length last segment", bytes: new Uint8Array(0), records: [0, 1], warn: false, sizeAfter: 0 },
    { name: "header-only (empty) last segment", bytes: encodeSegment(2, []), records: [0, 1], warn: false, sizeAfter: 16 },
    { name: "partial header (1 byte)", bytes: encodeSegment(2, []).subarray(0, 1), records: [0, 1], warn: true, sizeAfter: 0 },
    { name: "partial header (15 bytes)", bytes: encodeSegment(2, []).subarray(0, 15), records: [0, 1], warn: true, sizeAfter: 0 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      await withTempDir(async (dir) => {
        await writeTwoSegments(dir, c.bytes);
        const got = await replay(dir);
        assert.deepEqual(got.indexes, c.records);
        assert.equal(got.result.segments, 2);
        assert.equal(levels(got.lines, "warn").length, c.warn ? 1 : 0);
        assert.equal(levels(got.lines, "error").length, 0);
        assert.equal((await stat(join(dir, "00000002.wal"))).size, c.sizeAfter);
      });
    });
  }

  it("empty and zero-length middle segments are skipped without complaint", async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, "00000001.wal"), new Uint8Array(0));
      await writeFile(join(dir, "00000002.wal"), encodeSegment(2, []));
      await writeFile(join(dir, "00000003.wal"), encodeSegment(3, [makeRecord(9)]));
      const got = await replay(dir);
      assert.deepEqual(got.indexes, [9]);
      assert.equal(got.result.segments, 3);
      assert.equal(got.lines.filter((l) => l.level === "warn" || l.level === "error").length, 0);
    });
  });

  it("a segment of a newer format version stops replay with an error naming the version", async () => {
    await withTempDir(async (dir) => {
      const seg = encodeSegment(2, SEG2);
      seg[4] = 2;
      new DataView(seg.buffer).setUint32(12, crc32c(seg.subarray(0, 12)), true);
      await writeTwoSegments(dir, seg);
      await assert.rejects(replayWal(dir, () => undefined, nopLogger()), (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.match(err.message, /replay wal segment 00000002\.wal/);
        assert.match(String((err.cause as Error).message), /format version 2; this build reads version 1/);
        return true;
      });
      assert.deepEqual(await readFile(join(dir, "00000002.wal")), Buffer.from(seg), "the newer file is left untouched");
    });
  });

  it("a missing directory replays nothing", async () => {
    await withTempDir(async (dir) => {
      const got = await replayWal(join(dir, "absent"), () => assert.fail("no records"), nopLogger());
      assert.deepEqual([got.records, got.segments], [0, 0]);
    });
  });
});

describe("replayWal callback", () => {
  it("awaits an async callback before the next record and reports positions", async () => {
    await withTempDir(async (dir) => {
      await writeTwoSegments(dir);
      const seen: string[] = [];
      await replayWal(
        dir,
        async (r, pos) => {
          await new Promise((res) => setTimeout(res, 1));
          seen.push(`${recordIndex(r)}@${pos.segment}:${pos.offset}`);
        },
        nopLogger(),
      );
      const o1 = frameOffsets(SEG1);
      const o2 = frameOffsets(SEG2);
      assert.deepEqual(seen, [`0@1:${o1[0]}`, `1@1:${o1[1]}`, `2@2:${o2[0]}`, `3@2:${o2[1]}`, `4@2:${o2[2]}`]);
    });
  });

  it("an error from the callback rejects replay, naming the segment", async () => {
    await withTempDir(async (dir) => {
      await writeTwoSegments(dir);
      await assert.rejects(
        replayWal(dir, (r) => {
          if (recordIndex(r) === 3) throw new Error("decode failed");
        }, nopLogger()),
        /replay wal segment 00000002\.wal/,
      );
    });
  });
});

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
