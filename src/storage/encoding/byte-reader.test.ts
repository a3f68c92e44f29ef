import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CorruptionError } from "../../model/errors.js";
import { ByteReader } from "./byte-reader.js";

describe("ByteReader corruption", () => {
  const cases: Array<{ name: string; bytes: number[]; read: (r: ByteReader) => unknown; offset: number; match: RegExp }> = [
    { name: "u8 at the end", bytes: [], read: (r) => r.u8(), offset: 100, match: /u8 needs 1 bytes, 0 left/ },
    { name: "truncated u32", bytes: [1, 2, 3], read: (r) => r.u32(), offset: 100, match: /u32 needs 4 bytes, 3 left/ },
    { name: "truncated u64", bytes: [1, 2, 3, 4, 5, 6, 7], read: (r) => r.u64(), offset: 100, match: /u64 needs 8/ },
    { name: "uvarint cut short", bytes: [0x80, 0x80], read: (r) => r.uvarint(), offset: 100, match: /runs past the end after 2 bytes/ },
    { name: "uvarint too long for 53 bits", bytes: new Array<number>(9).fill(0x80), read: (r) => r.uvarint(), offset: 100, match: /longer than 8 bytes/ },
    { name: "uvarint above 2^53-1", bytes: [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10], read: (r) => r.uvarint(), offset: 100, match: /exceeds 2\^53-1/ },
    { name: "uvarint above 2^64-1", bytes: [...new Array<number>(9).fill(0xff), 0x02], read: (r) => r.uvarintBig(), offset: 100, match: /exceeds 2\^64-1/ },
    { name: "bytes longer than the buffer", bytes: [5, 1, 2], read: (r) => r.bytes(), offset: 100, match: /byte string of 5 bytes runs past the end \(2 left\)/ },
    { name: "string longer than the buffer", bytes: [4, 0x61], read: (r) => r.string(), offset: 100, match: /string of 4 bytes runs past the end/ },
    { name: "string not UTF-8", bytes: [2, 0xc3, 0x28], read: (r) => r.string(), offset: 100, match: /not valid UTF-8/ },
    { name: "raw past the end", bytes: [1], read: (r) => r.raw(2), offset: 100, match: /2-byte field needs 2 bytes, 1 left/ },
  ];
  for (const c of cases) {
    it(`${c.name}: CorruptionError with file and offset`, () => {
      const r = new ByteReader(Uint8Array.from(c.bytes), "seg.bin", 100);
      assert.throws(
        () => c.read(r),
        (err: unknown) => {
          assert.ok(err instanceof CorruptionError);
          assert.equal(err.file, "seg.bin");
          assert.equal(err.offset, c.offset);
          assert.match(err.message, c.match);
          return true;
        },
      );
    });
  }

  it("reports the offset of the failing field, not of the buffer start", () => {
    const r = new ByteReader(Uint8Array.of(1, 2, 3, 4, 0x80), "f", 10);
    r.u32();
    assert.throws(() => r.uvarint(), (err: unknown) => err instanceof CorruptionError && err.offset === 14);
  });

  it("reads from a view with a byte offset into a larger buffer", () => {
    const backing = Uint8Array.of(0xff, 0xff, 1, 0, 0, 0, 0xff);
    const r = new ByteReader(backing.subarray(2, 6));
    assert.equal(r.u32(), 1);
    assert.ok(r.done);
    assert.equal(r.remaining, 0);
  });

  it("skip and offset track the position", () => {
    const r = new ByteReader(new Uint8Array(10), "f", 1000);
    r.skip(3);
    assert.equal(r.offset, 1003);
    assert.throws(() => r.skip(8), CorruptionError);
  });
});
