import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultsOf, flagValue, getPath } from "../config/field.js";
import { distributorFields } from "../distributor/config.js";
import { compactorRingFields, distributorRingFields, kvStoreFields, ringFields, storeGatewayRingFields } from "./config.js";

test("flags and YAML paths follow Phlare's ingester ring", () => {
  const byFlag = new Map(ringFields.map((f) => [f.flag, f]));
  const expected: [string, string, unknown][] = [
    ["ring.store", "ingester.lifecycler.ring.kvstore.store", "inmemory"],
    ["ring.prefix", "ingester.lifecycler.ring.kvstore.prefix", "collectors/"],
    ["etcd.endpoints", "ingester.lifecycler.ring.kvstore.etcd.endpoints", []],
    ["etcd.dial-timeout", "ingester.lifecycler.ring.kvstore.etcd.dial_timeout", 10_000],
    ["etcd.max-retries", "ingester.lifecycler.ring.kvstore.etcd.max_retries", 10],
    ["etcd.username", "ingester.lifecycler.ring.kvstore.etcd.username", ""],
    ["etcd.password", "ingester.lifecycler.ring.kvstore.etcd.password", ""],
    ["ring.heartbeat-timeout", "ingester.lifecycler.ring.heartbeat_timeout", 60_000],
    ["ingester.num-tokens", "ingester.lifecycler.num_tokens", 128],
    ["ingester.heartbeat-period", "ingester.lifecycler.heartbeat_period", 5_000],
    ["ingester.join-after", "ingester.lifecycler.join_after", 0],
    ["ingester.min-ready-duration", "ingester.lifecycler.min_ready_duration", 15_000],
    ["ingester.tokens-file-path", "ingester.lifecycler.tokens_file_path", ""],
    ["ingester.unregister-on-shutdown", "ingester.lifecycler.unregister_on_shutdown", true],
  ];
  for (const [flag, yaml, def] of expected) {
    const f = byFlag.get(flag);
    assert.ok(f, `missing -${flag}`);
    assert.equal(f.yaml, yaml);
    assert.deepEqual(f.default, def, `default of -${flag}`);
  }
  assert.equal(byFlag.get("etcd.password")?.secret, true);
});

test("no flag or YAML path is defined twice, here or against the distributor's table", () => {
  const all = [...ringFields, ...distributorFields];
  assert.equal(new Set(all.map((f) => f.flag)).size, all.length);
  assert.equal(new Set(all.map((f) => f.yaml)).size, all.length);
  const tree = defaultsOf(all);
  assert.equal(getPath(tree, "ingester.lifecycler.ring.replication_factor"), 1);
  assert.equal(getPath(tree, "ingester.lifecycler.ring.kvstore.store"), "inmemory");
});

test("other rings put every KV flag under their prefix", () => {
  const flags = kvStoreFields("distributor.ring.", "distributor.ring.kvstore", true).map((f) => f.flag);
  assert.deepEqual(flags, [
    "distributor.ring.store",
    "distributor.ring.prefix",
    "distributor.ring.etcd.endpoints",
    "distributor.ring.etcd.dial-timeout",
    "distributor.ring.etcd.max-retries",
    "distributor.ring.etcd.username",
    "distributor.ring.etcd.password",
  ]);
});

test("values are checked", () => {
  const field = (flag: string) => ringFields.find((f) => f.flag === flag)!;
  assert.equal(flagValue(field("ring.store"), "etcd"), "etcd");
  assert.throws(() => flagValue(field("ring.store"), "memberlist"), /unsupported KV store "memberlist"/);
  assert.deepEqual(flagValue(field("etcd.endpoints"), "a:2379,b:2379"), ["a:2379", "b:2379"]);
  assert.throws(() => flagValue(field("ingester.num-tokens"), "0"), /at least 1/);
  assert.throws(() => flagValue(field("etcd.max-retries"), "0"), /at least 1/);
});

test("component rings: Phlare's and Mimir's flags, heartbeats and replication factors", () => {
  const tree = defaultsOf([...distributorRingFields, ...storeGatewayRingFields, ...compactorRingFields]);
  const cases: [string, string, string, number, number, number][] = [
    ["distributor.ring.", "distributor.ring", "distributor", 5_000, 60_000, 1],
    ["store-gateway.sharding-ring.", "store_gateway.sharding_ring", "store-gateway", 15_000, 60_000, 3],
    ["compactor.ring.", "compactor.sharding_ring", "compactor", 15_000, 60_000, 1],
  ];
  for (const [flagPrefix, yaml, , period, timeout, rf] of cases) {
    const fields = [...distributorRingFields, ...storeGatewayRingFields, ...compactorRingFields].filter((f) => f.flag.startsWith(flagPrefix));
    const flags = fields.map((f) => f.flag.slice(flagPrefix.length));
    assert.deepEqual(flags, [
      "store",
      "prefix",
      "etcd.endpoints",
      "etcd.dial-timeout",
      "etcd.max-retries",
      "etcd.username",
      "etcd.password",
      "heartbeat-period",
      "heartbeat-timeout",
      "replication-factor",
      "instance-id",
      "instance-addr",
      "instance-port",
    ]);
    assert.equal(getPath(tree, `${yaml}.kvstore.store`), "inmemory");
    assert.equal(getPath(tree, `${yaml}.heartbeat_period`), period);
    assert.equal(getPath(tree, `${yaml}.heartbeat_timeout`), timeout);
    assert.equal(getPath(tree, `${yaml}.replication_factor`), rf);
  }
  // Phlare keeps the distributor ring out of -help.
  assert.ok(distributorRingFields.every((f) => f.hidden === true));
  assert.ok(storeGatewayRingFields.every((f) => f.hidden !== true));
});
