import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { allFields, defaultConfig } from "./config.js";
import { compactorRingFields, distributorRingFields, ringFields, storeGatewayRingFields } from "../ring/config.js";
import { querySchedulerFields } from "../query-scheduler/config.js";
import type { Config } from "./config.js";
import { days, hours, minutes, seconds } from "./duration.js";
import { fieldTrie, formatValue, getPath, parseFlagValue } from "./field.js";
import type { Field } from "./field.js";
import { binaryFlags } from "./flags.js";
import { defaultLimits, limitsFields, limitsKey } from "./limits.js";

function kindMatches(field: Field): boolean {
  const d: unknown = field.default;
  switch (field.kind) {
    case "string":
      return typeof d === "string";
    case "bool":
      return typeof d === "boolean";
    case "int":
      return Number.isSafeInteger(d);
    case "float":
      return typeof d === "number" && Number.isFinite(d);
    case "duration":
    case "model-duration":
      return typeof d === "number" && Number.isFinite(d) && d >= 0;
    case "strings":
    case "csv":
      return Array.isArray(d) && d.every((x) => typeof x === "string");
  }
}

describe("allFields", () => {
  test("no two fields share a flag", () => {
    const seen = new Set<string>(["h", "help"]);
    for (const field of [...binaryFlags, ...allFields]) {
      assert.ok(!seen.has(field.flag), `flag -${field.flag} used twice`);
      seen.add(field.flag);
    }
  });

  test("no two fields share a YAML path, and no leaf is also a section", () => {
    const seen = new Set<string>();
    for (const field of allFields) {
      assert.ok(!seen.has(field.yaml), `YAML path ${field.yaml} used twice`);
      seen.add(field.yaml);
    }
    assert.doesNotThrow(() => fieldTrie(allFields));
  });

  for (const field of allFields) {
    test(`-${field.flag}: default has kind ${field.kind}, passes its own check and round-trips`, () => {
      assert.ok(kindMatches(field), `default ${JSON.stringify(field.default)} is not a ${field.kind}`);
      assert.equal(field.validate?.(field.default as never), undefined);
      assert.deepEqual(parseFlagValue(field, formatValue(field, field.default)), field.default);
      // Phlare's one capitalised flag name, kept for compatibility.
      if (field.flag !== "ingester.lifecycler.ID") assert.match(field.flag, /^[a-z0-9]+([.-][a-z0-9]+)*$/);
      assert.ok(field.help.length > 0);
    });
  }

  test("top-level sections come in Phlare's order", () => {
    assert.deepEqual(Object.keys(defaultConfig()), [
      "target",
      "client",
      "scrape_configs",
      "api",
      "server",
      "distributor",
      "querier",
      "frontend",
      "frontend_worker",
      "limits",
      "query_scheduler",
      "ingester",
      "store_gateway",
      "phlaredb",
      "runtime_config",
      "storage",
      "compactor",
      "multitenancy_enabled",
    ]);
  });
});

describe("defaults match Phlare", () => {
  const config: Config = defaultConfig();
  const cases: Array<{ path: string; flag: string; want: unknown }> = [
    { path: "target", flag: "target", want: ["all"] },
    { path: "api.base-url", flag: "api.base-url", want: "" },
    { path: "client.url", flag: "client.url", want: "" },
    { path: "client.tenant_id", flag: "client.tenant-id", want: "anonymous" },
    { path: "client.batchwait", flag: "client.batch-wait", want: seconds(1) },
    { path: "client.batchsize", flag: "client.batch-size-bytes", want: 1024 * 1024 },
    { path: "client.timeout", flag: "client.timeout", want: seconds(10) },
    { path: "server.http_listen_address", flag: "server.http-listen-address", want: "" },
    { path: "server.http_listen_port", flag: "server.http-listen-port", want: 4100 },
    { path: "server.grpc_listen_port", flag: "server.grpc-listen-port", want: 9095 },
    { path: "server.http_server_read_timeout", flag: "server.http-read-timeout", want: seconds(30) },
    { path: "server.http_server_write_timeout", flag: "server.http-write-timeout", want: seconds(30) },
    { path: "server.http_server_idle_timeout", flag: "server.http-idle-timeout", want: minutes(2) },
    { path: "server.graceful_shutdown_timeout", flag: "server.graceful-shutdown-timeout", want: seconds(30) },
    { path: "server.http_path_prefix", flag: "server.path-prefix", want: "" },
    { path: "server.register_instrumentation", flag: "server.register-instrumentation", want: true },
    { path: "server.log_level", flag: "log.level", want: "info" },
    { path: "server.log_format", flag: "log.format", want: "logfmt" },
    { path: "multitenancy_enabled", flag: "auth.multitenancy-enabled", want: false },
    { path: "distributor.pushtimeout", flag: "distributor.push.timeout", want: seconds(5) },
    { path: "ingester.lifecycler.ring.replication_factor", flag: "distributor.replication-factor", want: 1 },
    { path: "phlaredb.data_path", flag: "phlaredb.data-path", want: "./data" },
    { path: "phlaredb.max_block_duration", flag: "phlaredb.max-block-duration", want: hours(1) },
    { path: "phlaredb.max_block_bytes", flag: "phlaredb.max-block-bytes", want: 1024 * 1024 * 1024 },
    { path: "phlaredb.row_group_target_size", flag: "phlaredb.row-group-target-size", want: 1_342_177_280 },
    { path: "querier.query_store_after", flag: "querier.query-store-after", want: hours(4) },
    { path: "frontend_worker.max_concurrent", flag: "querier.max-concurrent", want: 4 },
    { path: "runtime_config.file", flag: "runtime-config.file", want: "" },
    { path: "runtime_config.period", flag: "runtime-config.reload-period", want: seconds(10) },
    { path: "limits.ingestion_rate_mb", flag: "distributor.ingestion-rate-limit-mb", want: 4 },
    { path: "limits.ingestion_burst_size_mb", flag: "distributor.ingestion-burst-size-mb", want: 2 },
    { path: "limits.ingestion_body_limit_mb", flag: "distributor.ingestion-body-limit-mb", want: 256 },
    { path: "limits.max_label_name_length", flag: "validation.max-length-label-name", want: 1024 },
    { path: "limits.max_label_value_length", flag: "validation.max-length-label-value", want: 2048 },
    { path: "limits.max_label_names_per_series", flag: "validation.max-label-names-per-series", want: 30 },
    { path: "limits.ingestion_tenant_shard_size", flag: "distributor.ingestion-tenant-shard-size", want: 0 },
    { path: "limits.max_local_series_per_tenant", flag: "ingester.max-local-series-per-tenant", want: 0 },
    { path: "limits.max_global_series_per_tenant", flag: "ingester.max-global-series-per-tenant", want: 5000 },
    { path: "limits.max_query_lookback", flag: "querier.max-query-lookback", want: days(7) },
    { path: "limits.max_query_length", flag: "querier.max-query-length", want: days(1) },
    { path: "limits.max_query_parallelism", flag: "querier.max-query-parallelism", want: 0 },
    { path: "limits.split_queries_by_interval", flag: "querier.split-queries-by-interval", want: 0 },
    { path: "limits.store_gateway_tenant_shard_size", flag: "store-gateway.tenant-shard-size", want: 0 },
    { path: "limits.max_flamegraph_nodes_default", flag: "querier.max-flamegraph-nodes-default", want: 2048 },
    { path: "limits.max_flamegraph_nodes_max", flag: "querier.max-flamegraph-nodes-max", want: 1_048_576 },
    { path: "limits.compactor_blocks_retention_period", flag: "compactor.blocks-retention-period", want: 0 },
  ];
  // These sections check their defaults in their own config tests (src/objstore, src/store-gateway, src/compactor, src/ring).
  const ownTables = ["storage.", "store_gateway.", "compactor."];
  for (const c of cases) {
    test(`${c.path} (-${c.flag})`, () => {
      const field = allFields.find((f) => f.yaml === c.path);
      assert.ok(field, `no field at ${c.path}`);
      assert.equal(field.flag, c.flag);
      assert.deepEqual(getPath(config, c.path), c.want);
    });
  }

  test("every field is covered by the table above", () => {
    const rings = new Set([...ringFields, ...distributorRingFields, ...storeGatewayRingFields, ...compactorRingFields, ...querySchedulerFields].map((f) => f.yaml));
    const fields = allFields.map((f) => f.yaml).filter((y) => !ownTables.some((p) => y.startsWith(p)) && !rings.has(y));
    assert.deepEqual(fields.sort(), cases.map((c) => c.path).sort());
  });

  test("typed access reads the same tree", () => {
    assert.equal(config.server.http_listen_port, 4100);
    assert.equal(config.limits.max_query_lookback, days(7));
    assert.equal(config.ingester.lifecycler.ring.replication_factor, 1);
    assert.equal(config.api["base-url"], "");
  });
});

describe("limits", () => {
  test("defaultLimits holds every limits row, keyed by YAML key", () => {
    const limits = defaultLimits();
    assert.deepEqual(Object.keys(limits), limitsFields.map(limitsKey));
    assert.deepEqual(limits, defaultConfig().limits);
  });

  test("defaultLimits returns a fresh object", () => {
    const a = defaultLimits();
    a.ingestion_rate_mb = 100;
    assert.equal(defaultLimits().ingestion_rate_mb, 4);
  });

  test("every limits row lives under limits.", () => {
    for (const field of limitsFields) assert.ok(field.yaml.startsWith("limits."), field.yaml);
  });
});
