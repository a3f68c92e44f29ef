import assert from "node:assert/strict";
import { test } from "node:test";
import type { KVStoreConfig } from "./config.js";
import { createInMemoryKV } from "./inmemory-kv.js";
import { createKV } from "./kv-factory.js";

const cfg = (store: string, endpoints: string[] = []): KVStoreConfig => ({
  store,
  prefix: "collectors/",
  etcd: { endpoints, dial_timeout: 1000, max_retries: 10, username: "", password: "" },
});

test("inmemory gives back the shared store", () => {
  const shared = createInMemoryKV();
  assert.equal(createKV(cfg("inmemory"), shared), shared);
});

test("etcd needs endpoints and opens its own client", async () => {
  const shared = createInMemoryKV();
  assert.throws(() => createKV(cfg("etcd"), shared), /-etcd.endpoints/);
  const kv = createKV(cfg("etcd", ["127.0.0.1:1"]), shared);
  assert.notEqual(kv, shared);
  await kv.close();
});

test("other stores are refused", () => {
  assert.throws(() => createKV(cfg("memberlist"), createInMemoryKV()), /unsupported KV store "memberlist"/);
});
