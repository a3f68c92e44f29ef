import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyCompletion, completionContext, filterSuggestions, formatSelector, parseMatchers, withMatcher } from "./selector.ts";

// "|" marks the cursor.
function at(s: string): [string, number] {
  const i = s.indexOf("|");
  return [s.slice(0, i) + s.slice(i + 1), i];
}

describe("completionContext", () => {
  const cases: Array<[string, ReturnType<typeof completionContext>]> = [
    ["|", { kind: "name", prefix: "", start: 0, end: 0 }],
    ["{|}", { kind: "name", prefix: "", start: 1, end: 1 }],
    ["{serv|}", { kind: "name", prefix: "serv", start: 1, end: 5 }],
    ["{se|rv}", { kind: "name", prefix: "se", start: 1, end: 5 }],
    ['{a="x", |}', { kind: "name", prefix: "", start: 8, end: 8 }],
    ["{service_name=|}", { kind: "value", name: "service_name", prefix: "", start: 14, end: 14, quoted: false }],
    ['{service_name=~"ap|"}', { kind: "value", name: "service_name", prefix: "ap", start: 16, end: 18, quoted: true }],
    ['{a="x|yz"}', { kind: "value", name: "a", prefix: "x", start: 4, end: 7, quoted: true }],
    ['{a="x"|}', null],
  ];
  for (const [input, want] of cases) {
    it(input, () => {
      const [text, cursor] = at(input);
      assert.deepEqual(completionContext(text, cursor), want);
    });
  }
});

describe("applyCompletion", () => {
  const cases: Array<[string, string, string]> = [
    ["|", "service_name", '{service_name="|}'],
    ["{serv|}", "service_name", '{service_name="|}'],
    ['{service_name="|}', "app", '{service_name="app"|}'],
    ['{service_name="a|', "app", '{service_name="app"|}'],
    ["{pod=|}", 'we"ird', '{pod="we\\"ird"|}'],
    ['{a="x", b|}', "bb", '{a="x", bb="|}'],
    ['{a="x|yz"}', "xyz", '{a="xyz"|}'],
  ];
  for (const [input, item, want] of cases) {
    it(`${input} + ${item}`, () => {
      const [text, cursor] = at(input);
      const ctx = completionContext(text, cursor)!;
      const got = applyCompletion(text, ctx, item);
      assert.equal(got.text.slice(0, got.cursor) + "|" + got.text.slice(got.cursor), want);
    });
  }
});

describe("filterSuggestions", () => {
  it("hides internal labels and ranks prefix matches first", () => {
    assert.deepEqual(filterSuggestions(["__name__", "pod", "app_pod", "service_name", "podx"], "pod", "name"), ["podx", "app_pod"]);
    assert.deepEqual(filterSuggestions(["b", "a"], "", "value"), ["a", "b"]);
  });
});

describe("matchers", () => {
  it("parses and formats", () => {
    const ms = parseMatchers('{a="x", b=~"y.*",c!="q\\"z"}');
    assert.deepEqual(ms, [
      { name: "a", op: "=", value: "x" },
      { name: "b", op: "=~", value: "y.*" },
      { name: "c", op: "!=", value: 'q"z' },
    ]);
    assert.equal(formatSelector(ms!), '{a="x", b=~"y.*", c!="q\\"z"}');
    assert.deepEqual(parseMatchers("{}"), []);
    assert.equal(parseMatchers("{a=}"), undefined);
    assert.equal(parseMatchers("a"), undefined);
  });
  const cases: Array<[string, string]> = [
    ["{}", '{pod="p1"}'],
    ['{service_name="a"}', '{service_name="a", pod="p1"}'],
    ['{pod="old", x="y"}', '{x="y", pod="p1"}'],
    ["{weird stuff}", '{weird stuff, pod="p1"}'],
  ];
  for (const [sel, want] of cases) it(`narrows ${sel}`, () => assert.equal(withMatcher(sel, "pod", "p1"), want));
});
