import assert from "node:assert/strict";
import { test } from "node:test";
import { fnv1, goQuote, labelPairsString, tokenHash } from "./token-hash.js";

// Expected values below were produced by Go 1.19 (hash/fnv New32, strconv.Quote) with Phlare's
// TokenFor / LabelPairsString logic.

test("fnv1: published 32-bit FNV-1 vectors", () => {
  assert.equal(fnv1(""), 2166136261);
  assert.equal(fnv1("a"), 84696446);
  assert.equal(fnv1("foobar"), 837857890);
  // Not FNV-1a, whose "a" is 0xe40c292c.
  assert.notEqual(fnv1("a"), 0xe40c292c);
  assert.equal(fnv1("foo", "bar"), fnv1("foobar"));
});

const quoteCases: [string, string, string][] = [
  ["empty", "", '""'],
  ["plain ASCII", "plain", '"plain"'],
  ["quote and backslash", 'a"b\\c', '"a\\"b\\\\c"'],
  ["named escapes", "\x07\b\f\n\r\t\v", '"\\a\\b\\f\\n\\r\\t\\v"'],
  ["other control bytes and DEL", "\x00\x01\x1f\x7f", '"\\x00\\x01\\x1f\\x7f"'],
  ["printable non-ASCII stays raw", "héllo wörld ✓ 日本語 😀", '"héllo wörld ✓ 日本語 😀"'],
  [
    "non-printable runes: spaces, format, separators, private use, C1, unassigned, tags",
    "\u00a0|\u200b|\ufeff|\u2028|\u2029|\ue000|\u{10ffff}|\u0085|\u00ad|\ufffd|\u0378|\u{e0001}|e\u0301|\u3000|\u{1f600}|\u061c|\u{f0000}",
    '"\\u00a0|\\u200b|\\ufeff|\\u2028|\\u2029|\\ue000|\\U0010ffff|\\u0085|\\u00ad|\ufffd|\\u0378|\\U000e0001|e\u0301|\\u3000|\u{1f600}|\\u061c|\\U000f0000"',
  ],
  // Go never sees a lone surrogate: invalid input reaches it as U+FFFD, which it prints raw.
  ["lone surrogates are U+FFFD", "a\ud800b\udc00", '"a\ufffdb\ufffd"'],
];
for (const [name, input, expected] of quoteCases) {
  test(`goQuote: ${name}`, () => assert.equal(goQuote(input), expected));
}

const tokenCases: { name: string; tenant: string; labels: [string, string][]; str: string; token: number }[] = [
  { name: "empty", tenant: "", labels: [], str: "{}", token: 1450640401 },
  {
    name: "typical series",
    tenant: "anonymous",
    labels: [["__name__", "process_cpu"], ["service_name", "foo"]],
    str: '{__name__="process_cpu", service_name="foo"}',
    token: 4109773176,
  },
  {
    name: "quotes and newline in a value",
    tenant: "tenant-1",
    labels: [["__name__", "memory"], ["__profile_type__", "memory:alloc_space:bytes:space:bytes"], ["service_name", 'my "quoted" app\n']],
    str: '{__name__="memory", __profile_type__="memory:alloc_space:bytes:space:bytes", service_name="my \\"quoted\\" app\\n"}',
    token: 3219204171,
  },
  {
    name: "unicode and escapes",
    tenant: "t",
    labels: [["a", "日本語 😀 \u00a0\u200b"], ["b", "\x00\x7f\\"]],
    str: '{a="日本語 😀 \\u00a0\\u200b", b="\\x00\\x7f\\\\"}',
    token: 467877733,
  },
  {
    name: "labels hashed in the order given",
    tenant: "anonymous",
    labels: [["service_name", "unspecified"], ["__name__", "process_cpu"]],
    str: '{service_name="unspecified", __name__="process_cpu"}',
    token: 4245622973,
  },
];
for (const c of tokenCases) {
  test(`tokenHash: ${c.name}`, () => {
    const labels = c.labels.map(([name, value]) => ({ name, value }));
    assert.equal(labelPairsString(labels), c.str);
    assert.equal(tokenHash(c.tenant, labels), c.token);
  });
}

test("fnv1 of a string equals fnv1 of its UTF-8 bytes", () => {
  const s = "ä€😀\ud800x";
  const bytes = new TextEncoder().encode(s);
  let h = 0x811c9dc5;
  for (const b of bytes) h = (Math.imul(h, 0x01000193) ^ b) >>> 0;
  assert.equal(fnv1(s), h);
});
