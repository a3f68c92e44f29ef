import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ByteReader } from "./byte-reader.js";
import { ByteWriter } from "./byte-writer.js";
import {
  putUvarint,
  putUvarintBig,
  uvarintLength,
  zigzagDecode,
  zigzagDecodeBig,
  zigzagEncode,
  zigzagEncodeBig,
} from "./varint.js";

describe("uvarint", () => {
  const cases: Array<{ value: number; bytes: number[] }> = [
    { value: 0, bytes: [0x00] },
    { value: 1, bytes: [0x01] },
    { value: 127, bytes: [0x7f] },
    { value: 128, bytes: [0x80, 0x01] },
    { value: 300, bytes: [0xac, 0x02] },
    { value: 16383, bytes: [0xff, 0x7f] },
    { value: 16384, bytes: [0x80, 0x80, 0x01] },
    { value: 2 ** 31 - 1, bytes: [0xff, 0xff, 0xff, 0xff, 0x07] },
    { value: 2 ** 32, bytes: [0x80, 0x80, 0x80, 0x80, 0x10] },
    { value: Number.MAX_SAFE_INTEGER, bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f] },
  ];
  for (const c of cases) {
    it(`encodes ${c.value} as ${c.bytes.length} bytes and reads it back`, () => {
      const buf = new Uint8Array(10);
      const end = putUvarint(buf, 0, c.value);
      assert.deepEqual([...buf.subarray(0, end)], c.bytes);
      assert.equal(uvarintLength(c.value), c.bytes.length);
      const r = new ByteReader(buf.subarray(0, end));
      assert.equal(r.uvarint(), c.value);
      assert.ok(r.done);
      // The 64-bit encoder agrees with the 53-bit one on the shared range.
      const big = new Uint8Array(10);
      assert.deepEqual([...big.subarray(0, putUvarintBig(big, 0, BigInt(c.value)))], c.bytes);
    });
  }

  const bad: Array<{ name: string; value: number }> = [
    { name: "negative", value: -1 },
    { name: "fraction", value: 1.5 },
    { name: "above 2^53-1", value: 2 ** 53 },
    { name: "NaN", value: Number.NaN },
  ];
  for (const c of bad) {
    it(`refuses to encode a ${c.name} value`, () => assert.throws(() => putUvarint(new Uint8Array(10), 0, c.value), RangeError));
  }

  it("round-trips 64-bit extremes", () => {
    for (const v of [0n, 1n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n]) {
      const w = new ByteWriter().uvarintBig(v);
      assert.equal(new ByteReader(w.view()).uvarintBig(), v);
    }
    assert.equal(new ByteWriter().uvarintBig((1n << 64n) - 1n).length, 10);
  });
});

describe("zigzag", () => {
  const cases: Array<{ value: number; z: number }> = [
    { value: 0, z: 0 },
    { value: -1, z: 1 },
    { value: 1, z: 2 },
    { value: -2, z: 3 },
    { value: 2 ** 31 - 1, z: 2 ** 32 - 2 },
    { value: -(2 ** 31), z: 2 ** 32 - 1 },
    { value: 2 ** 52 - 1, z: 2 ** 53 - 2 },
    { value: -(2 ** 52), z: 2 ** 53 - 1 },
  ];
  for (const c of cases) {
    it(`maps ${c.value} to ${c.z} and back`, () => {
      assert.equal(zigzagEncode(c.value), c.z);
      assert.equal(zigzagDecode(c.z), c.value);
      assert.equal(zigzagEncodeBig(BigInt(c.value)), BigInt(c.z));
      assert.equal(zigzagDecodeBig(BigInt(c.z)), BigInt(c.value));
    });
  }

  it("maps the 64-bit extremes", () => {
    assert.equal(zigzagEncodeBig(-(1n << 63n)), (1n << 64n) - 1n);
    assert.equal(zigzagEncodeBig((1n << 63n) - 1n), (1n << 64n) - 2n);
    assert.equal(zigzagDecodeBig((1n << 64n) - 1n), -(1n << 63n));
  });

  it("refuses values whose zigzag form is not a safe integer", () => {
    assert.throws(() => zigzagEncode(2 ** 52), RangeError);
    assert.throws(() => zigzagEncode(-(2 ** 52) - 1), RangeError);
    assert.throws(() => zigzagEncodeBig(1n << 63n), RangeError);
  });
});
