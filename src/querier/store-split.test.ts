import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { splitQueryToStores } from "./store-split.js";

describe("splitQueryToStores", () => {
  const now = 100_000;
  const cases: [string, number, number, number, ReturnType<typeof splitQueryToStores>][] = [
    ["future", now + 1, now + 5, 10_000, {}],
    ["store only when the setting is 0", 0, now, 0, { store: { startMs: 0, endMs: now } }],
    ["recent: ingesters", now - 5_000, now, 10_000, { ingesters: { startMs: now - 5_000, endMs: now } }],
    ["old: store", 0, now - 20_000, 10_000, { store: { startMs: 0, endMs: now - 20_000 } }],
    ["across the cutoff: both, no overlap", 0, now, 10_000, { store: { startMs: 0, endMs: now - 10_000 }, ingesters: { startMs: now - 9_999, endMs: now } }],
  ];
  for (const [name, s, e, after, want] of cases) it(name, () => assert.deepEqual(splitQueryToStores(s, e, now, after), want));
});
