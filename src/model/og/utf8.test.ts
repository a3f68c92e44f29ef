import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../errors.js";
import { decodeTextBody, firstInvalidUtf8, isWellFormedUtf16, tryDecodeUtf8 } from "./utf8.js";

const enc = new TextEncoder();

describe("utf8", () => {
  it("decodes valid UTF-8 and refuses invalid", () => {
    assert.equal(tryDecodeUtf8(enc.encode("größe 日本 😀")), "größe 日本 😀");
    assert.equal(tryDecodeUtf8(Uint8Array.from([0x61, 0xff])), undefined);
  });

  const cases: Array<[string, number[], number]> = [
    ["valid text", [...enc.encode("aé日😀")], -1],
    ["a stray continuation byte", [0x61, 0x80], 1],
    ["an overlong two-byte form", [0xc1, 0xbf], 0],
    ["an overlong three-byte form", [0x61, 0xe0, 0x80, 0xaf], 1],
    ["a surrogate", [0xed, 0xa0, 0x80], 0],
    ["above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 0],
    ["a cut sequence", [0x61, 0x62, 0xf0, 0x9f, 0x98], 2],
    ["a bad second byte", [0xe6, 0x41, 0x80], 0],
    ["a bad third byte", [0xe6, 0x97, 0x41], 0],
    ["0xff", [0x61, 0x62, 0x63, 0xff], 3],
  ];
  for (const [name, bytes, at] of cases) {
    it(`finds the first invalid byte: ${name}`, () => {
      const b = Uint8Array.from(bytes);
      assert.equal(firstInvalidUtf8(b), at);
      assert.equal(tryDecodeUtf8(b) === undefined, at >= 0, "agrees with the platform decoder");
    });
  }

  it("names byte and line of a bad text body", () => {
    assert.throws(
      () => decodeTextBody(Uint8Array.from([0x61, 0x0a, 0x0a, 0x62, 0xc3]), "folded"),
      (err: unknown) => err instanceof InvalidArgumentError && err.message === "invalid folded body: invalid UTF-8 at byte 4 (line 3)",
    );
  });

  it("spots lone surrogates", () => {
    assert.equal(isWellFormedUtf16("a😀b"), true);
    assert.equal(isWellFormedUtf16("a\ud800b"), false);
    assert.equal(isWellFormedUtf16("a\udc00"), false);
    assert.equal(isWellFormedUtf16("\ud83d"), false);
  });
});
