import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../../model/errors.js";
import { parseAggregation, parseFormat, parseLabelQuery, parseMaxNodes, parseRange, parseRenderQuery } from "./params.js";

const NOW = Date.UTC(2024, 0, 2, 12, 0, 0);
const CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";

function qs(s: string): URLSearchParams {
  return new URLSearchParams(s);
}

function invalid(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

describe("parseRenderQuery", () => {
  it("splits the profile type from the matchers", () => {
    const q = parseRenderQuery(qs(`query=${encodeURIComponent(`${CPU}{service_name="a", pod=~"p.*"}`)}`), "query");
    assert.equal(q.profileType.id, CPU);
    assert.equal(q.profileType.sampleType, "cpu");
    assert.deepEqual(q.matchers.map((m) => `${m.name}${m.type}${m.value}`), ["service_name=a", "pod=~p.*"]);
  });

  it("accepts the profile type as a __name__ matcher and without braces", () => {
    assert.equal(parseRenderQuery(qs(`q=${encodeURIComponent(`{__name__="${CPU}"}`)}`), "q").profileType.id, CPU);
    assert.deepEqual(parseRenderQuery(qs(`q=${CPU}`), "q").matchers, []);
  });

  const bad: { name: string; query: string | undefined; message: RegExp }[] = [
    { name: "missing", query: undefined, message: /^'query' is required$/ },
    { name: "blank", query: "  ", message: /^'query' is required$/ },
    { name: "not a selector", query: `${CPU}{service_name=}`, message: /^failed to parse 'query': parse error at char/ },
    { name: "no profile type", query: `{service_name="a"}`, message: /'query' must select a profile type by name/ },
    { name: "a regex profile type", query: `{__name__=~"process_cpu.*"}`, message: /'query' must select a profile type by name/ },
    { name: "not a profile type ID", query: `process_cpu{service_name="a"}`, message: /^'query': profile-type selection must be of the form/ },
  ];
  for (const c of bad) {
    it(`rejects ${c.name}`, () => invalid(() => parseRenderQuery(qs(c.query === undefined ? "" : `query=${encodeURIComponent(c.query)}`), "query"), c.message));
  }
});

describe("parseRange", () => {
  it("reads attime values", () => {
    assert.deepEqual(parseRange(qs("from=now-1h&until=now"), NOW), { startMs: NOW - 3_600_000, endMs: NOW });
    assert.deepEqual(parseRange(qs("from=1704196800&until=1704200400000"), NOW), { startMs: 1_704_196_800_000, endMs: 1_704_200_400_000 });
  });

  it("reads the left and right parameters of a diff", () => {
    assert.deepEqual(parseRange(qs("leftFrom=now-2h&leftUntil=now-1h"), NOW, "leftFrom", "leftUntil"), { startMs: NOW - 7_200_000, endMs: NOW - 3_600_000 });
  });

  const bad: [string, string, RegExp][] = [
    ["both missing (an empty range)", "", /'until' \(2024-01-02T12:00:00.000Z\) must be after 'from' \(2024-01-02T12:00:00.000Z\)/],
    ["until before from", "from=now&until=now-1h", /invalid time range: 'until'/],
    ["equal ends", "from=1704196800&until=1704196800", /invalid time range/],
    ["garbage", "from=yesterday&until=now", /^'from' "yesterday"/],
  ];
  for (const [name, s, message] of bad) it(`rejects ${name}`, () => invalid(() => parseRange(qs(s), NOW), message));
});

describe("parseMaxNodes", () => {
  const cases: [string, number][] = [
    ["", 0],
    ["max-nodes=", 0],
    ["max-nodes=0", 0],
    ["max-nodes=512", 512],
    ["maxNodes=64", 64],
    ["max-nodes=10&maxNodes=20", 20],
    ["max-nodes=10&maxNodes=0", 10],
  ];
  for (const [s, want] of cases) it(`"${s}" → ${want}`, () => assert.equal(parseMaxNodes(qs(s)), want));
  for (const s of ["max-nodes=abc", "maxNodes=-5", "max-nodes=1.5", "maxNodes=99999999999999999999"]) {
    it(`rejects "${s}"`, () => invalid(() => parseMaxNodes(qs(s)), /'max(-n|N)odes' (must be a non-negative integer|.* is out of range)/));
  }
});

describe("parseAggregation and parseFormat", () => {
  it("reads the known values and defaults", () => {
    assert.equal(parseAggregation(qs("")), "sum");
    assert.equal(parseAggregation(qs("aggregation=sum")), "sum");
    assert.equal(parseAggregation(qs("aggregation=avg")), "average");
    assert.equal(parseFormat(qs("")), "json");
    assert.equal(parseFormat(qs("format=json")), "json");
    assert.equal(parseFormat(qs("format=collapsed")), "collapsed");
    assert.equal(parseFormat(qs("format=dot")), "dot");
  });

  it("rejects others", () => {
    invalid(() => parseAggregation(qs("aggregation=max")), /'aggregation' must be sum or avg, got "max"/);
    invalid(() => parseFormat(qs("format=pprof")), /'format' must be json, collapsed or dot, got "pprof"/);
  });
});

describe("parseLabelQuery", () => {
  it("no filter: every series, no range", () => {
    assert.deepEqual(parseLabelQuery(qs(""), NOW), { selectors: [] });
  });

  it("query and match[] are alternatives; a profile type ID selects __profile_type__", () => {
    const q = parseLabelQuery(qs(`query=${encodeURIComponent(`${CPU}{pod="a"}`)}&match[]=${encodeURIComponent(`process_cpu{pod="b"}`)}`), NOW);
    assert.deepEqual(
      q.selectors.map((s) => s.map((m) => `${m.name}${m.type}${m.value}`)),
      [["pod=a", `__profile_type__=${CPU}`], ["pod=b", "__name__=process_cpu"]],
    );
  });

  it("reads an optional range", () => {
    const q = parseLabelQuery(qs("from=now-1h"), NOW);
    assert.deepEqual([q.startMs, q.endMs], [NOW - 3_600_000, undefined]);
  });

  it("rejects a bad selector and a backwards range", () => {
    invalid(() => parseLabelQuery(qs("match[]=%7Bpod%3D%7D"), NOW), /^failed to parse 'match\[\]'/);
    invalid(() => parseLabelQuery(qs("from=now&until=now-1h"), NOW), /'until' .* is before 'from'/);
  });
});
