import assert from "node:assert/strict";
import { test } from "node:test";
import { createInMemoryKV } from "./inmemory-kv.js";
import { kvContract, member } from "./test-kv-contract.js";

let keys = 0;
kvContract("inmemory", () => {
  // Clients of one in-memory store are the store itself: one process shares one instance.
  const kv = createInMemoryKV();
  return { client: () => kv, key: () => `ring-${keys++}` };
});

test("inmemory: close ends watches and refuses further calls", async () => {
  const kv = createInMemoryKV();
  await kv.cas("ring", () => ({ ingesters: { a: member("a:1", [1]) } }));
  const seen: unknown[] = [];
  const watching = kv.watchKey("ring", new AbortController().signal, (v) => seen.push(v));
  await kv.close();
  await watching;
  assert.equal(seen.length, 1);
  await assert.rejects(kv.get("ring"), /closed/);
});

test("inmemory: a cas that writes the same value does not notify watchers", async () => {
  const kv = createInMemoryKV();
  await kv.cas("ring", () => ({ ingesters: { a: member("a:1", [1], { timestamp: 5 }) } }));
  const seen: unknown[] = [];
  const stop = new AbortController();
  const watching = kv.watchKey("ring", stop.signal, (v) => seen.push(v));
  await kv.cas("ring", (old) => old);
  assert.equal(seen.length, 1);
  stop.abort();
  await watching;
});
