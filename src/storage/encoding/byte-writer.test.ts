import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ByteReader } from "./byte-reader.js";
import { ByteWriter } from "./byte-writer.js";

describe("ByteWriter", () => {
  it("writes the documented little-endian layout", () => {
    const w = new ByteWriter(16)
      .u8(0xab)
      .u32(0x01020304)
      .u64(0x0102030405060708n)
      .uvarint(300)
      .varint(-2)
      .bytes(Uint8Array.of(9, 8))
      .string("hé");
    assert.deepEqual(
      [...w.view()],
      [0xab, 4, 3, 2, 1, 8, 7, 6, 5, 4, 3, 2, 1, 0xac, 0x02, 3, 2, 9, 8, 3, 0x68, 0xc3, 0xa9],
    );
  });

  it("round-trips every kind of field through ByteReader, across growth", () => {
    const w = new ByteWriter(16);
    const long = "ünïcødé ".repeat(40);
    for (let i = 0; i < 200; i++) {
      w.u8(i & 0xff).u32(i * 65537).u64(BigInt(i) << 40n).i64(-BigInt(i)).f64(i / 3);
      w.uvarint(i * 1_000_003).varint(3 - i * 7).uvarintBig(BigInt(i) << 50n).varintBig(-(BigInt(i) << 50n));
      w.raw(Uint8Array.of(i & 0xff)).bytes(new Uint8Array(i % 5).fill(7)).string(i % 2 === 0 ? `s${i}` : long);
    }
    const r = new ByteReader(w.view());
    for (let i = 0; i < 200; i++) {
      assert.equal(r.u8(), i & 0xff);
      assert.equal(r.u32(), (i * 65537) >>> 0);
      assert.equal(r.u64(), BigInt(i) << 40n);
      assert.equal(r.i64(), -BigInt(i));
      assert.equal(r.f64(), i / 3);
      assert.equal(r.uvarint(), i * 1_000_003);
      assert.equal(r.varint(), 3 - i * 7);
      assert.equal(r.uvarintBig(), BigInt(i) << 50n);
      assert.equal(r.varintBig(), -(BigInt(i) << 50n));
      assert.deepEqual([...r.raw(1)], [i & 0xff]);
      assert.deepEqual([...r.bytes()], new Array<number>(i % 5).fill(7));
      assert.equal(r.string(), i % 2 === 0 ? `s${i}` : long);
    }
    assert.ok(r.done);
  });

  it("encodes strings of every short length with a one-byte prefix, longer ones with the exact length", () => {
    for (const s of ["", "a", "€".repeat(42), "€".repeat(43), "x".repeat(127), "x".repeat(128), "😀".repeat(30)]) {
      const w = new ByteWriter().string(s);
      const n = Buffer.byteLength(s);
      assert.equal(w.length, (n < 128 ? 1 : 2) + n, JSON.stringify(s.slice(0, 4)));
      assert.equal(new ByteReader(w.view()).string(), s);
    }
  });

  it("patches a u32 written earlier and refuses one outside what was written", () => {
    const w = new ByteWriter().u32(0).u8(1);
    w.setU32(0, 0xdeadbeef);
    assert.deepEqual([...w.view()], [0xef, 0xbe, 0xad, 0xde, 1]);
    assert.throws(() => w.setU32(2, 0), RangeError);
  });

  it("finish copies; reset keeps the capacity", () => {
    const w = new ByteWriter(16).u32(7);
    const out = w.finish();
    w.reset();
    w.u32(9);
    assert.deepEqual([...out], [7, 0, 0, 0]);
    assert.equal(w.length, 4);
    assert.ok(w.capacity >= 16);
  });
});
