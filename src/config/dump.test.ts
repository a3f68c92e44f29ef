import assert from "node:assert/strict";
import { hostname } from "node:os";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { allFields, defaultConfig, withYamlSections } from "./config.js";
import type { Config } from "./config.js";
import { configDiffYaml, configYaml, defaultsYaml, overridesYaml } from "./dump.js";
import { days, hours } from "./duration.js";
import { defaultsOf } from "./field.js";
import type { Field } from "./field.js";
import { defaultLimits } from "./limits.js";
import { applyRootYamlText } from "./load.js";

// Ring instance IDs default to the host name.
const HOST = hostname();

// Phlare's /api/v1/status/config/default for the keys we implement, in its key order and value forms.
const DEFAULTS = `target: all
client:
  url: ""
  tenant_id: anonymous
  batchwait: 1s
  batchsize: 1048576
  timeout: 10s
scrape_configs: []
api:
  base-url: ""
server:
  http_listen_address: ""
  http_listen_port: 4100
  grpc_listen_port: 9095
  http_server_read_timeout: 30s
  http_server_write_timeout: 30s
  http_server_idle_timeout: 2m0s
  graceful_shutdown_timeout: 30s
  http_path_prefix: ""
  register_instrumentation: true
  log_level: info
  log_format: logfmt
distributor:
  pushtimeout: 5s
  ring:
    kvstore:
      store: inmemory
      prefix: collectors/
      etcd:
        endpoints: []
        dial_timeout: 10s
        max_retries: 10
        username: ""
        password: ""
    heartbeat_period: 5s
    heartbeat_timeout: 1m0s
    replication_factor: 1
    instance_id: ${HOST}
    instance_addr: ""
    instance_port: 0
querier:
  query_store_after: 4h0m0s
frontend:
  scheduler_address: ""
frontend_worker:
  max_concurrent: 4
  scheduler_address: ""
  id: ""
limits:
  ingestion_rate_mb: 4
  ingestion_burst_size_mb: 2
  ingestion_body_limit_mb: 256
  max_label_name_length: 1024
  max_label_value_length: 2048
  max_label_names_per_series: 30
  ingestion_tenant_shard_size: 0
  max_local_series_per_tenant: 0
  max_global_series_per_tenant: 5000
  max_query_lookback: 1w
  max_query_length: 1d
  max_query_parallelism: 0
  split_queries_by_interval: 0s
  store_gateway_tenant_shard_size: 0
  max_flamegraph_nodes_default: 2048
  max_flamegraph_nodes_max: 1048576
  compactor_blocks_retention_period: 0s
query_scheduler:
  max_outstanding_requests_per_tenant: 100
  service_discovery_mode: ring
ingester:
  lifecycler:
    ring:
      replication_factor: 1
      kvstore:
        store: inmemory
        prefix: collectors/
        etcd:
          endpoints: []
          dial_timeout: 10s
          max_retries: 10
          username: ""
          password: ""
      heartbeat_timeout: 1m0s
    num_tokens: 128
    heartbeat_period: 5s
    heartbeat_timeout: 1m0s
    join_after: 0s
    min_ready_duration: 15s
    tokens_file_path: ""
    availability_zone: ""
    unregister_on_shutdown: true
    readiness_check_ring_health: true
    address: ""
    port: 0
    id: ${HOST}
store_gateway:
  bucket_store:
    sync_interval: 15m0s
    ignore_blocks_within: 0s
  max_loaded_bytes: 1073741824
  sharding_ring:
    kvstore:
      store: inmemory
      prefix: collectors/
      etcd:
        endpoints: []
        dial_timeout: 10s
        max_retries: 10
        username: ""
        password: ""
    heartbeat_period: 15s
    heartbeat_timeout: 1m0s
    replication_factor: 3
    instance_id: ${HOST}
    instance_addr: ""
    instance_port: 0
phlaredb:
  data_path: ./data
  max_block_duration: 1h0m0s
  max_block_bytes: 1073741824
  row_group_target_size: 1342177280
runtime_config:
  file: ""
  period: 10s
storage:
  backend: filesystem
  s3:
    endpoint: ""
    region: ""
    bucket_name: ""
    secret_access_key: ""
    access_key_id: ""
    insecure: false
    signature_version: v4
    sse:
      type: ""
      kms_key_id: ""
      kms_encryption_context: ""
    http:
      idle_conn_timeout: 1m30s
      response_header_timeout: 2m0s
      insecure_skip_verify: false
      tls_handshake_timeout: 10s
      expect_continue_timeout: 1s
      max_idle_connections: 100
      max_idle_connections_per_host: 100
      max_connections_per_host: 0
  gcs:
    bucket_name: ""
    service_account: ""
    endpoint: ""
  azure:
    account_name: ""
    account_key: ""
    container_name: ""
    endpoint_suffix: ""
    max_retries: 20
    msi_resource: ""
    user_assigned_id: ""
    endpoint: ""
  swift:
    auth_version: 0
    auth_url: ""
    username: ""
    user_domain_name: ""
    user_domain_id: ""
    user_id: ""
    password: ""
    domain_id: ""
    domain_name: ""
    project_id: ""
    project_name: ""
    project_domain_id: ""
    project_domain_name: ""
    region_name: ""
    container_name: ""
    max_retries: 3
    connect_timeout: 10s
    request_timeout: 5s
  cos:
    bucket: ""
    region: ""
    app_id: ""
    endpoint: ""
    secret_key: ""
    secret_id: ""
    http:
      idle_conn_timeout: 1m30s
      response_header_timeout: 2m0s
      insecure_skip_verify: false
      tls_handshake_timeout: 10s
      expect_continue_timeout: 1s
      max_idle_connections: 100
      max_idle_connections_per_host: 100
      max_connections_per_host: 0
  filesystem:
    dir: ""
  storage_prefix: ""
compactor:
  block_ranges: 4h,1d
  compaction_interval: 1h0m0s
  consistency_delay: 30m0s
  deletion_delay: 12h0m0s
  sharding_ring:
    kvstore:
      store: inmemory
      prefix: collectors/
      etcd:
        endpoints: []
        dial_timeout: 10s
        max_retries: 10
        username: ""
        password: ""
    heartbeat_period: 15s
    heartbeat_timeout: 1m0s
    replication_factor: 1
    instance_id: ${HOST}
    instance_addr: ""
    instance_port: 0
multitenancy_enabled: false
`;

function changed(edit: (c: Config) => void): Config {
  const config = defaultConfig();
  edit(config);
  return config;
}

describe("configYaml", () => {
  test("defaults render exactly like Phlare's default config page", () => {
    assert.equal(defaultsYaml(), DEFAULTS);
    assert.equal(configYaml(defaultConfig()), DEFAULTS);
  });

  test("credentials are shown as ********", () => {
    const c = defaultConfig();
    c.storage.s3.secret_access_key = "hunter2";
    c.storage.swift.password = "hunter3";
    const yaml = configYaml(c);
    assert.doesNotMatch(yaml, /hunter/);
    assert.match(yaml, /secret_access_key: "\*{8}"/);
    assert.match(configYaml(defaultConfig()), /secret_access_key: ""/, "an unset secret stays empty");
  });

  test("the dump loads back to the same config", () => {
    const config = changed((c) => {
      c.target = ["ingester", "distributor"];
      c.limits.max_query_length = days(1) + hours(12);
      c.phlaredb.max_block_duration = hours(1) + 1500;
      c.server.http_path_prefix = "/phlare";
    });
    const back = defaultsOf(allFields);
    const sections = applyRootYamlText(back, configYaml(config), "dump.yaml");
    assert.deepEqual(withYamlSections(back, sections), config);
  });

  const values: Array<{ name: string; edit: (c: Config) => void; line: string }> = [
    { name: "Go duration", edit: (c) => (c.phlaredb.max_block_duration = hours(3)), line: "  max_block_duration: 3h0m0s" },
    { name: "model duration", edit: (c) => (c.limits.max_query_lookback = days(30)), line: "  max_query_lookback: 30d" },
    { name: "model duration days+hours", edit: (c) => (c.limits.max_query_length = days(1) + hours(12)), line: "  max_query_length: 1d12h" },
    { name: "target joined", edit: (c) => (c.target = ["querier", "ingester"]), line: "target: querier,ingester" },
    { name: "float", edit: (c) => (c.limits.ingestion_rate_mb = 0.5), line: "  ingestion_rate_mb: 0.5" },
    { name: "string that looks like a number is quoted", edit: (c) => (c.phlaredb.data_path = "123"), line: '  data_path: "123"' },
  ];
  for (const c of values) {
    test(c.name, () => assert.ok(configYaml(changed(c.edit)).split("\n").includes(c.line), configYaml(changed(c.edit))));
  }

  test("lists are written like yaml.v2, items at the key's indentation", () => {
    const fields: Field[] = [{ flag: "l", yaml: "a.list", kind: "strings", default: ["x", "y"], help: "l" }];
    assert.equal(configYaml(defaultsOf(fields), fields), "a:\n  list:\n  - x\n  - y\n");
  });
});

describe("configDiffYaml", () => {
  test("nothing differs", () => assert.equal(configDiffYaml(defaultConfig()), "{}\n"));

  test("only differing values, nested under their sections", () => {
    const config = changed((c) => {
      c.server.http_listen_port = 4200;
      c.limits.max_query_lookback = days(14);
      c.ingester.lifecycler.ring.replication_factor = 3;
      c.multitenancy_enabled = true;
    });
    assert.equal(
      configDiffYaml(config),
      "server:\n  http_listen_port: 4200\nlimits:\n  max_query_lookback: 2w\n" +
        "ingester:\n  lifecycler:\n    ring:\n      replication_factor: 3\nmultitenancy_enabled: true\n",
    );
  });

  test("a value equal to its default once printed is no difference", () => {
    const config = changed((c) => (c.target = ["all"]));
    assert.equal(configDiffYaml(config), "{}\n");
  });
});

describe("overridesYaml", () => {
  const defaults = defaultLimits();
  const overrides = { "tenant-b": { ingestion_rate_mb: 10 }, "tenant-a": { max_query_lookback: days(30) }, same: {} };

  test("diff lists only differing keys, tenants sorted", () => {
    assert.equal(
      overridesYaml(overrides, defaults, "diff"),
      "overrides:\n  tenant-a:\n    max_query_lookback: 30d\n  tenant-b:\n    ingestion_rate_mb: 10\n",
    );
  });

  test("all lists every limit of every tenant", () => {
    const doc: unknown = parse(overridesYaml(overrides, defaults, "all"));
    assert.deepEqual(Object.keys((doc as { overrides: object }).overrides), ["same", "tenant-a", "tenant-b"]);
    const a = (doc as { overrides: Record<string, Record<string, unknown>> }).overrides["tenant-a"];
    assert.equal(a?.["max_query_lookback"], "30d");
    assert.equal(a?.["max_query_length"], "1d");
    assert.equal(a?.["ingestion_rate_mb"], 4);
  });

  test("no tenants", () => assert.equal(overridesYaml({}, defaults, "diff"), "overrides: {}\n"));
});
