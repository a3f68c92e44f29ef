import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { carryParams, formatQuery, pageFromPath, pageHref, parseQuery, patchParams, readSide, sideParams } from "./url-state.ts";

describe("pageFromPath", () => {
  const cases: Array<[string, string]> = [
    ["/", "single"],
    ["/ui", "single"],
    ["/ui/", "single"],
    ["/prefix/ui/", "single"],
    ["/ui/explore", "explore"],
    ["/explore", "explore"],
    ["/ui/comparison", "comparison"],
    ["/comparison/", "comparison"],
    ["/ui/comparison-diff", "diff"],
    ["/p/ui/comparison-diff", "diff"],
    ["/ui/unknown", "single"],
  ];
  for (const [path, want] of cases) it(path, () => assert.equal(pageFromPath(path), want));
});

describe("pageHref", () => {
  it("resolves pages against the base", () => {
    const p = new URLSearchParams({ query: "a{}" });
    assert.equal(pageHref("http://h/pre/ui/", "diff", p), "http://h/pre/ui/comparison-diff?query=a%7B%7D");
    assert.equal(pageHref("http://h/ui/", "single", new URLSearchParams()), "http://h/ui/");
    assert.equal(pageHref("http://h/ui/", "explore", new URLSearchParams()), "http://h/ui/explore");
  });
});

describe("queries", () => {
  const cases: Array<[string, string, string]> = [
    ["process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name=\"a\"}", "process_cpu:cpu:nanoseconds:cpu:nanoseconds", "{service_name=\"a\"}"],
    ["memory:inuse_space:bytes::", "memory:inuse_space:bytes::", "{}"],
    ["t{}", "t", "{}"],
    ["", "", "{}"],
  ];
  for (const [q, type, sel] of cases) {
    it(`splits ${q}`, () => {
      assert.deepEqual(parseQuery(q), { profileTypeID: type, selector: sel });
      assert.equal(formatQuery(parseQuery(q)), q.includes("{") ? q : `${q}{}`);
    });
  }
});

describe("sides", () => {
  it("falls back to the page-wide values", () => {
    const p = new URLSearchParams({ query: "t{}", from: "now-6h", rightQuery: "t{a=\"b\"}", rightFrom: "100", rightUntil: "200" });
    assert.deepEqual(readSide(p, "left"), { query: "t{}", from: "now-6h", until: "now" });
    assert.deepEqual(readSide(p, "right"), { query: "t{a=\"b\"}", from: "100", until: "200" });
  });
  it("defaults to the last hour", () => {
    assert.deepEqual(readSide(new URLSearchParams(), "left"), { query: "", from: "now-1h", until: "now" });
  });
  it("names a side's parameters", () => {
    assert.deepEqual(sideParams("right", { from: "1", until: "2" }), { rightFrom: "1", rightUntil: "2" });
  });
});

describe("carryParams", () => {
  it("copies the query to both sides", () => {
    const p = carryParams("diff", new URLSearchParams({ query: "q", from: "now-5m" }));
    assert.equal(p.get("leftQuery"), "q");
    assert.equal(p.get("rightQuery"), "q");
    assert.equal(p.get("from"), "now-5m");
  });
  it("keeps existing sides", () => {
    const p = carryParams("comparison", new URLSearchParams({ query: "q", leftQuery: "l" }));
    assert.equal(p.get("leftQuery"), "l");
  });
  it("takes the left side back to the single view", () => {
    assert.equal(carryParams("single", new URLSearchParams({ leftQuery: "l" })).get("query"), "l");
  });
});

describe("patchParams", () => {
  it("sets and removes", () => {
    const p = patchParams(new URLSearchParams({ a: "1", b: "2" }), { a: "3", b: null, c: "", d: "4" });
    assert.equal(p.toString(), "a=3&d=4");
  });
});
