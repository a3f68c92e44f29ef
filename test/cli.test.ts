/**
 * The real program (node bin/phlare) as a user runs it: -modules, -help, -help-all,
 * -version, bad command lines and config files (exit 2), config precedence as the
 * running server reports it, and start-up errors for impossible targets.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { freePort, repoRoot, runPhlare, startPhlareChild } from "./helpers/child.js";
import { parseGoFlagHelp } from "./helpers/go-flag-help.js";
import type { HelpEntry } from "./helpers/go-flag-help.js";

/**
 * Visible modules and whether `all` includes them: Phlare's (reference §1.1), except that here
 * the store-gateway and the compactor (Pyroscope's) run in `all` too, so that a single binary
 * reads and compacts its own object storage.
 */
const PHLARE_MODULES: ReadonlyMap<string, boolean> = new Map([
  ["agent", true],
  ["all", false],
  ["compactor", true],
  ["distributor", true],
  ["ingester", true],
  ["overrides-exporter", true],
  ["querier", true],
  ["query-frontend", true],
  ["query-scheduler", true],
  ["store-gateway", true],
  ["usage-stats", true],
]);

/** The modules this implementation must list at least. */
const CORE_LINES = ["all", "compactor *", "distributor *", "ingester *", "querier *", "query-frontend *", "store-gateway *"];

const FOOTER = "Modules marked with * are included in target All.";

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), "phlare-cli-"));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

function entryMap(entries: HelpEntry[]): Map<string, HelpEntry> {
  return new Map(entries.map((e) => [e.name, e]));
}

describe("-modules", () => {
  it("prints the sorted visible modules, * for members of all, then the footer", async () => {
    const r = await runPhlare(["-modules"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.endsWith(`\n\n${FOOTER}\n`), JSON.stringify(r.stdout));
    const lines = r.stdout.slice(0, -`\n\n${FOOTER}\n`.length).split("\n");
    for (const core of CORE_LINES) assert.ok(lines.includes(core), `missing line ${JSON.stringify(core)} in ${JSON.stringify(lines)}`);
    const names = lines.map((l) => l.replace(/ \*$/, ""));
    assert.deepEqual(names, [...names].sort(), "module names are sorted");
    assert.equal(new Set(names).size, names.length, "no module twice");
    for (const line of lines) {
      const name = line.replace(/ \*$/, "");
      assert.ok(PHLARE_MODULES.has(name), `${name} is not a Phlare module`);
      assert.equal(line.endsWith(" *"), PHLARE_MODULES.get(name), `marker of ${name}`);
    }
  });

  it("every visible module but all has its folder src/<name>/", async () => {
    const r = await runPhlare(["-modules"]);
    const names = r.stdout
      .split("\n\n")[0]!
      .split("\n")
      .map((l) => l.replace(/ \*$/, ""))
      .filter((n) => n !== "all");
    assert.ok(names.length > 0);
    for (const name of names) {
      const dir = join(repoRoot, "src", name);
      assert.ok(existsSync(dir) && statSync(dir).isDirectory(), `no folder src/${name}/`);
    }
  });

  it("does not start anything or need a config file", async () => {
    const r = await runPhlare(["-modules", "-config.file=/nonexistent/phlare.yaml"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ingester \*/);
  });
});

describe("-help and -help-all", () => {
  const common = [
    "server.http-listen-port",
    "config.file",
    "config.expand-env",
    "target",
    "auth.multitenancy-enabled",
    "phlaredb.data-path",
    "runtime-config.file",
    "distributor.ingestion-rate-limit-mb",
    "distributor.ingestion-burst-size-mb",
    "validation.max-label-names-per-series",
    "validation.max-length-label-name",
    "validation.max-length-label-value",
    "querier.max-query-lookback",
    "querier.max-query-length",
    "modules",
    "version",
    "help-all",
  ];
  const hidden = ["server.grpc-listen-port", "server.register-instrumentation"];

  it("-help exits 0 and lists the common flags in Go's PrintDefaults layout", async () => {
    const r = await runPhlare(["-help"]);
    assert.equal(r.code, 0, r.stderr);
    const { entries } = parseGoFlagHelp(r.stdout);
    const names = entries.map((e) => e.name);
    assert.deepEqual(names, [...names].sort(), "flags sorted by name");
    const byName = entryMap(entries);
    for (const f of common) assert.ok(byName.has(f), `-help misses -${f}`);
    for (const f of hidden) assert.ok(!byName.has(f), `-help shows hidden -${f}`);
  });

  it("-help shows value words and defaults as Go does", async () => {
    const byName = entryMap(parseGoFlagHelp((await runPhlare(["-help"])).stdout).entries);
    const expect: [string, string, string | undefined][] = [
      ["server.http-listen-port", "int", "4100"],
      ["phlaredb.data-path", "string", '"./data"'],
      ["config.file", "string", undefined],
      ["auth.multitenancy-enabled", "", undefined],
      ["config.expand-env", "", undefined],
      ["server.http-read-timeout", "duration", "30s"],
      ["server.http-idle-timeout", "duration", "2m0s"],
      ["distributor.ingestion-rate-limit-mb", "float", "4"],
      ["validation.max-label-names-per-series", "int", "30"],
      ["target", "value", "all"],
      ["runtime-config.file", "string", undefined],
    ];
    for (const [name, word, dflt] of expect) {
      const e = byName.get(name);
      assert.ok(e, `-${name} listed`);
      assert.equal(e.word, word, `value word of -${name}`);
      assert.equal(e.defaultText, dflt, `default of -${name}`);
    }
    assert.ok(byName.get("h"), "-h is listed on one line");
    assert.equal(byName.get("h")!.word, "");
  });

  it("-h and --help print the same text as -help", async () => {
    const help = (await runPhlare(["-help"])).stdout;
    for (const arg of ["-h", "--help"]) {
      const r = await runPhlare([arg]);
      assert.equal(r.code, 0, `${arg}: ${r.stderr}`);
      assert.equal(r.stdout, help, arg);
    }
  });

  it("-help-all lists the hidden flags too, and every -help entry unchanged", async () => {
    const r = await runPhlare(["-help-all"]);
    assert.equal(r.code, 0, r.stderr);
    const all = parseGoFlagHelp(r.stdout).entries;
    const names = all.map((e) => e.name);
    assert.deepEqual(names, [...names].sort());
    const byName = entryMap(all);
    for (const f of [...common, ...hidden]) assert.ok(byName.has(f), `-help-all misses -${f}`);
    assert.equal(byName.get("server.grpc-listen-port")!.defaultText, "9095");
    const basic = parseGoFlagHelp((await runPhlare(["-help"])).stdout).entries;
    for (const e of basic) assert.deepEqual(byName.get(e.name), e, `-${e.name} differs between -help and -help-all`);
    assert.ok(all.length > basic.length);
  });
});

describe("-version", () => {
  it("prints Prometheus's version layout", async () => {
    const r = await runPhlare(["-version"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.match(lines[0]!, /^phlare, version \S+ \(branch: \S+, revision: \S+\)$/);
    for (const [i, key] of ["build user", "build date", "go version", "platform"].entries()) {
      assert.match(lines[i + 1]!, new RegExp(`^  ${key}:\\s+\\S`), `line ${i + 2}`);
    }
  });
});

describe("bad command lines exit 2", { concurrency: true }, () => {
  const cases: { name: string; args: string[]; stderr: RegExp }[] = [
    { name: "unknown flag", args: ["-nope"], stderr: /flag provided but not defined: -nope/ },
    { name: "unknown flag after good ones", args: ["-target=all", "--nope=1"], stderr: /flag provided but not defined: -nope/ },
    { name: "int flag with text", args: ["-server.http-listen-port=abc"], stderr: /invalid value "abc" for flag -server\.http-listen-port/ },
    { name: "bool flag with text", args: ["-auth.multitenancy-enabled=maybe"], stderr: /invalid boolean value "maybe" for -auth\.multitenancy-enabled/ },
    { name: "bad duration", args: ["-server.http-read-timeout=5parsecs"], stderr: /invalid value "5parsecs" for flag -server\.http-read-timeout/ },
    { name: "bad log level", args: ["-log.level=trace"], stderr: /invalid value "trace" for flag -log\.level/ },
    { name: "missing value", args: ["-config.file"], stderr: /flag needs an argument: -config\.file/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await runPhlare(c.args);
      assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
      assert.match(r.stderr, c.stderr);
      assert.equal(r.stdout, "", "nothing on stdout");
    });
  }
});

describe("bad config files exit 2", { concurrency: true }, () => {
  it("a YAML syntax error names the file and line", async () => {
    const f = file("syntax.yaml", "server:\n  http_listen_port: 4100\n log_level: info\n");
    const r = await runPhlare([`-config.file=${f}`]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(`${f}:3`), r.stderr);
  });

  it("an unclosed flow mapping names the file", async () => {
    const f = file("flow.yaml", "limits: {ingestion_rate_mb: 1\n");
    const r = await runPhlare([`-config.file=${f}`]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(f), r.stderr);
  });

  it("an unknown key is named, with its line", async () => {
    const f = file("unknown.yaml", "server:\n  http_listen_port: 4100\nlimits:\n  bogus_limit: 3\n");
    const r = await runPhlare([`-config.file=${f}`]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /bogus_limit/);
    assert.ok(r.stderr.includes(`${f}:4`), r.stderr);
  });

  it("an unknown top-level section is named", async () => {
    const f = file("section.yaml", "nope_section:\n  x: 1\n");
    const r = await runPhlare([`-config.file=${f}`]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /nope_section/);
  });

  it("a value of the wrong type names the key", async () => {
    const f = file("type.yaml", "server:\n  http_listen_port: lots\n");
    const r = await runPhlare([`-config.file=${f}`]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /http_listen_port/);
  });

  it("${VAR} is left alone without -config.expand-env", async () => {
    const f = file("noexpand.yaml", "server:\n  http_listen_port: ${PORT}\n");
    const r = await runPhlare([`-config.file=${f}`], { PORT: "4100" });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /http_listen_port/);
  });

  it("a missing config file names the file", async () => {
    const missing = join(tmp, "missing.yaml");
    const r = await runPhlare([`-config.file=${missing}`]);
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(missing), r.stderr);
  });

  it("a bad flag is reported before the config file is read", async () => {
    const f = file("later.yaml", "nope_section: 1\n");
    const r = await runPhlare([`-config.file=${f}`, "-nope"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /flag provided but not defined: -nope/);
    assert.doesNotMatch(r.stderr, /nope_section/);
  });
});

describe("a running server", () => {
  it("takes defaults, then YAML (with -config.expand-env), then flags, and stops on SIGTERM with 0", async () => {
    const port = await freePort();
    const data = join(tmp, "data-precedence");
    const cfg = file(
      "precedence.yaml",
      [
        "server:",
        "  http_listen_address: 127.0.0.1",
        "  http_listen_port: ${PORT}",
        "  log_level: ${PHLARE_CLI_TEST_UNSET_LEVEL:warn}",
        "querier:",
        "  query_store_after: 1h",
        "limits:",
        "  max_label_names_per_series: ${PHLARE_CLI_TEST_UNSET:37}",
        "  max_label_value_length: 999",
        "phlaredb:",
        "  data_path: ${DATA_DIR}",
        "",
      ].join("\n"),
    );
    const child = await startPhlareChild(
      [`-config.file=${cfg}`, "-config.expand-env", "-validation.max-length-label-value=1234"],
      port,
      { PORT: String(port), DATA_DIR: data },
    );
    let stopped = false;
    try {
      const res = await fetch(`${child.url}/api/v1/status/config`);
      assert.equal(res.status, 200);
      const c = parseYaml(await res.text()) as Record<string, Record<string, unknown>>;
      assert.equal(c["server"]!["http_listen_port"], port, "YAML via ${PORT}");
      assert.equal(c["server"]!["log_level"], "warn", "YAML via ${VAR:default}");
      assert.equal(c["limits"]!["max_label_names_per_series"], 37, "YAML via ${VAR:default}");
      assert.equal(c["limits"]!["max_label_value_length"], 1234, "the flag beats YAML");
      assert.equal(c["querier"]!["query_store_after"], "1h0m0s", "YAML beats the default");
      assert.equal(c["limits"]!["max_label_name_length"], 1024, "default kept");
      assert.equal(c["server"]!["http_server_read_timeout"], "30s", "default kept");
      assert.equal(c["phlaredb"]!["data_path"], data);
      const diff = parseYaml(await (await fetch(`${child.url}/api/v1/status/config/diff`)).text()) as Record<string, Record<string, unknown>>;
      assert.equal(diff["limits"]!["max_label_value_length"], 1234);
      assert.equal(diff["limits"]!["max_label_name_length"], undefined);
      const r = await child.stop("SIGTERM");
      stopped = true;
      assert.equal(r.code, 0, `exit after SIGTERM; stderr:\n${r.stderr}`);
    } finally {
      if (!stopped) await child.stop("SIGKILL");
    }
  });

  it("stops on SIGINT with 0", async () => {
    const port = await freePort();
    const child = await startPhlareChild(
      ["-server.http-listen-address=127.0.0.1", `-server.http-listen-port=${port}`, `-phlaredb.data-path=${join(tmp, "data-int")}`],
      port,
    );
    const r = await child.stop("SIGINT");
    assert.equal(r.code, 0, r.stderr);
  });
});

describe("impossible targets", () => {
  it("-target=distributor alone fails and says what it needs", async () => {
    const r = await runPhlare(["-target=distributor", "-server.http-listen-port=0", `-phlaredb.data-path=${join(tmp, "data-d")}`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /distributor/);
    assert.match(r.stderr, /ingester/, "names the missing module");
  });

  it("-target=nope fails naming the module", async () => {
    const r = await runPhlare(["-target=nope", "-server.http-listen-port=0", `-phlaredb.data-path=${join(tmp, "data-n")}`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /\bnope\b/);
    assert.match(r.stderr, /module/);
  });

  it("an unknown module among good ones is named too", async () => {
    const r = await runPhlare(["-target=ingester,bogus-module", "-server.http-listen-port=0", `-phlaredb.data-path=${join(tmp, "data-b")}`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /bogus-module/);
  });
});
