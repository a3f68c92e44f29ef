import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError } from "./errors.js";
import { compileRegex, createMatcher, matchesLabels, parseSelector, selectorString } from "./selector.js";
import type { Matcher } from "./selector.js";

const plain = (ms: Matcher[]): Array<[string, string, string]> => ms.map((m) => [m.name, m.type, m.value]);

test("parseSelector accepts", async (t) => {
  const cases: Array<{ name: string; input: string; want: Array<[string, string, string]> }> = [
    { name: "match all", input: "{}", want: [] },
    { name: "match all with spaces", input: " \t{ \n } ", want: [] },
    {
      name: "all four operators",
      input: `{a="b", c!="d", e=~"re.*", f!~"x|y"}`,
      want: [
        ["a", "=", "b"],
        ["c", "!=", "d"],
        ["e", "=~", "re.*"],
        ["f", "!~", "x|y"],
      ],
    },
    { name: "trailing comma", input: `{a="b",}`, want: [["a", "=", "b"]] },
    { name: "no spaces", input: `{a="b",c!~"d"}`, want: [["a", "=", "b"], ["c", "!~", "d"]] },
    { name: "spaces around operators", input: `{ a = "b" , c =~ "d" }`, want: [["a", "=", "b"], ["c", "=~", "d"]] },
    {
      name: "profile type prefix (colons in the metric name)",
      input: `process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="x"}`,
      want: [
        ["service_name", "=", "x"],
        ["__name__", "=", "process_cpu:cpu:nanoseconds:cpu:nanoseconds"],
      ],
    },
    { name: "bare metric name", input: "memory:alloc_space:bytes:space:bytes", want: [["__name__", "=", "memory:alloc_space:bytes:space:bytes"]] },
    { name: "metric name with empty braces", input: "up {}", want: [["__name__", "=", "up"]] },
    { name: "metric name starting with a colon", input: ":a", want: [["__name__", "=", ":a"]] },
    { name: "single quotes", input: `{a='b"c'}`, want: [["a", "=", 'b"c']] },
    { name: "backticks are raw", input: "{a=`x\\d\\n`}", want: [["a", "=", "x\\d\\n"]] },
    { name: "raw string spanning lines", input: "{a=`x\ny`}", want: [["a", "=", "x\ny"]] },
    { name: "simple escapes", input: String.raw`{a="\a\b\f\n\r\t\v\\\""}`, want: [["a", "=", '\x07\b\f\n\r\t\v\\"']] },
    { name: "escaped single quote in single quotes", input: String.raw`{a='it\'s'}`, want: [["a", "=", "it's"]] },
    { name: "hex, octal and unicode escapes", input: String.raw`{a="\x41\101\u00e9\U0001F600"}`, want: [["a", "=", "AAé\u{1F600}"]] },
    { name: "byte escapes forming UTF-8", input: String.raw`{a="\xe2\x82\xac"}`, want: [["a", "=", "€"]] },
    { name: "unicode in values", input: `{a="日本語"}`, want: [["a", "=", "日本語"]] },
    { name: "empty value", input: `{a=""}`, want: [["a", "=", ""]] },
    { name: "label names with underscores and digits", input: `{_a1="x", __name__="y"}`, want: [["_a1", "=", "x"], ["__name__", "=", "y"]] },
    { name: "comment", input: `{a="b"} # the rest is ignored`, want: [["a", "=", "b"]] },
    { name: "duplicate labels are kept", input: `{a="b", a!="c"}`, want: [["a", "=", "b"], ["a", "!=", "c"]] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.deepEqual(plain(parseSelector(c.input)), c.want));
  }
});

test("parseSelector rejects", async (t) => {
  const cases: Array<{ name: string; input: string; message: string }> = [
    { name: "empty input", input: "", message: 'parse error at char 1: unexpected end of input, expected a metric name or "{"' },
    { name: "unterminated string", input: `{a="b}`, message: "parse error at char 4: unterminated quoted string" },
    { name: "newline in a quoted string", input: `{a="b\n"}`, message: "parse error at char 4: unterminated quoted string" },
    { name: "unterminated raw string", input: "{a=`b}", message: "parse error at char 4: unterminated raw string" },
    { name: "unclosed braces", input: `{a="b"`, message: 'parse error at char 7: unexpected end of input in label matchers, expected "," or "}"' },
    { name: "missing operator", input: `{a "b"}`, message: 'parse error at char 4: unexpected "\\"" after label name a, expected one of "=", "!=", "=~", "!~"' },
    { name: "double equals", input: `{a=="b"}`, message: 'parse error at char 4: unexpected "=", expected a quoted string' },
    { name: "lone bang", input: `{a!"b"}`, message: 'parse error at char 3: unexpected "!" after label name a, expected one of "=", "!=", "=~", "!~"' },
    { name: "unquoted value", input: `{a=b}`, message: 'parse error at char 4: unexpected "b", expected a quoted string' },
    { name: "bad label name", input: `{1a="b"}`, message: 'parse error at char 2: unexpected "1", expected a label name or "}"' },
    { name: "colon in a label name", input: `{a:b="c"}`, message: 'parse error at char 3: unexpected ":" after label name a, expected one of "=", "!=", "=~", "!~"' },
    { name: "missing comma", input: `{a="b" c="d"}`, message: 'parse error at char 8: unexpected "c" in label matchers, expected "," or "}"' },
    { name: "lone comma", input: `{,}`, message: 'parse error at char 2: unexpected ",", expected a label name or "}"' },
    { name: "dotted metric name", input: `my.app{}`, message: 'parse error at char 3: unexpected "." after the selector' },
    { name: "junk after the selector", input: `{a="b"} x`, message: 'parse error at char 9: unexpected "x" after the selector' },
    { name: "metric name set twice", input: `up{__name__="x"}`, message: 'parse error at char 1: metric name must not be set twice: "up" and a __name__ matcher' },
    { name: "unknown escape", input: String.raw`{a="\q"}`, message: 'parse error at char 5: unknown escape sequence "\\q"' },
    { name: "escaped single quote in double quotes", input: String.raw`{a="\'"}`, message: `parse error at char 5: unknown escape sequence "\\'"` },
    { name: "short unicode escape", input: String.raw`{a="\u12"}`, message: "parse error at char 9: escape sequence not terminated" },
    { name: "bad hex digit", input: String.raw`{a="\xzz"}`, message: 'parse error at char 7: illegal character "z" in escape sequence' },
    { name: "octal above 255", input: String.raw`{a="\400"}`, message: "parse error at char 5: escape sequence is an invalid Unicode code point" },
    { name: "surrogate escape", input: String.raw`{a="\ud800"}`, message: "parse error at char 5: escape sequence is an invalid Unicode code point" },
    { name: "bad regex", input: `{a=~"("}`, message: 'parse error at char 5: invalid regular expression in matcher a=~"(": Unterminated group' },
    { name: "backreference", input: String.raw`{a=~"(x)\\1"}`, message: 'parse error at char 5: invalid regular expression in matcher a=~"(x)\\\\1": invalid escape sequence \\1 (backreferences are not supported)' },
    { name: "lookahead", input: `{a!~"(?=x)"}`, message: 'parse error at char 5: invalid regular expression in matcher a!~"(?=x)": unsupported group syntax "(?=x"' },
  ];
  for (const c of cases) {
    await t.test(c.name, () =>
      assert.throws(
        () => parseSelector(c.input),
        (err: unknown) => {
          assert.ok(err instanceof InvalidArgumentError);
          assert.equal(err.reason, "invalid_query");
          assert.equal(err.message, c.message);
          return true;
        },
      ),
    );
  }
});

test("matchers follow Prometheus empty-label semantics", async (t) => {
  const labels = new Map([
    ["service_name", "checkout"],
    ["env", "prod"],
  ]);
  const get = (name: string): string | undefined => labels.get(name);
  const cases: Array<{ selector: string; want: boolean }> = [
    { selector: "{}", want: true },
    { selector: `{service_name="checkout"}`, want: true },
    { selector: `{service_name="cart"}`, want: false },
    { selector: `{service_name!="cart"}`, want: true },
    { selector: `{missing=""}`, want: true },
    { selector: `{env=""}`, want: false },
    { selector: `{env!=""}`, want: true },
    { selector: `{missing!=""}`, want: false },
    { selector: `{missing=~".*"}`, want: true },
    { selector: `{missing=~".+"}`, want: false },
    { selector: `{missing!~"x"}`, want: true },
    { selector: `{service_name=~"check.*", env!~"dev|staging"}`, want: true },
    { selector: `{service_name=~"check"}`, want: false },
    { selector: `{service_name=~"a|checkout|b"}`, want: true },
    { selector: `{service_name!~"a|checkout|b"}`, want: false },
  ];
  for (const c of cases) {
    await t.test(c.selector, () => assert.equal(matchesLabels(parseSelector(c.selector), get), c.want));
  }
});

test("regexes use RE2 syntax, fully anchored", async (t) => {
  const cases: Array<{ re: string; value: string; want: boolean }> = [
    { re: "foo", value: "foo", want: true },
    { re: "foo", value: "foobar", want: false },
    { re: "fo", value: "foo", want: false },
    { re: "a|b", value: "a", want: true },
    { re: "a|b", value: "ab", want: false },
    { re: "", value: "", want: true },
    { re: "", value: "x", want: false },
    { re: "a|", value: "", want: true },
    { re: ".*", value: "anything", want: true },
    { re: ".*", value: "two\nlines", want: false },
    { re: "(?s).*", value: "two\nlines", want: true },
    { re: ".", value: "\r", want: true },
    { re: ".", value: "\u{1F600}", want: true },
    { re: "(?i)checkout", value: "CheckOut", want: true },
    { re: "a\\-b\\.c\\_d", value: "a-b.c_d", want: true },
    { re: "[\\-a]+", value: "-a-", want: true },
    { re: "\\d+\\s\\w+", value: "12 ab", want: true },
    { re: "\\s", value: "\v", want: false },
    { re: "[[:alpha:]]+", value: "abc", want: true },
    { re: "[[:alpha:]]+", value: "ab1", want: false },
    { re: "[]a]+", value: "]a", want: true },
    { re: "\\p{Greek}+", value: "αβ", want: true },
    { re: "\\pL+", value: "é", want: true },
    { re: "\\PL", value: "1", want: true },
    { re: "\\x41\\x{1F600}", value: "A\u{1F600}", want: true },
    { re: "\\101", value: "A", want: true },
    { re: "\\Qa.b\\E", value: "a.b", want: true },
    { re: "\\Qa.b\\E", value: "axb", want: false },
    { re: "a{2}", value: "aa", want: true },
    { re: "a{", value: "a{", want: true },
    { re: "a{,2}", value: "a{,2}", want: true },
    { re: "x]", value: "x]", want: true },
    { re: "(?P<n>a)b", value: "ab", want: true },
    { re: "\\Aab\\z", value: "ab", want: true },
  ];
  for (const c of cases) {
    await t.test(`${JSON.stringify(c.re)} on ${JSON.stringify(c.value)}`, () => assert.equal(compileRegex(c.re)(c.value), c.want));
  }
});

test("createMatcher names the matcher in regex errors", () => {
  assert.throws(
    () => createMatcher("!~", "job", "[a"),
    (err: unknown) => err instanceof InvalidArgumentError && err.reason === "invalid_query" && err.message.startsWith('invalid regular expression in matcher job!~"[a": '),
  );
});

test("selectorString renders a selector that parses back", async (t) => {
  const cases: Array<{ input: string; want: string }> = [
    { input: "{}", want: "{}" },
    { input: `{a="b", c!~'d'}`, want: `{a="b", c!~"d"}` },
    { input: `process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="x"}`, want: `process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="x"}` },
    { input: "up", want: "up" },
    { input: String.raw`{a="q\"\\\n\t\x01é"}`, want: String.raw`{a="q\"\\\n\t\x01é"}` },
    { input: `{__name__="not a name"}`, want: `{__name__="not a name"}` },
  ];
  for (const c of cases) {
    await t.test(c.input, () => {
      const ms = parseSelector(c.input);
      const s = selectorString(ms);
      assert.equal(s, c.want);
      assert.deepEqual(plain(parseSelector(s)), plain(ms));
    });
  }
});
