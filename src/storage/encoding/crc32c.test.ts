import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { crc32c, crc32cRange } from "./crc32c.js";

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Bit-at-a-time reference, to check the sliced tables against. */
function crc32cSlow(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe("crc32c", () => {
  // Known answers: RFC 3720 (iSCSI) appendix B.4 and the standard "123456789" check value.
  const cases: Array<{ name: string; input: Uint8Array; want: number }> = [
    { name: "empty", input: new Uint8Array(0), want: 0 },
    { name: "check value 123456789", input: ascii("123456789"), want: 0xe3069283 },
    { name: "one byte a", input: ascii("a"), want: 0xc1d04330 },
    { name: "32 zero bytes", input: new Uint8Array(32), want: 0x8a9136aa },
    { name: "32 0xff bytes", input: new Uint8Array(32).fill(0xff), want: 0x62a8ab43 },
    { name: "32 ascending bytes", input: Uint8Array.from({ length: 32 }, (_, i) => i), want: 0x46dd794e },
    { name: "32 descending bytes", input: Uint8Array.from({ length: 32 }, (_, i) => 31 - i), want: 0x113fdb5c },
  ];
  for (const c of cases) {
    it(`known answer: ${c.name}`, () => assert.equal(crc32c(c.input), c.want));
  }

  it("matches the bit-at-a-time reference for every length 0..100", () => {
    const data = Uint8Array.from({ length: 100 }, (_, i) => (i * 131 + 7) & 0xff);
    for (let n = 0; n <= data.length; n++) assert.equal(crc32c(data.subarray(0, n)), crc32cSlow(data.subarray(0, n)), `length ${n}`);
  });

  it("incremental update equals one-shot at every split point", () => {
    const data = Uint8Array.from({ length: 67 }, (_, i) => (i * 37) & 0xff);
    const whole = crc32c(data);
    for (let split = 0; split <= data.length; split++) {
      assert.equal(crc32c(data.subarray(split), crc32c(data.subarray(0, split))), whole, `split ${split}`);
    }
  });

  it("crc32cRange checks a slice without copying", () => {
    const data = ascii("xx123456789yy");
    assert.equal(crc32cRange(data, 2, 11), 0xe3069283);
  });

  it("returns an unsigned 32-bit value", () => {
    for (const s of ["123456789", "a", "hello world"]) {
      const v = crc32c(ascii(s));
      assert.ok(v >= 0 && v <= 0xffffffff && Number.isInteger(v));
    }
  });
});

describe("crc32c word path", () => {
  it("agrees with the reference at every alignment and length around the word-path threshold", () => {
    const backing = Uint8Array.from({ length: 400 }, (_, i) => (i * 193 + 11) & 0xff);
    for (let offset = 0; offset < 8; offset++) {
      for (const n of [0, 1, 7, 8, 63, 64, 65, 71, 72, 100, 257, 390]) {
        const view = backing.subarray(offset, offset + n);
        assert.equal(crc32c(view), crc32cSlow(view), `offset ${offset} length ${n}`);
        assert.equal(crc32cRange(backing, offset, offset + n), crc32cSlow(view), `range offset ${offset} length ${n}`);
      }
    }
  });
});
