import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../errors.js";
import { JfrByteReader } from "./byte-reader.js";
import { JfrBytes } from "./test-jfr-writer.js";

function reader(b: JfrBytes): JfrByteReader {
  const bytes = b.finish();
  return new JfrByteReader(bytes, 0, bytes.length, b.compressed);
}

const LONGS: Array<[bigint, number]> = [
  [0n, 0],
  [1n, 1],
  [127n, 127],
  [128n, 128],
  [(1n << 28n) - 1n, 2 ** 28 - 1],
  [1n << 28n, 2 ** 28],
  [1n << 35n, 2 ** 35],
  [(1n << 53n) - 1n, Number.MAX_SAFE_INTEGER],
  [-1n, -1],
  [-2n, -2],
  [-(1n << 40n), -(2 ** 40)],
  [-(1n << 63n), -(2 ** 63)],
];

describe("JfrByteReader", () => {
  for (const compressed of [true, false]) {
    it(`reads longs, ints and shorts (${compressed ? "compressed" : "fixed-width"})`, () => {
      for (const [v, want] of LONGS) {
        const r = reader(new JfrBytes(compressed).long(v).int(-7).int(0x7fffffff).short(0xbeef));
        assert.equal(r.long("x"), want, String(v));
        assert.equal(r.int("x"), -7);
        assert.equal(r.int("x"), 0x7fffffff);
        assert.equal(r.short("x"), 0xbeef);
        assert.equal(r.remaining, 0);
      }
    });

    it(`gives every 64-bit id its own key (${compressed ? "compressed" : "fixed-width"})`, () => {
      const ids = [5n, 1n << 52n, (1n << 53n) + 1n, (1n << 53n) + 2n, (1n << 63n) + 1n, (1n << 64n) - 1n];
      const b = new JfrBytes(compressed);
      for (const id of [...ids, ...ids]) b.long(id);
      const r = reader(b);
      const keys = [...ids, ...ids].map(() => r.id("id"));
      assert.deepEqual(keys.slice(0, ids.length), keys.slice(ids.length), "same id, same key");
      assert.equal(new Set(keys).size, ids.length, "distinct ids, distinct keys");
      assert.equal(keys[0], 5);
      assert.equal(keys[1], 2 ** 52);
    });
  }

  it("reads an int written sign-extended or as 32 unsigned bits alike", () => {
    const r = reader(new JfrBytes().long(-1).long(0xffffffff));
    assert.equal(r.int("x"), -1);
    assert.equal(r.int("x"), -1);
  });

  it("reads every string encoding", () => {
    const b = new JfrBytes().string("", 0).string("", 1).string("héllo ☃").string("chars ☃", 4).string("latin é", 5).u8(2).long(9);
    const r = reader(b);
    r.stringPool.set(9, "pooled");
    assert.deepEqual([r.string("s"), r.string("s"), r.string("s"), r.string("s"), r.string("s"), r.string("s")], ["", "", "héllo ☃", "chars ☃", "latin é", "pooled"]);
    assert.equal(r.unresolvedStringRef, false);
    const again = reader(b);
    for (let i = 0; i < 6; i++) again.skipString("s");
    assert.equal(again.remaining, 0);
  });

  it("builds long strings without exhausting the stack", () => {
    const s = "x".repeat(300_000);
    assert.equal(reader(new JfrBytes().string(s, 4)).string("s"), s);
    assert.equal(reader(new JfrBytes().string(s, 5)).string("s"), s);
  });

  it("notes a string-pool reference it cannot resolve yet", () => {
    const r = reader(new JfrBytes().u8(2).long(3));
    assert.equal(r.string("s"), "");
    assert.equal(r.unresolvedStringRef, true);
  });

  it("rejects truncation, unknown string encodings and counts larger than what is left", () => {
    const cases: Array<[string, JfrBytes, (r: JfrByteReader) => unknown]> = [
      ["truncated varint", new JfrBytes().u8(0x80).u8(0x80), (r) => r.long("x")],
      ["truncated fixed long", new JfrBytes(false).u8(1).u8(2), (r) => r.long("x")],
      ["truncated byte", new JfrBytes(), (r) => r.u8("x")],
      ["unknown encoding", new JfrBytes().u8(9), (r) => r.string("x")],
      ["string longer than the input", new JfrBytes().u8(3).int(10).u8(65), (r) => r.string("x")],
      ["negative count", new JfrBytes().long(-3), (r) => r.count("x", 1)],
      ["count past the end", new JfrBytes().int(5).u8(1).u8(1), (r) => r.count("x", 1)],
      ["skip past the end", new JfrBytes().u8(1), (r) => r.skip(2, "x")],
    ];
    for (const [what, b, read] of cases) assert.throws(() => read(reader(b)), InvalidArgumentError, what);
  });

  it("never reads past `end`, even with more bytes in the buffer", () => {
    const bytes = new JfrBytes().u8(0x81).u8(0x01).finish();
    const r = new JfrByteReader(bytes, 0, 1);
    assert.throws(() => r.long("x"), /truncated at byte 0/);
  });
});
