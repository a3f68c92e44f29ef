import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ProtoReader } from "./reader.js";
import { ProtoWriter, WireType } from "./writer.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe("ProtoWriter varints", () => {
  const cases: Array<{ name: string; write: (w: ProtoWriter) => void; hex: string }> = [
    { name: "0", write: (w) => w.int64(0), hex: "00" },
    { name: "1", write: (w) => w.int64(1), hex: "01" },
    { name: "127", write: (w) => w.int64(127), hex: "7f" },
    { name: "128", write: (w) => w.int64(128), hex: "8001" },
    { name: "300", write: (w) => w.int64(300), hex: "ac02" },
    { name: "2^31", write: (w) => w.int64(2 ** 31), hex: "8080808008" },
    { name: "2^32", write: (w) => w.int64(2 ** 32), hex: "8080808010" },
    { name: "2^53-1", write: (w) => w.int64(2 ** 53 - 1), hex: "ffffffffffffff0f" },
    { name: "-1 takes ten bytes", write: (w) => w.int64(-1), hex: "ffffffffffffffffff01" },
    { name: "-2^32", write: (w) => w.int64(-(2 ** 32)), hex: "80808080f0ffffffff01" },
    { name: "bigint -2^63", write: (w) => w.int64Big(-(2n ** 63n)), hex: "80808080808080808001" },
    { name: "bigint 2^64-1 (as uint64)", write: (w) => w.int64Big(2n ** 64n - 1n), hex: "ffffffffffffffffff01" },
    { name: "hi/lo 0xffffffff_00000000", write: (w) => w.varint64(0xffffffff, 0), hex: "80808080f0ffffffff01" },
    { name: "uint32 max", write: (w) => w.uint32(0xffffffff), hex: "ffffffff0f" },
    { name: "tag of field 1, varint", write: (w) => w.tag(1, WireType.Varint), hex: "08" },
    { name: "tag of field 16, length-delimited", write: (w) => w.tag(16, WireType.LengthDelimited), hex: "8201" },
    { name: "zero fields are omitted", write: (w) => (w.int64Field(1, 0), w.boolField(2, false), w.uint64Field(3, 0, 0)), hex: "" },
    { name: "empty string is still written", write: (w) => w.stringField(6, ""), hex: "3200" },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const w = new ProtoWriter(1);
      c.write(w);
      assert.equal(hex(w.finish()), c.hex);
    });
  }

  test("signed values read back through ProtoReader", () => {
    const values = [0, 1, -1, 127, -128, 2 ** 40 + 7, -(2 ** 40) - 7, 2 ** 53 - 1, -(2 ** 53) + 1];
    const w = new ProtoWriter();
    for (const v of values) w.int64(v);
    const r = new ProtoReader(w.finish());
    assert.deepEqual(values.map(() => r.int()), values);
  });
});

describe("ProtoWriter length-delimited fields", () => {
  const bodies: Array<{ name: string; bytes: number }> = [
    { name: "empty", bytes: 0 },
    { name: "127 bytes (one length byte)", bytes: 127 },
    { name: "128 bytes (body shifts by one)", bytes: 128 },
    { name: "16384 bytes (body shifts by two)", bytes: 16384 },
    { name: "3 MB (body shifts by three)", bytes: 3_000_000 },
  ];
  for (const b of bodies) {
    test(`fork/end with a ${b.name} body`, () => {
      const body = new Uint8Array(b.bytes).map((_, i) => i & 0xff);
      const w = new ProtoWriter(4);
      w.int64Field(1, 5);
      const m = w.fork(2);
      w.raw(body);
      w.end(m);
      w.int64Field(3, 7);
      const r = new ProtoReader(w.finish());
      assert.equal(r.tag(), 0x08);
      assert.equal(r.uint(), 5);
      assert.equal(r.tag(), 0x12);
      const end = r.lenEnd(w.length, "body");
      assert.equal(end - r.pos, b.bytes);
      assert.deepEqual(w.finish().subarray(r.pos, end), body);
      r.pos = end;
      assert.equal(r.tag(), 0x18);
      assert.equal(r.uint(), 7);
    });
  }

  test("nested forks whose inner body grows past 127 bytes", () => {
    const w = new ProtoWriter();
    const outer = w.fork(1);
    const inner = w.fork(2);
    w.raw(new Uint8Array(200).fill(9));
    w.end(inner);
    w.int64Field(3, 1);
    w.end(outer);
    const b = w.finish();
    // outer: tag, len(2 bytes) = 1 + 2 + 200 + 2 = 205
    assert.equal(hex(b.subarray(0, 6)), "0acd0112c801");
    assert.equal(b.length, 3 + 205);
    assert.equal(hex(b.subarray(b.length - 2)), "1801");
  });

  const strings = ["", "plain", "x".repeat(127), "x".repeat(128), "héllo", "日本語".repeat(50), "𝄞", "\uFEFF"];
  for (const s of strings) {
    test(`string ${JSON.stringify(s.length > 12 ? `${s.slice(0, 6)}…(${s.length})` : s)} round-trips`, () => {
      const w = new ProtoWriter(2);
      w.stringField(6, s);
      w.int64Field(1, 1);
      const expected = Buffer.from(s, "utf8");
      const r = new ProtoReader(w.finish());
      assert.equal(r.tag(), 0x32);
      const end = r.lenEnd(w.length, "string");
      assert.deepEqual(Buffer.from(w.finish().subarray(r.pos, end)), expected);
    });
  }

  test("reset reuses the buffer; toBytes copies", () => {
    const w = new ProtoWriter();
    w.int64Field(1, 1);
    const copy = w.toBytes();
    w.reset();
    w.int64Field(1, 2);
    assert.equal(hex(copy), "0801");
    assert.equal(hex(w.finish()), "0802");
  });
});
