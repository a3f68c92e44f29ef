import assert from "node:assert/strict";
import { test } from "node:test";
import { byteOrderRanks, compareUtf8 } from "./name-order.js";

const byteCompare = (a: string, b: string): number => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

test("compareUtf8 agrees with UTF-8 byte comparison", async (t) => {
  const cases: Array<{ name: string; a: string; b: string }> = [
    { name: "ascii", a: "abc", b: "abd" },
    { name: "prefix", a: "ab", b: "abc" },
    { name: "equal", a: "same", b: "same" },
    { name: "upper before lower", a: "Z", b: "a" },
    { name: "latin-1 vs ascii", a: "é", b: "z" },
    // UTF-16 puts the astral char first, UTF-8 (and Go) last.
    { name: "astral vs private use", a: "\u{1F600}", b: "\uE000" },
    { name: "astral vs U+FFFD", a: "x\u{10000}", b: "x\uFFFD" },
    { name: "two astral chars", a: "\u{1F600}", b: "\u{1F601}" },
    { name: "astral vs U+D7FF", a: "\u{1F600}", b: "\uD7FF" },
    { name: "empty", a: "", b: "a" },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.equal(Math.sign(compareUtf8(c.a, c.b)), byteCompare(c.a, c.b));
      assert.equal(Math.sign(compareUtf8(c.b, c.a)), byteCompare(c.b, c.a));
    });
  }
});

test("byteOrderRanks sorts names byte-wise", async (t) => {
  const cases: Array<{ name: string; names: string[] }> = [
    { name: "ascii only (native sort path)", names: ["main", "a", "Z", "", "other", "total", "é"] },
    { name: "with astral chars (comparator path)", names: ["\uE000", "\u{1F600}", "a", "\uFFFD", "\u{10000}", "z"] },
    { name: "empty", names: [] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const rank = byteOrderRanks(c.names);
      const expected = c.names.slice().sort(byteCompare);
      const actual = new Array<string>(c.names.length);
      c.names.forEach((n, i) => (actual[rank[i]!] = n));
      assert.deepEqual(actual, expected);
    });
  }
});
