/**
 * The label APIs (LabelNames, LabelValues, Series) and label selectors: matcher
 * unions, time ranges, the label-name filter of Series, sorting, the four
 * operators with Prometheus' empty-value rules and anchored regexes, and the
 * invalid_argument answer to a selector that does not parse.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CPU, connectErrorBody, cpuTotal, fgTotal, postConnectJson, recentMs } from "./helpers/api.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const T0 = recentMs();
const OLD = T0 - 3_600_000;
const RESERVED = ["__name__", "__period_type__", "__period_unit__", "__profile_type__", "__service_name__", "__type__", "__unit__"];

/** Four series; `id` names each one, and the CPU total of each is a distinct power of ten. */
const SERIES: { id: string; labels: Record<string, string>; ns: number; timeMs: number }[] = [
  { id: "3", labels: { service_name: "db", env: "prod", region: "us-east" }, ns: 100, timeMs: T0 + 20_000 },
  { id: "1", labels: { service_name: "api", env: "prod", region: "eu" }, ns: 1, timeMs: T0 },
  { id: "2", labels: { service_name: "api", env: "dev" }, ns: 10, timeMs: T0 + 10_000 },
  { id: "4", labels: { service_name: "old", env: "prod" }, ns: 1000, timeMs: OLD },
];
const NS: Record<string, number> = Object.fromEntries(SERIES.map((s) => [s.id, s.ns]));

describe("label APIs and selectors", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    for (const x of SERIES) {
      await s.clients().push.push({ series: [cpuTotal({ __name__: "process_cpu", id: x.id, ...x.labels }, x.ns, x.timeMs)] });
    }
  });
  after(() => s.stop());

  const labelNames = [
    { name: "no matchers: every name, sorted", matchers: [], range: undefined, want: [...RESERVED, "env", "id", "region", "service_name"] },
    { name: "one matcher", matchers: ['{id="2"}'], range: undefined, want: [...RESERVED, "env", "id", "service_name"] },
    { name: "two matchers are a union", matchers: ['{id="2"}', '{service_name="db"}'], range: undefined, want: [...RESERVED, "env", "id", "region", "service_name"] },
    { name: "a matcher nothing matches", matchers: ['{env="qa"}'], range: undefined, want: [] },
    { name: "a range holding only series 2", matchers: [], range: [T0 + 5_000, T0 + 15_000], want: [...RESERVED, "env", "id", "service_name"] },
    { name: "a range before every profile", matchers: [], range: [OLD - 60_000, OLD - 1], want: [] },
    { name: "a range and a matcher", matchers: ['{env="prod"}'], range: [OLD - 1, OLD + 1], want: [...RESERVED, "env", "id", "service_name"] },
  ];
  for (const c of labelNames) {
    it(`LabelNames: ${c.name}`, async () => {
      const res = await s.clients().querier.labelNames({
        matchers: c.matchers,
        ...(c.range ? { start: BigInt(c.range[0]!), end: BigInt(c.range[1]!) } : {}),
      });
      assert.deepEqual(res.names, c.want);
    });
  }

  const profileTypes = [
    { name: "without a range", range: undefined, want: [CPU, "process_cpu:samples:count:cpu:nanoseconds"] },
    { name: "with a range holding data", range: [OLD - 1, OLD + 1], want: [CPU, "process_cpu:samples:count:cpu:nanoseconds"] },
    { name: "with a range without data", range: [T0 + 30_000, T0 + 60_000], want: [] },
  ];
  for (const c of profileTypes) {
    it(`ProfileTypes ${c.name}`, async () => {
      const res = await s.clients().querier.profileTypes(c.range ? { start: BigInt(c.range[0]!), end: BigInt(c.range[1]!) } : {});
      assert.deepEqual(res.profileTypes.map((t) => t.ID), c.want);
    });
  }

  const labelValues = [
    { name: "no matchers", label: "service_name", matchers: [], range: undefined, want: ["api", "db", "old"] },
    { name: "a label no series has", label: "nope", matchers: [], range: undefined, want: [] },
    { name: "one matcher", label: "service_name", matchers: ['{env="prod"}'], range: undefined, want: ["api", "db", "old"] },
    { name: "union of two matchers", label: "id", matchers: ['{env="dev"}', '{region="us-east"}'], range: undefined, want: ["2", "3"] },
    { name: "union of overlapping matchers is deduplicated", label: "service_name", matchers: ['{service_name="api"}', '{env=~"prod|dev"}'], range: undefined, want: ["api", "db", "old"] },
    { name: "a recent range excludes the old series", label: "service_name", matchers: [], range: [T0 - 1_000, T0 + 30_000], want: ["api", "db"] },
    { name: "an old range holds only the old series", label: "service_name", matchers: [], range: [OLD - 1_000, OLD + 1_000], want: ["old"] },
    { name: "range bounds are inclusive", label: "id", matchers: [], range: [T0, T0 + 10_000], want: ["1", "2"] },
    { name: "range and matcher together", label: "id", matchers: ['{service_name="api"}'], range: [T0 + 1, T0 + 60_000], want: ["2"] },
    { name: "a reserved label", label: "__profile_type__", matchers: ['{id="1"}'], range: undefined, want: [CPU, "process_cpu:samples:count:cpu:nanoseconds"] },
  ];
  for (const c of labelValues) {
    it(`LabelValues: ${c.name}`, async () => {
      const res = await s.clients().querier.labelValues({
        name: c.label,
        matchers: c.matchers,
        ...(c.range ? { start: BigInt(c.range[0]!), end: BigInt(c.range[1]!) } : {}),
      });
      assert.deepEqual(res.names, c.want);
    });
  }

  /** Selector → the ids of the series it selects. */
  const selectors = [
    { sel: "{}", want: ["1", "2", "3", "4"] },
    { sel: '{env="prod"}', want: ["1", "3", "4"] },
    { sel: '{env!="prod"}', want: ["2"] },
    { sel: '{env=~"pro."}', want: ["1", "3", "4"] },
    { sel: '{env=~"pro"}', want: [] },
    { sel: '{env=~"ro"}', want: [] },
    { sel: '{env=~"prod|dev"}', want: ["1", "2", "3", "4"] },
    { sel: '{env!~"pro"}', want: ["1", "2", "3", "4"] },
    { sel: '{env!~"prod|dev"}', want: [] },
    { sel: '{env!~"p.*"}', want: ["2"] },
    { sel: '{region=""}', want: ["2", "4"] },
    { sel: '{region!=""}', want: ["1", "3"] },
    { sel: '{region=~""}', want: ["2", "4"] },
    { sel: '{region=~".*"}', want: ["1", "2", "3", "4"] },
    { sel: '{region=~".+"}', want: ["1", "3"] },
    { sel: '{region!~".+"}', want: ["2", "4"] },
    { sel: '{region!~""}', want: ["1", "3"] },
    { sel: '{region=~"us-.*"}', want: ["3"] },
    { sel: '{region=~"US-EAST"}', want: [] },
    { sel: '{region=~"(?i)US-EAST"}', want: ["3"] },
    { sel: '{region!="eu"}', want: ["2", "3", "4"] },
    { sel: '{missing=""}', want: ["1", "2", "3", "4"] },
    { sel: '{missing="x"}', want: [] },
    { sel: '{missing!="x"}', want: ["1", "2", "3", "4"] },
    { sel: '{service_name="api", region=""}', want: ["2"] },
    { sel: '{service_name="api", env="prod", region="eu"}', want: ["1"] },
    { sel: 'process_cpu{env="dev"}', want: ["2"] },
    { sel: '{__name__="process_cpu", id=~"1|2"}', want: ["1", "2"] },
    { sel: "{env='dev'}", want: ["2"] },
    { sel: "{env=`dev`}", want: ["2"] },
    { sel: '{ env = "dev" , }', want: ["2"] },
  ];
  for (const c of selectors) {
    it(`selector ${c.sel} selects series [${c.want.join(",")}] in LabelValues`, async () => {
      const res = await s.clients().querier.labelValues({ name: "id", matchers: [c.sel] });
      assert.deepEqual(res.names, c.want);
    });
    it(`selector ${c.sel} selects series [${c.want.join(",")}] in SelectMergeStacktraces`, async () => {
      const res = await s.clients().querier.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: c.sel, start: BigInt(OLD - 1000), end: BigInt(T0 + 60_000) });
      assert.equal(fgTotal(res), c.want.reduce((a, id) => a + NS[id]!, 0));
    });
  }

  const deltaSuffix = [
    { name: "SelectMergeStacktraces", total: async (type: string) => fgTotal(await s.clients().querier.selectMergeStacktraces({ profileTypeID: type, labelSelector: "{}", start: BigInt(OLD - 1000), end: BigInt(T0 + 60_000) })) },
    {
      name: "SelectMergeProfile",
      total: async (type: string) =>
        (await s.clients().querier.selectMergeProfile({ profileTypeID: type, labelSelector: "{}", start: BigInt(OLD - 1000), end: BigInt(T0 + 60_000) })).sample.reduce((a, x) => a + Number(x.value[0]), 0),
    },
    {
      name: "SelectSeries",
      total: async (type: string) =>
        (await s.clients().querier.selectSeries({ profileTypeID: type, labelSelector: "{}", start: BigInt(T0), end: BigInt(T0 + 60_000), step: 60 })).series.reduce(
          (a, x) => a + x.points.reduce((b, p) => b + p.value, 0),
          0,
        ),
    },
  ];
  for (const c of deltaSuffix) {
    it(`${c.name}: a profile type ID with a sixth ":delta" part selects the same profiles`, async () => {
      const plain = await c.total(CPU);
      assert.ok(plain > 0);
      assert.equal(await c.total(`${CPU}:delta`), plain);
    });
  }

  it("Series: full label sets, sorted, one per profile type", async () => {
    const res = await s.clients().querier.series({ matchers: ['{id="2"}'] });
    const common = [
      ["__name__", "process_cpu"],
      ["__period_type__", "cpu"],
      ["__period_unit__", "nanoseconds"],
    ];
    const rest = [
      ["__service_name__", "api"],
    ];
    const tail = [
      ["env", "dev"],
      ["id", "2"],
      ["service_name", "api"],
    ];
    assert.deepEqual(
      res.labelsSet.map((ls) => ls.labels.map((l) => [l.name, l.value])),
      [
        [...common, ["__profile_type__", CPU], ...rest, ["__type__", "cpu"], ["__unit__", "nanoseconds"], ...tail],
        [...common, ["__profile_type__", "process_cpu:samples:count:cpu:nanoseconds"], ...rest, ["__type__", "samples"], ["__unit__", "count"], ...tail],
      ],
    );
  });

  const seriesCases = [
    { name: "labelNames filter deduplicates", matchers: ["{}"], labelNames: ["service_name"], range: undefined, want: [["service_name=api"], ["service_name=db"], ["service_name=old"]] },
    {
      name: "two label names, sorted by labels",
      matchers: ["{}"],
      labelNames: ["service_name", "env"],
      range: undefined,
      want: [["env=dev", "service_name=api"], ["env=prod", "service_name=api"], ["env=prod", "service_name=db"], ["env=prod", "service_name=old"]],
    },
    { name: "a union of matchers", matchers: ['{id="3"}', '{id="1"}'], labelNames: ["id"], range: undefined, want: [["id=1"], ["id=3"]] },
    { name: "a time range", matchers: ["{}"], labelNames: ["id"], range: [T0 + 10_000, T0 + 20_000], want: [["id=2"], ["id=3"]] },
    { name: "a profile type matcher", matchers: [`{__profile_type__="${CPU}", env="prod"}`], labelNames: ["id", "__type__"], range: undefined, want: [["__type__=cpu", "id=1"], ["__type__=cpu", "id=3"], ["__type__=cpu", "id=4"]] },
    { name: "nothing matches", matchers: ['{id="9"}'], labelNames: ["id"], range: undefined, want: [] },
  ];
  for (const c of seriesCases) {
    it(`Series: ${c.name}`, async () => {
      const res = await s.clients().querier.series({
        matchers: c.matchers,
        labelNames: c.labelNames,
        ...(c.range ? { start: BigInt(c.range[0]!), end: BigInt(c.range[1]!) } : {}),
      });
      assert.deepEqual(res.labelsSet.map((ls) => ls.labels.map((l) => `${l.name}=${l.value}`)), c.want);
    });
  }

  const badSelectors = [
    { name: "unclosed brace (LabelNames)", path: "LabelNames", body: { matchers: ['{a="b"'] }, want: /parse error/ },
    { name: "unquoted value (LabelValues)", path: "LabelValues", body: { name: "a", matchers: ["{a=b}"] }, want: /parse error/ },
    { name: "unknown operator (Series)", path: "Series", body: { matchers: ['{a!!"b"}'] }, want: /parse error/ },
    { name: "invalid regex (LabelValues)", path: "LabelValues", body: { name: "a", matchers: ['{a=~"("}'] }, want: /regular expression|regex/ },
    { name: "trailing garbage (SelectMergeStacktraces)", path: "SelectMergeStacktraces", body: { profileTypeID: CPU, labelSelector: '{a="b"} x', start: "1", end: "2" }, want: /parse error/ },
    { name: "invalid regex (SelectSeries)", path: "SelectSeries", body: { profileTypeID: CPU, labelSelector: '{a=~"[z-a]"}', start: "1", end: "2", step: 1 }, want: /regular expression|regex/ },
    { name: "bad label name (SelectMergeProfile)", path: "SelectMergeProfile", body: { profileTypeID: CPU, labelSelector: '{1a="b"}', start: "1", end: "2" }, want: /parse error/ },
    { name: "bad profile type (SelectMergeStacktraces)", path: "SelectMergeStacktraces", body: { profileTypeID: "process_cpu", labelSelector: "{}", start: "1", end: "2" }, want: /profile-type selection must be of the form/ },
  ];
  for (const c of badSelectors) {
    it(`rejects ${c.name} with 400 invalid_argument`, async () => {
      const res = await postConnectJson(s.url, `/querier.v1.QuerierService/${c.path}`, c.body);
      assert.equal(res.status, 400, res.text);
      const body = connectErrorBody(res);
      assert.equal(body.code, "invalid_argument");
      assert.match(body.message, c.want);
    });
  }

  it("LabelValues without a name is invalid_argument", async () => {
    const res = await postConnectJson(s.url, "/querier.v1.QuerierService/LabelValues", { matchers: ["{}"] });
    assert.equal(res.status, 400);
    assert.equal(connectErrorBody(res).code, "invalid_argument");
  });

  it("a label range with start after end is invalid_argument", async () => {
    const res = await postConnectJson(s.url, "/querier.v1.QuerierService/LabelNames", { start: String(T0 + 1000), end: String(T0) });
    assert.equal(res.status, 400);
    assert.equal(connectErrorBody(res).code, "invalid_argument");
  });
});
