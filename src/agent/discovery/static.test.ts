import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError } from "../../model/errors.js";
import { StaticDiscoverer, parseStaticConfigs } from "./static.js";
import type { TargetGroup } from "./target-group.js";
import { configErrorOf } from "./test-discovery.js";

const PATH = "scrape_configs.0.static_configs";

function configError(raw: unknown): ConfigError {
  return configErrorOf(() => parseStaticConfigs(raw, PATH));
}

describe("parseStaticConfigs", () => {
  test("absent or null gives no groups", () => {
    assert.deepEqual(parseStaticConfigs(undefined, PATH), []);
    assert.deepEqual(parseStaticConfigs(null, PATH), []);
  });

  test("each entry becomes a group with its index as source", () => {
    const groups = parseStaticConfigs(
      [
        { targets: ["localhost:4100", "10.0.0.1:6060"], labels: { env: "dev", __proto__x: "1" } },
        { targets: ["[::1]:4100"] },
        { labels: { only: "labels" } },
      ],
      PATH,
    );
    assert.deepEqual(
      groups.map((g) => g.source),
      ["0", "1", "2"],
    );
    assert.deepEqual(
      groups[0]?.targets.map((t) => [...t]),
      [[["__address__", "localhost:4100"]], [["__address__", "10.0.0.1:6060"]]],
    );
    assert.deepEqual([...(groups[0]?.labels ?? [])], [
      ["env", "dev"],
      ["__proto__x", "1"],
    ]);
    assert.deepEqual(
      groups[1]?.targets.map((t) => t.get("__address__")),
      ["[::1]:4100"],
    );
    assert.equal(groups[1]?.labels.size, 0);
    assert.equal(groups[2]?.targets.length, 0);
  });

  test("scalars are taken as strings, null label values as empty", () => {
    const [g] = parseStaticConfigs([{ targets: [1234], labels: { version: 2, empty: null } }], PATH);
    assert.equal(g?.targets[0]?.get("__address__"), "1234");
    assert.equal(g?.labels.get("version"), "2");
    assert.equal(g?.labels.get("empty"), "");
  });

  test("a __proto__ label is an ordinary label", () => {
    const labels: Record<string, unknown> = JSON.parse('{"__proto__": "p"}') as Record<string, unknown>;
    const [g] = parseStaticConfigs([{ targets: ["a:1"], labels }], PATH);
    assert.equal(g?.labels.get("__proto__"), "p");
  });

  test("invalid label names are rejected with their path", () => {
    const err = configError([{ targets: ["a:1"] }, { targets: ["b:1"], labels: { "app.kubernetes.io/name": "x" } }]);
    assert.equal(err.path, `${PATH}.1.labels.app.kubernetes.io/name`);
    assert.match(err.message, /"app\.kubernetes\.io\/name" is not a valid label name/);
    assert.match(configError([{ labels: { "0abc": "x" } }]).message, /not a valid label name/);
  });

  test("a target with a path is not an address", () => {
    const err = configError([{ targets: ["ok:1", "http://host:1/metrics"] }]);
    assert.equal(err.path, `${PATH}.0.targets.1`);
    assert.match(err.message, /is not a valid hostname/);
  });

  test("structural errors", () => {
    assert.equal(configError({ targets: [] }).path, PATH);
    assert.match(configError([null]).message, /empty or null section in static_configs/);
    const unknown = configError([{ targets: ["a:1"], label: { a: "b" } }]);
    assert.equal(unknown.path, `${PATH}.0.label`);
    assert.match(unknown.message, /unknown key/);
    assert.equal(configError([{ targets: "a:1" }]).path, `${PATH}.0.targets`);
    assert.equal(configError([{ targets: [{ a: 1 }] }]).path, `${PATH}.0.targets.0`);
    assert.equal(configError([{ labels: ["a"] }]).path, `${PATH}.0.labels`);
    assert.equal(configError([{ labels: { a: { b: "c" } } }]).path, `${PATH}.0.labels.a`);
  });
});

describe("StaticDiscoverer", () => {
  test("sends the groups once and resolves when aborted", async () => {
    const groups = parseStaticConfigs([{ targets: ["a:1"] }, { targets: ["b:2"] }], PATH);
    const batches: (readonly TargetGroup[])[] = [];
    const ac = new AbortController();
    let resolved = false;
    const run = new StaticDiscoverer(groups).run(ac.signal, (g) => batches.push(g)).then(() => {
      resolved = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(batches.length, 1);
    assert.deepEqual(batches[0], groups);
    assert.equal(resolved, false);
    ac.abort();
    await run;
    assert.equal(batches.length, 1);
  });

  test("does nothing when already aborted", async () => {
    const batches: unknown[] = [];
    await new StaticDiscoverer(parseStaticConfigs([{ targets: ["a:1"] }], PATH)).run(AbortSignal.abort(), (g) => batches.push(g));
    assert.equal(batches.length, 0);
  });
});
