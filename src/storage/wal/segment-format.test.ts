import assert from "node:assert/strict";
import { copyFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { nopLogger } from "../../server/logger.js";
import { crc32c } from "../encoding/crc32c.js";
import {
  FORMAT_VERSION,
  FRAME_HEADER_BYTES,
  SEGMENT_HEADER_BYTES,
  checkSegmentHeader,
  encodeSegment,
  encodeSegmentHeader,
  frameChecksum,
  frameSeed,
  parseSegmentFileName,
  segmentFileName,
} from "./segment-format.js";
import { withTempDir } from "./test-helpers.js";
import { replayWal } from "./wal-replay.js";
import { WalWriter } from "./wal-writer.js";

const GOLDEN = fileURLToPath(new URL("../../../testdata/format/wal/00000001.wal", import.meta.url));

/** The three records in the golden segment; changing the writer must not change their bytes. */
const GOLDEN_RECORDS = [
  new TextEncoder().encode("first record"),
  Uint8Array.of(0),
  Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 3) & 0xff),
];

describe("golden segment testdata/format/wal/00000001.wal", () => {
  it("is what this build encodes for the three records", async () => {
    const golden = await readFile(GOLDEN);
    assert.equal(FORMAT_VERSION, 1, "a new FORMAT_VERSION needs a new golden file and a docs/format/wal.md entry");
    assert.deepEqual(new Uint8Array(golden), encodeSegment(1, GOLDEN_RECORDS));
  });

  it("has the documented field values", async () => {
    const g = new Uint8Array(await readFile(GOLDEN));
    const dv = new DataView(g.buffer, g.byteOffset, g.byteLength);
    assert.equal(new TextDecoder().decode(g.subarray(0, 4)), "PWAL");
    assert.equal(g[4], 1, "version");
    assert.deepEqual([...g.subarray(5, 8)], [0, 0, 0], "reserved");
    assert.equal(dv.getUint32(8, true), 1, "segment number");
    assert.equal(dv.getUint32(12, true), crc32c(g.subarray(0, 12)), "header_crc");
    assert.equal(dv.getUint32(16, true), 12, "first frame length");
    assert.equal(dv.getUint32(20, true), crc32c(GOLDEN_RECORDS[0]!), "first payload_crc");
    const seqLE = Uint8Array.of(1, 0, 0, 0);
    assert.equal(dv.getUint32(24, true), crc32c(g.subarray(16, 24), crc32c(seqLE)), "first frame_crc = CRC-32C(seq ‖ length ‖ payload_crc)");
    assert.equal(g.length, SEGMENT_HEADER_BYTES + 3 * FRAME_HEADER_BYTES + 12 + 1 + 300);
  });

  it("replays to the three records at their frame offsets", async () => {
    await withTempDir(async (dir) => {
      // A copy: replay may cut files, and the golden file must stay as it is.
      await copyFile(GOLDEN, join(dir, "00000001.wal"));
      const got: Array<{ record: number[]; offset: number }> = [];
      const res = await replayWal(dir, (record, pos) => void got.push({ record: [...record], offset: pos.offset }), nopLogger());
      assert.deepEqual(got, [
        { record: [...GOLDEN_RECORDS[0]!], offset: 16 },
        { record: [0], offset: 40 },
        { record: [...GOLDEN_RECORDS[2]!], offset: 53 },
      ]);
      assert.equal(res.problems.length, 0);
    });
  });

  it("is byte for byte what WalWriter writes", async () => {
    await withTempDir(async (dir) => {
      const w = await WalWriter.open(dir);
      for (const r of GOLDEN_RECORDS) await w.append(r);
      await w.close();
      assert.deepEqual(await readFile(join(dir, "00000001.wal")), await readFile(GOLDEN));
    });
  });
});

describe("checkSegmentHeader", () => {
  const withCrc = (h: Uint8Array): Uint8Array => {
    new DataView(h.buffer).setUint32(12, crc32c(h.subarray(0, 12)), true);
    return h;
  };
  const mutate = (f: (h: Uint8Array) => void, fixCrc: boolean): Uint8Array => {
    const h = encodeSegmentHeader(7);
    f(h);
    return fixCrc ? withCrc(h) : h;
  };
  const cases: Array<{ name: string; header: Uint8Array; want: string | RegExp }> = [
    { name: "valid", header: encodeSegmentHeader(7), want: "ok" },
    { name: "wrong magic", header: mutate((h) => (h[0] = 0x51), true), want: /^wrong magic 0x51574[1]4c/ },
    { name: "zero-filled", header: new Uint8Array(16), want: /^wrong magic 0x00000000/ },
    { name: "flipped version bit is corruption, not a new version", header: mutate((h) => (h[4] = 3), false), want: /^header checksum/ },
    { name: "flipped segment number bit", header: mutate((h) => (h[8]! ^= 0x10), false), want: /^header checksum/ },
    { name: "flipped checksum bit", header: mutate((h) => (h[15]! ^= 0x80), false), want: /^header checksum/ },
    { name: "newer version with a valid checksum", header: mutate((h) => (h[4] = 2), true), want: "unsupported 2" },
    { name: "segment number not matching the file name", header: mutate((h) => (h[8] = 9), true), want: /header names segment 9 but the file name says 7/ },
    { name: "non-zero reserved bytes are ignored", header: mutate((h) => (h[6] = 1), true), want: "ok" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = checkSegmentHeader(c.header, 7);
      const text = got.kind === "corrupt" ? got.reason : got.kind === "unsupported" ? `unsupported ${got.version}` : "ok";
      if (typeof c.want === "string") assert.equal(text, c.want);
      else assert.match(text, c.want);
    });
  }
});

describe("segment file names", () => {
  const cases: Array<{ name: string; seq: number | null }> = [
    { name: "00000001.wal", seq: 1 },
    { name: "12345678.wal", seq: 12345678 },
    { name: "123456789.wal", seq: 123456789 },
    { name: "4294967295.wal", seq: 4294967295 },
    { name: "4294967296.wal", seq: null },
    { name: "000000001.wal", seq: null },
    { name: "0000001.wal", seq: null },
    { name: "00000001.wal.corrupt", seq: null },
    { name: "00000001.wal.tmp", seq: null },
    { name: "abcdefgh.wal", seq: null },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.seq}`, () => {
      assert.equal(parseSegmentFileName(c.name), c.seq);
      if (c.seq !== null) assert.equal(segmentFileName(c.seq), c.name);
    });
  }
});

describe("frame checksum", () => {
  it("binds a frame to its segment number", () => {
    const seg = encodeSegment(1, [Uint8Array.of(1, 2, 3)]);
    const at = SEGMENT_HEADER_BYTES;
    const stored = new DataView(seg.buffer).getUint32(at + 8, true);
    assert.equal(frameChecksum(seg, at, frameSeed(1)), stored);
    assert.notEqual(frameChecksum(seg, at, frameSeed(2)), stored);
  });
});
