import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "yaml";
import { ConfigError } from "../model/errors.js";
import { isValidLabelNameTemplate, parseRelabelConfigs, relabel } from "./relabel.js";
import { RegexSyntaxError, RelabelRegex, expandTemplate } from "./relabel-regex.js";

const configs = (yaml: string) => parseRelabelConfigs(parse(yaml), "scrape_configs.0.relabel_configs");

/** Runs `yaml` rules on `input`; the result as a plain object, or "dropped". */
function run(input: Record<string, string>, yaml: string): Record<string, string> | "dropped" {
  const out = relabel(new Map(Object.entries(input)), configs(yaml));
  return out === undefined ? "dropped" : Object.fromEntries(out);
}

interface Case {
  name: string;
  input: Record<string, string>;
  rules: string;
  want: Record<string, string> | "dropped";
}

// Prometheus model/relabel/relabel_test.go, TestRelabel: every case, in order (numbered as there;
// the comments of the Go cases are quoted in the names).
const prometheusCases: Case[] = [
  {
    name: "#1 replace with ${1} template",
    input: { a: "foo", b: "bar", c: "baz" },
    rules: `[{source_labels: [a], regex: "f(.*)", target_label: d, separator: ";", replacement: "ch\${1}-ch\${1}", action: replace}]`,
    want: { a: "foo", b: "bar", c: "baz", d: "choo-choo" },
  },
  {
    name: "#2 chained replaces over two source labels",
    input: { a: "foo", b: "bar", c: "baz" },
    rules: `
- {source_labels: [a, b], regex: "f(.*);(.*)r", target_label: a, separator: ";", replacement: "b\${1}\${2}m", action: replace}
- {source_labels: [c, a], regex: "(b).*b(.*)ba(.*)", target_label: d, separator: ";", replacement: "$1$2$2$3", action: replace}`,
    want: { a: "boobam", b: "bar", c: "baz", d: "boooom" },
  },
  {
    name: "#3 drop before replace",
    input: { a: "foo" },
    rules: `
- {source_labels: [a], regex: ".*o.*", action: drop}
- {source_labels: [a], regex: "f(.*)", target_label: d, separator: ";", replacement: "ch$1-ch$1", action: replace}`,
    want: "dropped",
  },
  { name: "#4 drop", input: { a: "foo", b: "bar" }, rules: `[{source_labels: [a], regex: ".*o.*", action: drop}]`, want: "dropped" },
  {
    name: "#5 replace with a group inside",
    input: { a: "abc" },
    rules: `[{source_labels: [a], regex: ".*(b).*", target_label: d, separator: ";", replacement: "$1", action: replace}]`,
    want: { a: "abc", d: "b" },
  },
  { name: "#6 drop without match", input: { a: "foo" }, rules: `[{source_labels: [a], regex: no-match, action: drop}]`, want: { a: "foo" } },
  { name: "#7 drop regex is anchored (f|o vs foo)", input: { a: "foo" }, rules: `[{source_labels: [a], regex: "f|o", action: drop}]`, want: { a: "foo" } },
  { name: "#8 keep without match", input: { a: "foo" }, rules: `[{source_labels: [a], regex: no-match, action: keep}]`, want: "dropped" },
  { name: "#9 keep with match", input: { a: "foo" }, rules: `[{source_labels: [a], regex: "f.*", action: keep}]`, want: { a: "foo" } },
  {
    name: "#10 No replacement must be applied if there is no match.",
    input: { a: "boo" },
    rules: `[{source_labels: [a], regex: f, target_label: b, replacement: bar, action: replace}]`,
    want: { a: "boo" },
  },
  {
    name: "#11 hashmod baz % 1000",
    input: { a: "foo", b: "bar", c: "baz" },
    rules: `[{source_labels: [c], target_label: d, separator: ";", action: hashmod, modulus: 1000}]`,
    want: { a: "foo", b: "bar", c: "baz", d: "976" },
  },
  {
    name: "#12 hashmod of a value with a newline",
    input: { a: "foo\nbar" },
    rules: `[{source_labels: [a], target_label: b, separator: ";", action: hashmod, modulus: 1000}]`,
    want: { a: "foo\nbar", b: "734" },
  },
  {
    name: "#13 labelmap bar_${1}",
    input: { a: "foo", b1: "bar", b2: "baz" },
    rules: `[{regex: "(b.*)", replacement: "bar_\${1}", action: labelmap}]`,
    want: { a: "foo", b1: "bar", b2: "baz", bar_b1: "bar", bar_b2: "baz" },
  },
  {
    name: "#14 labelmap of __meta_ labels",
    input: { a: "foo", __meta_my_bar: "aaa", __meta_my_baz: "bbb", __meta_other: "ccc" },
    rules: `[{regex: "__meta_(my.*)", replacement: "\${1}", action: labelmap}]`,
    want: { a: "foo", __meta_my_bar: "aaa", __meta_my_baz: "bbb", __meta_other: "ccc", my_bar: "aaa", my_baz: "bbb" },
  },
  {
    name: "#15 valid case (templated target_label)",
    input: { a: "some-name-value" },
    rules: `[{source_labels: [a], regex: "some-([^-]+)-([^,]+)", action: replace, replacement: "\${2}", target_label: "\${1}"}]`,
    want: { a: "some-name-value", name: "value" },
  },
  {
    name: '#16 invalid replacement ""',
    input: { a: "some-name-value" },
    rules: `[{source_labels: [a], regex: "some-([^-]+)-([^,]+)", action: replace, replacement: "\${3}", target_label: "\${1}"}]`,
    want: { a: "some-name-value" },
  },
  {
    name: "#17 invalid target_labels",
    input: { a: "some-name-0" },
    rules: `
- {source_labels: [a], regex: "some-([^-]+)-([^,]+)", action: replace, replacement: "\${1}", target_label: "\${3}"}
- {source_labels: [a], regex: "some-([^-]+)-([^,]+)", action: replace, replacement: "\${1}", target_label: "\${3}"}
- {source_labels: [a], regex: "some-([^-]+)(-[^,]+)", action: replace, replacement: "\${1}", target_label: "\${3}"}`,
    want: { a: "some-name-0" },
  },
  {
    name: "#18 more complex real-life like usecase",
    input: { __meta_sd_tags: "path:/secret,job:some-job,label:foo=bar" },
    rules: `
- {source_labels: [__meta_sd_tags], regex: "(?:.+,|^)path:(/[^,]+).*", action: replace, replacement: "\${1}", target_label: __metrics_path__}
- {source_labels: [__meta_sd_tags], regex: "(?:.+,|^)job:([^,]+).*", action: replace, replacement: "\${1}", target_label: job}
- {source_labels: [__meta_sd_tags], regex: "(?:.+,|^)label:([^=]+)=([^,]+).*", action: replace, replacement: "\${2}", target_label: "\${1}"}`,
    want: { __meta_sd_tags: "path:/secret,job:some-job,label:foo=bar", __metrics_path__: "/secret", job: "some-job", foo: "bar" },
  },
  {
    name: "#19 From https://github.com/prometheus/prometheus/issues/12283",
    input: { __meta_kubernetes_pod_container_port_name: "foo", __meta_kubernetes_pod_annotation_XXX_metrics_port: "9091" },
    rules: `
- {regex: "^__meta_kubernetes_pod_container_port_name$", action: labeldrop}
- {source_labels: [__meta_kubernetes_pod_annotation_XXX_metrics_port], regex: "(.+)", action: replace, replacement: metrics, target_label: __meta_kubernetes_pod_container_port_name}
- {source_labels: [__meta_kubernetes_pod_container_port_name], regex: "^metrics$", action: keep}`,
    want: { __meta_kubernetes_pod_annotation_XXX_metrics_port: "9091", __meta_kubernetes_pod_container_port_name: "metrics" },
  },
  { name: "#20 labelkeep", input: { a: "foo", b1: "bar", b2: "baz" }, rules: `[{regex: "(b.*)", action: labelkeep}]`, want: { b1: "bar", b2: "baz" } },
  { name: "#21 labeldrop", input: { a: "foo", b1: "bar", b2: "baz" }, rules: `[{regex: "(b.*)", action: labeldrop}]`, want: { a: "foo" } },
  {
    name: "#22 uppercase and lowercase",
    input: { foo: "bAr123Foo" },
    rules: `
- {source_labels: [foo], action: uppercase, target_label: foo_uppercase}
- {source_labels: [foo], action: lowercase, target_label: foo_lowercase}`,
    want: { foo: "bAr123Foo", foo_lowercase: "bar123foo", foo_uppercase: "BAR123FOO" },
  },
  ...(
    [
      ["#23 keepequal, equal", "keepequal", "__port1", false],
      ["#24 dropequal, equal", "dropequal", "__port1", true],
      ["#25 dropequal, not equal", "dropequal", "__port2", false],
      ["#26 keepequal, not equal", "keepequal", "__port2", true],
    ] as const
  ).map(([name, action, target, dropped]): Case => {
    const input = { __tmp_port: "1234", __port1: "1234", __port2: "5678" };
    return { name, input, rules: `[{source_labels: [__tmp_port], action: ${action}, target_label: ${target}}]`, want: dropped ? "dropped" : input };
  }),
];

test("TestRelabel cases of Prometheus", async (t) => {
  for (const c of prometheusCases) await t.test(c.name, () => assert.deepEqual(run(c.input, c.rules), c.want));
});

test("BenchmarkRelabel configs of Prometheus", async (t) => {
  await t.test("example (conf.good.yml): defaults and a null regex", () => {
    const rules = `
- source_labels: [job, __meta_dns_name]
  regex: "(.*)some-[regex]"
  target_label: job
  replacement: foo-\${1}
  # action defaults to 'replace'
- source_labels: [abc]
  target_label: cde
- replacement: static
  target_label: abc
- regex:
  replacement: static
  target_label: abc`;
    const input = { __meta_dns_name: "example-some-x.com", abc: "def", job: "foo" };
    assert.deepEqual(run(input, rules), { __meta_dns_name: "example-some-x.com", abc: "static", cde: "def", job: "foo" });
    // `regex:` (null) is the empty regex, not the default: it only matches "".
    assert.equal(configs(rules)[3]!.regex.test("x"), false);
    assert.deepEqual(run({ job: "a", __meta_dns_name: "some-x" }, rules), { job: "foo-a;", __meta_dns_name: "some-x", abc: "static" });
  });
});

test("relabel: replace details", async (t) => {
  const cases: Case[] = [
    { name: "defaults copy the joined value", input: { a: "x", b: "y" }, rules: `[{source_labels: [a, b], target_label: c}]`, want: { a: "x", b: "y", c: "x;y" } },
    { name: "missing source labels are empty", input: { a: "x" }, rules: `[{source_labels: [nope, a], target_label: c}]`, want: { a: "x", c: ";x" } },
    { name: "empty expansion deletes the target", input: { a: "", c: "old" }, rules: `[{source_labels: [a], target_label: c}]`, want: { a: "" } },
    { name: 'replacement: "" deletes the target', input: { c: "old" }, rules: `[{target_label: c, replacement: ""}]`, want: {} },
    { name: "static value without source labels", input: {}, rules: `[{target_label: env, replacement: prod}]`, want: { env: "prod" } },
    { name: "$1x is the (missing) group named 1x", input: { a: "foo" }, rules: `[{source_labels: [a], regex: "(f)oo", target_label: b, replacement: "$1x"}]`, want: { a: "foo" } },
    { name: "${1}x", input: { a: "foo" }, rules: `[{source_labels: [a], regex: "(f)oo", target_label: b, replacement: "\${1}x"}]`, want: { a: "foo", b: "fx" } },
    { name: "$$ and a lone $", input: { a: "foo" }, rules: `[{source_labels: [a], target_label: b, replacement: "$$1 $ \${"}]`, want: { a: "foo", b: "$1 $ ${" } },
    {
      name: "named groups",
      input: { __address__: "host:80" },
      rules: `[{source_labels: [__address__], regex: "(?P<host>[^:]+):(?<port>\\\\d+)", target_label: hp, replacement: "$port/\${host}"}]`,
      want: { __address__: "host:80", hp: "80/host" },
    },
    { name: "(?i)", input: { a: "FOO" }, rules: `[{source_labels: [a], regex: "(?i)f(o+)", target_label: b}]`, want: { a: "FOO", b: "OO" } },
    { name: "regex anchored at both ends", input: { a: "xfoox" }, rules: `[{source_labels: [a], regex: "foo", target_label: b, replacement: y}]`, want: { a: "xfoox" } },
    { name: "templated target expanding to an invalid name", input: { a: "1x" }, rules: `[{source_labels: [a], regex: "(.*)", target_label: "$1", replacement: v}]`, want: { a: "1x" } },
    { name: "custom separator", input: { a: "x", b: "y" }, rules: `[{source_labels: [a, b], separator: "/", target_label: c}]`, want: { a: "x", b: "y", c: "x/y" } },
    { name: "separator: null is the empty separator", input: { a: "x", b: "y" }, rules: `[{source_labels: [a, b], separator: null, target_label: c}]`, want: { a: "x", b: "y", c: "xy" } },
    { name: "action names are case-insensitive", input: { a: "x" }, rules: `[{source_labels: [a], action: RePlAcE, target_label: c}]`, want: { a: "x", c: "x" } },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(run(c.input, c.rules), c.want));
});

test("relabel: labelmap, lowercase, uppercase, hashmod details", async (t) => {
  const input = { __meta_kubernetes_pod_label_app: "x", __meta_kubernetes_pod_label_team: "y", other: "z" };
  await t.test("labelmap with $1 (the default replacement)", () => {
    assert.deepEqual(run(input, `[{action: labelmap, regex: "__meta_kubernetes_pod_label_(.+)"}]`), { ...input, app: "x", team: "y" });
  });
  await t.test("labelmap with ${1}_suffix", () => {
    const rules = `[{action: labelmap, regex: "__meta_kubernetes_pod_label_(.+)", replacement: "\${1}_suffix"}]`;
    assert.deepEqual(run(input, rules), { ...input, app_suffix: "x", team_suffix: "y" });
  });
  await t.test("labelmap matches label names anchored", () => {
    assert.deepEqual(run(input, `[{action: labelmap, regex: "pod_label_(.+)"}]`), input);
  });
  await t.test("lowercase of an empty value deletes the target", () => {
    assert.deepEqual(run({ t: "old" }, `[{source_labels: [nope], action: lowercase, target_label: t}]`), {});
  });
  await t.test("lowercase/uppercase use Go's one-to-one case mapping", () => {
    const rules = `[{source_labels: [v], action: uppercase, target_label: u}, {source_labels: [v], action: lowercase, target_label: l}]`;
    assert.deepEqual(run({ v: "Straße İ ᾳ" }, rules), { v: "Straße İ ᾳ", u: "STRAßE İ ᾼ", l: "straße i ᾳ" });
  });
  await t.test("hashmod over joined values", () => {
    const rules = `[{source_labels: [a, b], action: hashmod, modulus: 1000, target_label: h}]`;
    // md5("baz;") (b is missing, so empty) → last 8 bytes as uint64 → % 1000.
    assert.deepEqual(run({ a: "baz" }, rules), { a: "baz", h: "353" });
  });
  await t.test("the input map is never mutated", () => {
    const m = new Map([["a", "x"], ["b", "y"]]);
    const out = relabel(m, configs(`[{regex: a, action: labeldrop}, {target_label: c, replacement: z}]`));
    assert.deepEqual([...m], [["a", "x"], ["b", "y"]]);
    assert.deepEqual(out && Object.fromEntries(out), { b: "y", c: "z" });
  });
});

test("relabel: Phlare pod annotation scheme", async (t) => {
  const rules = `
- source_labels: [__meta_kubernetes_pod_annotation_phlare_grafana_com_scrape]
  action: keep
  regex: "true"
- source_labels: [__address__, __meta_kubernetes_pod_annotation_phlare_grafana_com_port]
  action: replace
  regex: (.+?)(?::\\d+)?;(\\d+)
  replacement: $1:$2
  target_label: __address__
- action: labelmap
  regex: __meta_kubernetes_pod_label_(.+)
- source_labels: [__meta_kubernetes_namespace]
  action: replace
  target_label: namespace
- source_labels: [__meta_kubernetes_pod_name]
  action: replace
  target_label: pod
- source_labels: [__meta_kubernetes_pod_phase]
  action: drop
  regex: Pending|Succeeded|Failed|Completed
`;
  const pod = {
    __address__: "10.0.0.1:8080",
    __meta_kubernetes_pod_annotation_phlare_grafana_com_scrape: "true",
    __meta_kubernetes_pod_annotation_phlare_grafana_com_port: "4100",
    __meta_kubernetes_pod_label_app: "x",
    __meta_kubernetes_namespace: "ns",
    __meta_kubernetes_pod_name: "p",
    __meta_kubernetes_pod_phase: "Running",
  };
  await t.test("a running annotated pod", () => {
    assert.deepEqual(run(pod, rules), { ...pod, __address__: "10.0.0.1:4100", app: "x", namespace: "ns", pod: "p" });
  });
  await t.test("a Succeeded pod is dropped", () => assert.equal(run({ ...pod, __meta_kubernetes_pod_phase: "Succeeded" }, rules), "dropped"));
  await t.test("scrape=false is dropped", () => assert.equal(run({ ...pod, __meta_kubernetes_pod_annotation_phlare_grafana_com_scrape: "false" }, rules), "dropped"));
  await t.test("no port annotation keeps the address", () => {
    const { __meta_kubernetes_pod_annotation_phlare_grafana_com_port: _, ...noPort } = pod;
    const out = run(noPort, rules);
    assert.ok(out !== "dropped");
    assert.equal(out.__address__, "10.0.0.1:8080");
  });
  await t.test("an address without a port gets the annotated one", () => {
    const out = run({ ...pod, __address__: "10.0.0.1" }, rules);
    assert.ok(out !== "dropped");
    assert.equal(out.__address__, "10.0.0.1:4100");
  });
});

test("TestRelabelValidate cases of Prometheus", async (t) => {
  const cases: Array<[string, string, RegExp | undefined]> = [
    ["#0 empty action", `[{action: null}]`, /relabel_configs\.0\.action: relabel action cannot be empty/],
    ["#1 replace without target", `[{action: replace}]`, /relabel_configs\.0\.target_label: relabel configuration for replace action requires 'target_label' value/],
    ["#2 lowercase without target", `[{action: lowercase}]`, /requires 'target_label' value/],
    ["#3 lowercase with a template target", `[{action: lowercase, target_label: "\${3}"}]`, /"\$\{3\}" is invalid 'target_label' for lowercase action/],
    ["#4 replace with a template target", `[{source_labels: [a], regex: "some-([^-]+)-([^,]+)", replacement: "\${1}", target_label: "\${3}"}]`, undefined],
    ["#5 0${3}", `[{source_labels: [a], regex: "some-([^-]+)-([^,]+)", replacement: "\${1}", target_label: "0\${3}"}]`, /"0\$\{3\}" is invalid 'target_label'/],
    ["#6 -${3}", `[{source_labels: [a], regex: "some-([^-]+)-([^,]+)", replacement: "\${1}", target_label: "-\${3}"}]`, /"-\$\{3\}" is invalid 'target_label' for replace action/],
  ];
  for (const [name, yaml, want] of cases) {
    await t.test(name, () => {
      if (want === undefined) configs(yaml);
      else assert.throws(() => configs(yaml), (err: unknown) => err instanceof ConfigError && want.test(err.message));
    });
  }
});

test("TestTargetLabelValidity cases of Prometheus", () => {
  const cases: Array<[string, boolean]> = [
    ["-label", false], ["label", true], ["label${1}", true], ["${1}label", true], ["${1}", true], ["${", false], ["$", false], ["${}", false],
    ["foo${", false], ["$1", true], ["asd$2asd", true], ["-foo${1}bar-", false], ["_${1}_", true], ["foo${bar}foo", true],
  ];
  for (const [s, valid] of cases) assert.equal(isValidLabelNameTemplate(s), valid, s);
  // The linear check must not blow up where the original nested-quantifier regex backtracks.
  assert.equal(isValidLabelNameTemplate(`${"a$b".repeat(5000)}-`), false);
});

test("parseRelabelConfigs errors", async (t) => {
  const P = "scrape_configs\\.0\\.relabel_configs";
  const cases: Array<[string, string, RegExp]> = [
    ["not a sequence", `{a: 1}`, new RegExp(`^${P}: expected a sequence`)],
    ["null rule", `[null]`, new RegExp(`^${P}\\.0: empty or null relabeling rule`)],
    ["unknown key", `[{target_label: a, foo: bar}]`, new RegExp(`^${P}\\.0\\.foo: unknown key`)],
    ["unknown action (second rule)", `[{target_label: a}, {action: rename}]`, new RegExp(`^${P}\\.1\\.action: unknown relabel action "rename"`)],
    ["empty action string", `[{action: ""}]`, /\.action: unknown relabel action ""/],
    ["invalid source label", `[{source_labels: [ok, foo-bar], target_label: a}]`, new RegExp(`^${P}\\.0\\.source_labels\\.1: "foo-bar" is not a valid label name`)],
    ["source_labels not a list", `[{source_labels: a, target_label: a}]`, /\.source_labels: expected a sequence/],
    ["negative modulus", `[{action: hashmod, modulus: -1, target_label: a}]`, /\.modulus: expected a non-negative integer/],
    ["hashmod without modulus", `[{action: hashmod, target_label: a}]`, new RegExp(`^${P}\\.0\\.modulus: relabel configuration for hashmod requires non-zero modulus`)],
    ["hashmod without target", `[{action: hashmod, modulus: 2}]`, /\.target_label: relabel configuration for hashmod action requires 'target_label' value/],
    ["hashmod template target", `[{action: hashmod, modulus: 2, target_label: "$1"}]`, /\.target_label: "\$1" is invalid 'target_label' for hashmod action/],
    ["replace invalid target", `[{target_label: foo-bar}]`, /\.target_label: "foo-bar" is invalid 'target_label' for replace action/],
    ["uppercase with replacement", `[{action: uppercase, target_label: a, replacement: x}]`, /\.replacement: 'replacement' can not be set for uppercase action/],
    ["keepequal without target", `[{action: keepequal, source_labels: [a]}]`, /requires 'target_label' value/],
    ["dropequal template target", `[{action: dropequal, source_labels: [a], target_label: "\${1}"}]`, /"\$\{1\}" is invalid 'target_label' for dropequal action/],
    ["keepequal with any regex", `[{action: keepequal, source_labels: [a], target_label: b, regex: "(.*)"}]`, new RegExp(`^${P}\\.0: keepequal action requires only 'source_labels' and \`target_label\`, and no other fields`)],
    ["dropequal with separator", `[{action: dropequal, source_labels: [a], target_label: b, separator: ","}]`, /dropequal action requires only 'source_labels'/],
    ["labelmap invalid replacement", `[{action: labelmap, regex: "(.*)", replacement: "-\${1}"}]`, /\.replacement: "-\$\{1\}" is invalid 'replacement' for labelmap action/],
    ["labeldrop with source_labels", `[{action: labeldrop, regex: a, source_labels: []}]`, new RegExp(`^${P}\\.0: labeldrop action requires only 'regex', and no other fields`)],
    ["labelkeep with target", `[{action: labelkeep, regex: a, target_label: b}]`, /labelkeep action requires only 'regex', and no other fields/],
    ["labeldrop with replacement", `[{action: labeldrop, regex: a, replacement: b}]`, /labeldrop action requires only 'regex'/],
    ["invalid regex", `[{regex: "(", target_label: a}]`, new RegExp(`^${P}\\.0\\.regex: invalid regex "\\(": error parsing regexp: missing closing \\): \`\\^\\(\\?:\\(\\)\\$\``)],
    ["backreference", `[{regex: "(a)\\\\1", target_label: a}]`, /\.regex: invalid regex .*invalid escape sequence: `\\1` \(backreferences are not supported by RE2\)/],
    ["lookahead", `[{regex: "a(?=b)", action: keep}]`, /\.regex: invalid regex .*`\(\?=` \(lookahead is not supported by RE2\)/],
  ];
  for (const [name, yaml, want] of cases) {
    await t.test(name, () => assert.throws(() => configs(yaml), (err: unknown) => err instanceof ConfigError && want.test(err.message) && err.path !== undefined));
  }
  await t.test("undefined and null are no rules", () => {
    assert.deepEqual(parseRelabelConfigs(undefined, "x"), []);
    assert.deepEqual(parseRelabelConfigs(null, "x"), []);
  });
});

test("RE2 regex translation", async (t) => {
  // [regex as configured, input, matches] — each checked against Go's regexp semantics.
  const cases: Array<[string, string, boolean]> = [
    ["a|b", "a", true], ["foo|bar", "foobar", false], ["a)|(b", "xb", true], ["a)|(b", "ax", true],
    ["(?i)foo", "FoO", true], ["(?i:a)b", "Ab", true], ["(?i:a)b", "AB", false], ["a(?i)b|c", "C", true], ["(?i)k", "\u212a", true],
    ["(?i)s", "\u017f", true], ["(?i)[^k]", "K", false], ["(?i)[[:upper:]]", "q", true], ["(?i)\\W", "s", false], ["(?i)\\P{Lu}", "a", false],
    ["a.b", "a\rb", true], ["a.b", "a\nb", false], ["(?s)a.b", "a\nb", true], ["[^a]", "\n", true], [".", "😀", true], ["..", "😀", false],
    ["\\s", "\v", false], ["\\s", "\u00a0", false], ["[[:space:]]", "\v", true], ["\\S", "\u00a0", true], ["\\d", "٣", false], ["\\w", "é", false],
    ["\\pL", "é", true], ["\\p{Greek}+", "αβ", true], ["\\PL", "1", true], ["\\p{^L}", "a", false], ["\\p{Any}", "\n", true], ["[\\p{Lu}\\d]+", "A1", true],
    ["[[:alpha:]]+", "abc", true], ["[[:^digit:]]", "1", false], ["[[:word:][:punct:]]+", "a_!", true], ["[\\d-z]+", "1-z", true], ["[]a]+", "]a", true],
    ["\\Qa.b\\E", "axb", false], ["\\Qa.b\\E", "a.b", true], ["\\x41\\x{1F600}\\101\\0", "A😀A\0", true], ["\\:\\d+", ":80", true], ["a{,2}", "a{,2}", true],
    ["a{2}", "aa", true], ["a{2,}", "aaaa", true], ["a{01}", "a{01}", true], ["(?m)a$\\n^b", "a\nb", true], ["a$\\n^b", "a\nb", false],
    ["(?m)a$", "a\r", false], ["\\Aab\\z", "ab", true], ["^*a", "a", true], ["\\bab\\b", "ab", true], ["x*", "", true], ["", "", true], ["", "a", false],
  ];
  for (const [re, input, want] of cases) {
    await t.test(`${JSON.stringify(re)} on ${JSON.stringify(input)}`, () => assert.equal(RelabelRegex.compile(re).test(input), want));
  }
  await t.test("(?U) swaps greediness", () => {
    const re = RelabelRegex.compile("(?U)(a+)(a*)");
    assert.equal(re.expand("$1|$2", re.exec("aaa")!), "a|aa");
    const re2 = RelabelRegex.compile("(?U)(a+?)(a*)");
    assert.equal(re2.expand("$1|$2", re2.exec("aaa")!), "aaa|");
  });
  const errors: Array<[string, RegExp]> = [
    [")", /unexpected \): `\^\(\?:\)\)\$`/], ["a**", /invalid nested repetition operator: `\*\*`/], ["a*+", /invalid nested repetition operator: `\*\+`/],
    ["*", /missing argument to repetition operator: `\*`/], ["a|*", /missing argument/], ["(?!a)", /lookahead/], ["(?<=a)", /lookbehind/], ["(?<!a)", /lookbehind/],
    ["a{1001}", /invalid repeat count: `\{1001\}`/], ["a{2,1}", /invalid repeat count/], ["[z-a]", /invalid character class range: `z-a`/],
    ["[[:foo:]]", /invalid character class range: `\[:foo:\]`/], ["\\pX", /invalid character class range: `\\pX`/], ["\\p{Nope}", /invalid character class range/], ["\\p{Latn}", /invalid character class range/],
    ["\\Z", /invalid escape sequence: `\\Z`/], ["\\C", /invalid escape sequence/], ["\\q", /invalid escape sequence: `\\q`/], ["\\x{110000}", /invalid escape/],
    ["(?P<a-b>x)", /invalid named capture: `\(\?P<a-b>`/], ["(?i-)x", /invalid or unsupported Perl syntax: `\(\?i-\)`/], ["(?x)a", /invalid or unsupported Perl syntax/],
    ["[a", /missing closing \]: `\[a\)\$`/], ["x\\", /missing closing \)/],
  ];
  for (const [re, want] of errors) {
    await t.test(`rejects ${JSON.stringify(re)}`, () => assert.throws(() => RelabelRegex.compile(re), (err: unknown) => err instanceof RegexSyntaxError && want.test(err.message)));
  }
});

test("Go Expand template rules", () => {
  const groups = ["foo-bar", "foo", "bar", undefined];
  const names = [undefined, "first", "1x", "unset"];
  const cases: Array<[string, string]> = [
    ["$1", "foo"], ["${1}", "foo"], ["$1x", "bar"], ["${1}x", "foox"], ["$first-$2", "foo-bar"], ["${first}_", "foo_"], ["$first_", ""],
    ["$$1", "$1"], ["$", "$"], ["a$-b", "a$-b"], ["${1", "${1"], ["${}", "${}"], ["$9", ""], ["$unset", ""], ["$01", ""], ["$0", "foo-bar"], ["x$é", "x"],
  ];
  for (const [tpl, want] of cases) assert.equal(expandTemplate(tpl, groups, names), want, tpl);
});

test("labelmap replaces like Go's ReplaceAllString", () => {
  // Prometheus' regex wrapping lets `a)|(b` match unanchored pieces; ReplaceAllString replaces each.
  const re = RelabelRegex.compile("x)|(y");
  assert.equal(re.replaceAll("xayby", "<$1>"), "<>ayb<y>");
  assert.equal(RelabelRegex.compile("(.*)").replaceAll("abc", "z_$1"), "z_abc");
});
