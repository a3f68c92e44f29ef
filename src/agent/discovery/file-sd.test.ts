import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { ConfigError } from "../../model/errors.js";
import type { Logger } from "../../server/logger.js";
import { YamlObject } from "../yaml-object.js";
import { DEFAULT_FILE_SD_REFRESH_INTERVAL_MS, FileDiscoverer, globElementRegExp, parseFileSdConfig } from "./file-sd.js";
import type { FileDiscovererOptions } from "./file-sd.js";
import { Collector, configErrorOf, waitFor } from "./test-discovery.js";
import { TargetGroupsError, parseTargetGroups } from "./target-groups-json.js";

const root = mkdtempSync(join(tmpdir(), "phlare-file-sd-"));
after(() => rmSync(root, { recursive: true, force: true }));
let dirSeq = 0;
function freshDir(): string {
  const dir = join(root, `d${dirSeq++}`);
  mkdirSync(dir);
  return dir;
}

interface LogEntry {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

function captureLogger(entries: LogEntry[]): Logger {
  const log =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      entries.push({ level, msg, fields });
    };
  const l: Logger = { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error"), with: () => l };
  return l;
}

function start(files: string[], opts: FileDiscovererOptions & { refreshIntervalMs?: number } = {}) {
  const logs: LogEntry[] = [];
  const c = new Collector();
  const ac = new AbortController();
  const d = new FileDiscoverer({ files, refreshIntervalMs: opts.refreshIntervalMs ?? 3_600_000 }, captureLogger(logs), { debounceMs: 20, ...opts });
  const done = d.run(ac.signal, c.sink);
  const stop = async (): Promise<void> => {
    ac.abort();
    await done;
  };
  return { d, c, logs, stop };
}

const json = (groups: unknown): string => JSON.stringify(groups);

// Replaces a file the way config management does: write elsewhere, rename over.
function replaceFile(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

describe("parseFileSdConfig", () => {
  const at = "scrape_configs.0.file_sd_configs.0";
  const parse = (raw: unknown) => parseFileSdConfig(YamlObject.of(raw, at));
  const configError = (raw: unknown): ConfigError => configErrorOf(() => parse(raw));

  test("defaults and values", () => {
    assert.deepEqual(parse({ files: ["targets/*.json"] }), { files: ["targets/*.json"], refreshIntervalMs: DEFAULT_FILE_SD_REFRESH_INTERVAL_MS });
    assert.deepEqual(parse({ files: ["a.yml", "/etc/b/c-[0-9]?.YAML"], refresh_interval: "30s" }), {
      files: ["a.yml", "/etc/b/c-[0-9]?.YAML"],
      refreshIntervalMs: 30_000,
    });
  });

  test("errors carry the YAML path", () => {
    const ext = configError({ files: ["ok.json", "targets.txt"] });
    assert.equal(ext.path, `${at}.files.1`);
    assert.match(ext.message, /^scrape_configs\.0\.file_sd_configs\.0\.files\.1: path name "targets\.txt" is not valid for file discovery/);
    assert.equal(configError({}).path, `${at}.files`);
    assert.match(configError({ files: [] }).message, /must contain at least one path name/);
    const unknown = configError({ files: ["a.json"], refresh: "1m" });
    assert.equal(unknown.path, `${at}.refresh`);
    assert.match(unknown.message, /unknown key/);
    assert.equal(configError({ files: ["dir*/a.json"] }).path, `${at}.files.0`);
    assert.match(configError({ files: ["di?/a.json"] }).message, /last path element only/);
    assert.match(configError({ files: ["a[.json"] }).message, /syntax error in pattern/);
    assert.equal(configError({ files: ["a.json"], refresh_interval: "0s" }).path, `${at}.refresh_interval`);
    assert.equal(configError({ files: ["a.json"], refresh_interval: "soon" }).path, `${at}.refresh_interval`);
    assert.equal(configError({ files: "a.json" }).path, `${at}.files`);
  });
});

describe("globElementRegExp", () => {
  test("matches as Go's filepath.Match", () => {
    const m = (pattern: string, name: string): boolean => globElementRegExp(pattern).test(name);
    assert.ok(m("*.json", "a.json"));
    assert.ok(m("*.json", ".hidden.json"));
    assert.ok(!m("*.json", "a.yaml"));
    assert.ok(!m("*.json", "a.json.bak"));
    assert.ok(m("t?.yml", "t1.yml"));
    assert.ok(!m("t?.yml", "t12.yml"));
    assert.ok(m("[a-c]x.json", "bx.json"));
    assert.ok(!m("[a-c]x.json", "dx.json"));
    assert.ok(m("[^a-c]x.json", "dx.json"));
    assert.ok(!m("[^a-c]x.json", "ax.json"));
    assert.ok(m("[\\]]x.json", "]x.json"));
    assert.ok(m("\\*.json", "*.json"));
    assert.ok(!m("\\*.json", "a.json"));
    assert.ok(m("a.b(c)+.json", "a.b(c)+.json"));
    assert.ok(!m("[z-a].json", "m.json"));
  });

  test("rejects what Go rejects", () => {
    for (const bad of ["[.json", "[]a].json", "[a-].json", "[-a].json", "a\\"]) {
      assert.throws(() => globElementRegExp(bad), /syntax error in pattern/, bad);
    }
  });
});

describe("target group format", () => {
  test("JSON", () => {
    assert.deepEqual(parseTargetGroups("null", "json"), []);
    const [g] = parseTargetGroups('[{"targets": ["a:1", "b:2"], "labels": {"env": "prod", "__proto__": "p", "empty": null}}]', "json");
    assert.deepEqual(g?.targets, ["a:1", "b:2"]);
    assert.deepEqual([...(g?.labels ?? [])].sort(), [
      ["__proto__", "p"],
      ["empty", ""],
      ["env", "prod"],
    ]);
    assert.deepEqual(parseTargetGroups('[{"labels": null, "targets": null}]', "json"), [{ targets: [], labels: new Map() }]);
  });

  test("YAML scalars keep their text", () => {
    const groups = parseTargetGroups("- targets: [host:1, 8080]\n  labels: {version: 1.10, on: yes, none: ~, q: 'null'}\n- targets: []\n", "yaml");
    assert.deepEqual(groups[0]?.targets, ["host:1", "8080"]);
    assert.deepEqual(
      [...(groups[0]?.labels ?? [])],
      [
        ["version", "1.10"],
        ["on", "yes"],
        ["none", ""],
        ["q", "null"],
      ],
    );
    assert.deepEqual(groups[1], { targets: [], labels: new Map() });
    assert.deepEqual(parseTargetGroups("", "yaml"), []);
    assert.deepEqual(parseTargetGroups("# nothing\n", "yaml"), []);
    const aliased = parseTargetGroups("- targets: &t [a:1]\n  labels: &l {x: y}\n- targets: *t\n  labels: *l\n", "yaml");
    assert.deepEqual(aliased[1], aliased[0]);
  });

  test("strict validation", () => {
    const cases: [string, "json" | "yaml", RegExp][] = [
      ["{}", "json", /expected a list of target groups/],
      ["[null]", "json", /\[0\]: nil target group item found/],
      ['[{"targets": [1]}]', "json", /\[0\]\.targets\[0\]: expected a string, got number/],
      ['[{"targets": "a:1"}]', "json", /expected a list of strings/],
      ['[{"targets": [], "labels": {"a-b": "c"}}]', "json", /"a-b" is not a valid label name/],
      ['[{"targets": [], "labels": {"a": 1}}]', "json", /labels\.a: expected a string/],
      ['[{"targets": [], "label": {}}]', "json", /unknown field "label"/],
      ["[{", "json", /invalid JSON/],
      ["- targets: [a:1]\n  extra: 1\n", "yaml", /unknown field "extra"/],
      ["- targets: [a:1]\n- ~\n", "yaml", /\[1\]: nil target group item found/],
      ["- labels: {a: b, a: c}\n", "yaml", /invalid YAML/],
      ["- labels: {a: [b]}\n", "yaml", /labels\.a: expected a string/],
      ["targets: [a:1]\n", "yaml", /expected a list of target groups/],
      ["- targets: [a:1\n", "yaml", /invalid YAML/],
    ];
    for (const [text, format, re] of cases) assert.throws(() => parseTargetGroups(text, format), (err: unknown) => err instanceof TargetGroupsError && re.test(err.message), text);
  });

  test("input over the limit is refused", () => {
    assert.throws(() => parseTargetGroups(json([{ targets: ["a".repeat(100)] }]), "json", 50), /exceed the limit of 50 bytes/);
  });
});

describe("FileDiscoverer", () => {
  test("reads JSON and YAML files matched by globs", async () => {
    const dir = freshDir();
    const a = join(dir, "a.json");
    const b = join(dir, "b.yml");
    writeFileSync(a, json([{ targets: ["a:1", "a:2"], labels: { env: "prod" } }, { targets: ["a:3"] }]));
    writeFileSync(b, "- targets: ['b:1']\n  labels:\n    version: 1.10\n    __meta_filepath: overridden\n");
    writeFileSync(join(dir, "c.txt"), "not a target file");
    const { c, stop } = start([join(dir, "*.json"), join(dir, "*.yml")]);
    try {
      await waitFor("the first batch", () => c.batches.length > 0);
      assert.deepEqual(
        c.batches[0]?.map((g) => g.source),
        [`${a}:0`, `${a}:1`, `${b}:0`],
      );
      assert.deepEqual(c.addresses(`${a}:0`), ["a:1", "a:2"]);
      assert.deepEqual([...(c.state.get(`${a}:0`)?.labels ?? [])], [
        ["env", "prod"],
        ["__meta_filepath", a],
      ]);
      assert.equal(c.state.get(`${a}:1`)?.labels.get("__meta_filepath"), a);
      assert.equal(c.state.get(`${b}:0`)?.labels.get("version"), "1.10");
      assert.equal(c.state.get(`${b}:0`)?.labels.get("__meta_filepath"), b);
    } finally {
      await stop();
    }
  });

  test("a plain path is used as written and a missing one gives an empty first batch", async () => {
    const dir = freshDir();
    const file = join(dir, "targets.yaml");
    const { c, stop } = start([file, join(dir, "missing.json")]);
    try {
      await waitFor("the first batch", () => c.batches.length > 0);
      assert.deepEqual(c.batches[0], []);
      writeFileSync(file, "- targets: [x:1]\n");
      await waitFor("the created file's groups", () => c.addresses(`${file}:0`)?.[0] === "x:1");
    } finally {
      await stop();
    }
  });

  test("edits, shrinking, new and deleted files are picked up through the watcher", async () => {
    const dir = freshDir();
    const a = join(dir, "a.json");
    writeFileSync(a, json([{ targets: ["a:1"] }, { targets: ["a:2"] }]));
    const { c, stop } = start([join(dir, "*.json")]);
    try {
      await waitFor("the first batch", () => c.state.size === 2);

      writeFileSync(a, json([{ targets: ["a:1", "a:9"] }, { targets: ["a:2"] }]));
      await waitFor("the edit", () => c.addresses(`${a}:0`)?.length === 2);
      // Only the group that changed was sent again.
      assert.deepEqual(
        c.batches.at(-1)?.map((g) => g.source),
        [`${a}:0`],
      );

      replaceFile(a, json([{ targets: ["a:1"] }]));
      await waitFor("the vanished group", () => !c.state.has(`${a}:1`));
      assert.deepEqual(c.addresses(`${a}:0`), ["a:1"]);

      const b = join(dir, "b.json");
      writeFileSync(b, json([{ targets: ["b:1"] }]));
      await waitFor("the new file", () => c.state.has(`${b}:0`));

      unlinkSync(a);
      await waitFor("the deleted file's groups", () => !c.state.has(`${a}:0`));
      const removal = c.batches.at(-1)?.find((g) => g.source === `${a}:0`);
      assert.deepEqual(removal, { source: `${a}:0`, targets: [], labels: new Map() });
      assert.ok(c.state.has(`${b}:0`));
    } finally {
      await stop();
    }
  });

  test("a malformed file keeps its previous groups and logs a warning", async () => {
    const dir = freshDir();
    const a = join(dir, "a.yaml");
    writeFileSync(a, "- targets: [a:1]\n- targets: [a:2]\n");
    const { d, c, logs, stop } = start([join(dir, "*.yaml")]);
    try {
      await waitFor("the first batch", () => c.state.size === 2);
      const sent = c.batches.length;
      replaceFile(a, "- targets: [a:1\n");
      await waitFor("the warning", () => logs.some((l) => l.level === "warn"));
      const warning = logs.find((l) => l.level === "warn");
      assert.equal(warning?.fields?.path, a);
      assert.match(String(warning?.fields?.err), /invalid YAML/);
      assert.equal(d.failures, 1);
      assert.match(d.lastError ?? "", /invalid YAML/);
      assert.equal(c.batches.length, sent);
      assert.deepEqual(c.addresses(`${a}:1`), ["a:2"]);

      replaceFile(a, "- targets: [a:1]\n  labels: {bad-name: x}\n");
      await waitFor("the second warning", () => d.failures === 2);
      assert.match(d.lastError ?? "", /"bad-name" is not a valid label name/);
      assert.equal(c.state.size, 2);

      replaceFile(a, "- targets: [a:3]\n");
      await waitFor("the fixed file", () => c.addresses(`${a}:0`)?.[0] === "a:3" && !c.state.has(`${a}:1`));
    } finally {
      await stop();
    }
  });

  test("the refresh interval re-reads files when no event arrives", async () => {
    const dir = freshDir();
    const a = join(dir, "a.json");
    writeFileSync(a, json([{ targets: ["a:1"] }]));
    const { c, stop } = start([a], { watch: false, refreshIntervalMs: 50 });
    try {
      await waitFor("the first batch", () => c.state.size === 1);
      writeFileSync(a, json([{ targets: ["a:2"] }]));
      await waitFor("the periodic re-read", () => c.addresses(`${a}:0`)?.[0] === "a:2");
      const batches = c.batches.length;
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(c.batches.length, batches, "unchanged files are not sent again");
      unlinkSync(a);
      await waitFor("the removal", () => c.state.size === 0);
    } finally {
      await stop();
    }
  });

  test("a file over the size limit is an error, not a removal", async () => {
    const dir = freshDir();
    const a = join(dir, "a.json");
    writeFileSync(a, json([{ targets: ["a:1"] }]));
    const { d, c, stop } = start([a], { watch: false, refreshIntervalMs: 30, maxFileBytes: 64 });
    try {
      await waitFor("the first batch", () => c.state.size === 1);
      writeFileSync(a, json([{ targets: Array.from({ length: 20 }, (_, i) => `host-${i}:1`) }]));
      await waitFor("the failure", () => d.failures > 0);
      assert.match(d.lastError ?? "", /exceeds? the limit of 64 bytes/);
      assert.deepEqual(c.addresses(`${a}:0`), ["a:1"]);
    } finally {
      await stop();
    }
  });

  test("stops promptly when aborted and sends nothing after", async () => {
    const dir = freshDir();
    const a = join(dir, "a.json");
    writeFileSync(a, json([{ targets: ["a:1"] }]));
    const { c, stop } = start([a], { refreshIntervalMs: 20 });
    await waitFor("the first batch", () => c.batches.length > 0);
    await stop();
    const n = c.batches.length;
    writeFileSync(a, json([{ targets: ["a:2"] }]));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(c.batches.length, n);
  });
});
