import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, test } from "node:test";
import { InvalidArgumentError } from "../model/errors.js";
import { bytesSource, compareKeys, openBodyStream, plainBytes, readBody, validateKey, validatePrefix, validateRange } from "./bucket.js";

describe("validateKey", () => {
  const good = ["a", "tenant/phlaredb/01H0000000000000000000000/meta.json", "a.b/c..d/.hidden", "ü/日本/😀", "a b/c+d%20"];
  for (const key of good) test(`accepts ${JSON.stringify(key)}`, () => assert.equal(validateKey(key), key));
  const bad = ["", "/a", "a/", "a//b", "./a", "a/./b", "../a", "a/..", "a\0b", "a\\b", "\uD800x", "x".repeat(1025)];
  for (const key of bad) {
    test(`rejects ${JSON.stringify(key.slice(0, 20))}`, () => assert.throws(() => validateKey(key), InvalidArgumentError));
  }
});

describe("validatePrefix", () => {
  const good = ["", "a", "a/", "a/b", "a/b/", "tenant/phlaredb/01H", ".hid"];
  for (const p of good) test(`accepts ${JSON.stringify(p)}`, () => assert.equal(validatePrefix(p), p));
  const bad = ["/", "/a", "a//", "../", "a/../b", "a/..", "a/."];
  for (const p of bad) test(`rejects ${JSON.stringify(p)}`, () => assert.throws(() => validatePrefix(p), InvalidArgumentError));
});

describe("validateRange", () => {
  test("accepts offsets and lengths ≥ 0", () => {
    validateRange(0, 0);
    validateRange(10, 5);
  });
  for (const [o, l] of [[-1, 1], [0, -1], [0.5, 1], [0, Number.NaN]] as const) {
    test(`rejects ${o}+${l}`, () => assert.throws(() => validateRange(o, l), InvalidArgumentError));
  }
});

describe("compareKeys", () => {
  test("orders by UTF-8 bytes, as object stores list", () => {
    const keys = ["😀", "\uFFFF", "b", "a/b", "a", "A", "é"];
    assert.deepEqual([...keys].sort(compareKeys), ["A", "a", "a/b", "b", "é", "\uFFFF", "😀"]);
  });
});

describe("bodies", () => {
  test("plainBytes turns a Buffer into a Uint8Array view without copying", () => {
    const buf = Buffer.from("hello");
    const plain = plainBytes(buf);
    assert.equal(Object.getPrototypeOf(plain), Uint8Array.prototype);
    assert.equal(plain.buffer, buf.buffer);
    const u8 = new Uint8Array(3);
    assert.equal(plainBytes(u8), u8);
  });

  test("readBody concatenates a stream; bytesSource yields the bytes", async () => {
    assert.equal(Buffer.from(await readBody(() => Readable.from([Buffer.from("ab"), Buffer.from("cd")]))).toString(), "abcd");
    assert.equal(Buffer.from(await readBody(bytesSource(new Uint8Array([1, 2])))).toString("hex"), "0102");
  });

  test("openBodyStream yields Buffers for Uint8Array chunks", async () => {
    const chunks: unknown[] = [];
    for await (const c of openBodyStream(() => Readable.from([new Uint8Array([1]), new Uint8Array([2, 3])]))) chunks.push(c);
    assert.ok(chunks.every((c) => Buffer.isBuffer(c)));
    assert.equal(Buffer.concat(chunks as Buffer[]).toString("hex"), "010203");
  });
});
