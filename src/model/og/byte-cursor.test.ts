import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../errors.js";
import { ByteCursor } from "./byte-cursor.js";
import { uvarint } from "./test-og.js";

describe("ByteCursor", () => {
  it("reads uvarints of every length up to 2^53-1 and advances", () => {
    const values = [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER];
    const c = new ByteCursor(Uint8Array.from(values.flatMap(uvarint)), "test");
    for (const v of values) assert.equal(c.uvarint("v"), v);
    assert.equal(c.remaining, 0);
  });

  it("accepts a non-minimal encoding, as Go's reader does", () => {
    assert.equal(new ByteCursor(Uint8Array.from([0x81, 0x80, 0x00]), "test").uvarint("v"), 1);
  });

  const bad: Array<[string, number[], RegExp]> = [
    ["an empty buffer", [], /v varint at byte 0 runs past the end of the body \(0 bytes\)/],
    ["a cut varint", [0x80, 0x80], /v varint at byte 0 runs past the end/],
    ["eleven bytes", [...new Array<number>(10).fill(0x80), 0], /longer than 10 bytes/],
    ["2^53", uvarint(2 ** 53), /v at byte 0 is 9007199254740992, above 2\^53-1/],
    ["2^64-1", [...new Array<number>(9).fill(0xff), 1], /above 2\^53-1/],
  ];
  for (const [name, bytes, msg] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => new ByteCursor(Uint8Array.from(bytes), "test").uvarint("v"),
        (err: unknown) => err instanceof InvalidArgumentError && err.reason === "invalid_profile" && msg.test(err.message),
      );
    });
  }

  it("returns byte runs as views and refuses runs past the end", () => {
    const buf = Uint8Array.from([1, 2, 3, 4]);
    const c = new ByteCursor(buf, "test");
    c.pos = 1;
    const v = c.bytes(2, "name");
    assert.deepEqual(Array.from(v), [2, 3]);
    assert.equal(v.buffer, buf.buffer);
    assert.throws(() => c.bytes(2, "name"), /invalid test body: name \(2 bytes from byte 3\) runs past the end: 1 bytes remain/);
  });
});
