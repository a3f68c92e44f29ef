import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { Config } from "./config.js";
import { defaultConfig } from "./config.js";
import { days, hours, minutes, seconds } from "./duration.js";
import { ConfigError, FlagError } from "../model/errors.js";
import { getPath } from "./field.js";
import { loadConfig } from "./load.js";

const dir = mkdtempSync(join(tmpdir(), "phlare-load-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileSeq = 0;
function writeConfig(text: string): string {
  const file = join(dir, `config-${fileSeq++}.yaml`);
  writeFileSync(file, text);
  return file;
}

function run(argv: string[], env: NodeJS.ProcessEnv = {}): Config {
  const result = loadConfig(argv, env);
  assert.equal(result.kind, "run");
  if (result.kind !== "run") throw new Error("unreachable");
  return result.config;
}

function configError(argv: string[], env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    loadConfig(argv, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a ConfigError");
}

const realistic = `# A Phlare config as found in the wild.
target: all
api:
  base-url: /phlare
server:
  http_listen_port: 4200
  grpc_listen_port: 9096
  http_server_read_timeout: 1m
  http_server_idle_timeout: 5m30s
  log_level: debug
  log_format: json
distributor:
  pushtimeout: 10s
querier:
  query_store_after: 2h
frontend_worker:
  max_concurrent: 8
limits:
  ingestion_rate_mb: 8.5
  ingestion_burst_size_mb: 4
  max_label_names_per_series: 40
  max_global_series_per_tenant: 10000
  max_query_lookback: 30d
  max_query_length: 1d12h
  split_queries_by_interval: 1h
ingester:
  lifecycler:
    ring:
      replication_factor: 3
phlaredb:
  data_path: /var/lib/phlare
  max_block_duration: 2h
runtime_config:
  file: /etc/phlare/overrides.yaml
  period: 30s
multitenancy_enabled: true
`;

describe("loadConfig: YAML file", () => {
  test("no arguments gives the defaults", () => {
    assert.deepEqual(run([]), defaultConfig());
    const config = run([]);
    assert.equal(config.server.http_listen_port, 4100);
    assert.deepEqual(config.target, ["all"]);
    assert.equal(config.limits.max_query_lookback, days(7));
  });

  test("a realistic config file", () => {
    const file = writeConfig(realistic);
    const result = loadConfig(["-config.file", file], {});
    assert.ok(result.kind === "run");
    assert.equal(result.rawYamlText, realistic);
    const c = result.config;
    assert.deepEqual(c.target, ["all"]);
    assert.equal(c.api["base-url"], "/phlare");
    assert.equal(c.server.http_listen_port, 4200);
    assert.equal(c.server.grpc_listen_port, 9096);
    assert.equal(c.server.http_server_read_timeout, minutes(1));
    assert.equal(c.server.http_server_write_timeout, seconds(30), "unset key keeps its default");
    assert.equal(c.server.http_server_idle_timeout, minutes(5) + seconds(30));
    assert.equal(c.server.log_level, "debug");
    assert.equal(c.server.log_format, "json");
    assert.equal(c.distributor.pushtimeout, seconds(10));
    assert.equal(c.querier.query_store_after, hours(2));
    assert.equal(c.frontend_worker.max_concurrent, 8);
    assert.equal(c.limits.ingestion_rate_mb, 8.5);
    assert.equal(c.limits.ingestion_burst_size_mb, 4);
    assert.equal(c.limits.max_label_names_per_series, 40);
    assert.equal(c.limits.max_label_name_length, 1024);
    assert.equal(c.limits.max_global_series_per_tenant, 10000);
    assert.equal(c.limits.max_query_lookback, days(30));
    assert.equal(c.limits.max_query_length, days(1) + hours(12));
    assert.equal(c.limits.split_queries_by_interval, hours(1));
    assert.equal(c.ingester.lifecycler.ring.replication_factor, 3);
    assert.equal(c.phlaredb.data_path, "/var/lib/phlare");
    assert.equal(c.phlaredb.max_block_duration, hours(2));
    assert.equal(c.phlaredb.row_group_target_size, 1_342_177_280);
    assert.equal(c.runtime_config.file, "/etc/phlare/overrides.yaml");
    assert.equal(c.runtime_config.period, seconds(30));
    assert.equal(c.multitenancy_enabled, true);
  });

  test("an empty file gives the defaults", () => {
    assert.deepEqual(run(["-config.file", writeConfig("")]), defaultConfig());
  });

  test("a comma-separated target in YAML", () => {
    assert.deepEqual(run([`-config.file=${writeConfig("target: ingester,distributor\n")}`]).target, ["ingester", "distributor"]);
  });

  const errors: Array<{ name: string; yaml: string; message: RegExp }> = [
    {
      name: "unknown nested key names its path and line",
      yaml: "server:\n  http_listen_port: 1\n  http_listen_prot: 2\n",
      message: /:3:3: unknown key server\.http_listen_prot$/,
    },
    { name: "unknown top-level key", yaml: "scrape_configz:\n  - job_name: x\n", message: /:1:1: unknown key scrape_configz$/ },
    {
      name: "wrong type names the path and expected kind",
      yaml: "server:\n  http_listen_port: http\n",
      message: /:2:3: server\.http_listen_port: expected int, got string "http"$/,
    },
    {
      name: "bad duration",
      yaml: "limits:\n  max_query_length: 1x\n",
      message: /:2:3: limits\.max_query_length: unknown unit "x" in duration "1x"$/,
    },
    {
      name: "bad log level",
      yaml: "server:\n  log_level: loud\n",
      message: /:2:3: server\.log_level: unrecognized log level "loud"$/,
    },
    { name: "section given a scalar", yaml: "server: 4100\n", message: /:1:1: server: expected a mapping, got number 4100$/ },
    { name: "top level not a mapping", yaml: "- a\n- b\n", message: /: config: expected a mapping, got list$/ },
    { name: "bad YAML indentation", yaml: "server:\n  http_listen_port: 1\n bad: [\n", message: /:3:\d+: / },
    { name: "unclosed flow sequence", yaml: "target: [a, b\nserver: {}\n", message: /:\d+:\d+: / },
    { name: "duplicate key", yaml: "server:\n  log_level: info\n  log_level: debug\n", message: /:3:3: Map keys must be unique/ },
  ];
  for (const c of errors) {
    test(`rejects ${c.name}`, () => {
      const file = writeConfig(c.yaml);
      const err = configError(["-config.file", file]);
      assert.ok(err.message.startsWith(file), err.message);
      assert.match(err.message, c.message);
    });
  }

  test("a missing file is a ConfigError naming it", () => {
    const file = join(dir, "missing.yaml");
    const err = configError([`-config.file=${file}`]);
    assert.match(err.message, new RegExp(`read config file ${file}: ENOENT`));
  });
});

describe("loadConfig: precedence", () => {
  const yaml = "server:\n  http_listen_port: 4200\n  log_level: warn\nlimits:\n  max_query_length: 2d\n";
  const cases: Array<{ name: string; flags: string[]; withFile: boolean; path: string; want: unknown }> = [
    { name: "default", flags: [], withFile: false, path: "server.http_listen_port", want: 4100 },
    { name: "YAML over default", flags: [], withFile: true, path: "server.http_listen_port", want: 4200 },
    {
      name: "flag over YAML",
      flags: ["-server.http-listen-port=4300"],
      withFile: true,
      path: "server.http_listen_port",
      want: 4300,
    },
    { name: "flag over default", flags: ["-log.level=debug"], withFile: false, path: "server.log_level", want: "debug" },
    { name: "YAML kept where no flag", flags: ["-server.http-listen-port=1"], withFile: true, path: "server.log_level", want: "warn" },
    {
      name: "model duration flag over YAML",
      flags: ["-querier.max-query-length=12h"],
      withFile: true,
      path: "limits.max_query_length",
      want: hours(12),
    },
    { name: "model duration from YAML", flags: [], withFile: true, path: "limits.max_query_length", want: days(2) },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const argv = c.withFile ? [...c.flags, "-config.file", writeConfig(yaml)] : c.flags;
      assert.deepEqual(getPath(run(argv), c.path), c.want);
    });
  }

  test("a flag given before -config.file still wins over the file", () => {
    const file = writeConfig(yaml);
    assert.equal(run(["-server.http-listen-port=1", `-config.file=${file}`]).server.http_listen_port, 1);
  });
});

describe("loadConfig: -config.expand-env", () => {
  const yaml = "server:\n  http_listen_port: ${PORT:4100}\nphlaredb:\n  data_path: ${DATA_DIR}/phlare\n";

  test("expands with the flag", () => {
    const c = run(["-config.file", writeConfig(yaml), "-config.expand-env"], { PORT: "4500", DATA_DIR: "/srv" });
    assert.equal(c.server.http_listen_port, 4500);
    assert.equal(c.phlaredb.data_path, "/srv/phlare");
  });

  test("uses defaults and empty strings for unset variables", () => {
    const c = run(["-config.expand-env=true", "-config.file", writeConfig(yaml)], {});
    assert.equal(c.server.http_listen_port, 4100);
    assert.equal(c.phlaredb.data_path, "/phlare");
  });

  test("leaves the text alone without the flag", () => {
    const file = writeConfig("phlaredb:\n  data_path: ${DATA_DIR}\n");
    assert.equal(run(["-config.file", file], { DATA_DIR: "/srv" }).phlaredb.data_path, "${DATA_DIR}");
  });
});

describe("loadConfig: non-run results", () => {
  const missing = join(dir, "never-read.yaml");
  const cases: Array<{ name: string; argv: string[]; kind: string }> = [
    { name: "-h", argv: ["-h"], kind: "help" },
    { name: "--help", argv: ["--help"], kind: "help" },
    { name: "-help-all", argv: ["-help-all"], kind: "help" },
    { name: "-version without reading the file", argv: ["-config.file", missing, "-version"], kind: "version" },
    { name: "-modules without reading the file", argv: ["-modules", "-config.file", missing], kind: "modules" },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(loadConfig(c.argv, {}).kind, c.kind));
  }

  test("-help lists visible flags only, -help-all adds hidden ones", () => {
    const help = loadConfig(["-help"], {});
    const all = loadConfig(["-help-all"], {});
    assert.ok(help.kind === "help" && all.kind === "help");
    assert.ok(help.text.startsWith("Usage of phlare:\n"));
    assert.doesNotMatch(help.text, /-server\.grpc-listen-port/);
    assert.match(all.text, /-server\.grpc-listen-port int\n {4}\tgRPC server listen port\./);
    assert.match(help.text, /-server\.http-listen-port int\n {4}\tHTTP server listen port\. \(default 4100\)/);
  });

  test("a bad flag fails before the file is read", () => {
    assert.throws(() => loadConfig(["-config.file", missing, "-nope"], {}), FlagError);
  });
});
