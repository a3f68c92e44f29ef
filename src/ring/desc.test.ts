import assert from "node:assert/strict";
import { test } from "node:test";
import { cloneRingDesc, decodeRingDesc, encodeRingDesc, normalizeTokens, ownedTokens, tokenDistance } from "./desc.js";
import type { RingDesc } from "./desc.js";

const sample: RingDesc = {
  ingesters: {
    "ingester-2": { addr: "10.0.0.2:4100", timestamp: 1_700_000_100, state: "LEAVING", tokens: [5, 4_000_000_000], registered_timestamp: 1_699_000_000, zone: "b" },
    "ingester-1": { addr: "10.0.0.1:4100", timestamp: 1_700_000_000, state: "ACTIVE", tokens: [12], registered_timestamp: 0 },
  },
};

test("encode writes the documented JSON, members sorted by id, empty zone left out", () => {
  assert.equal(
    encodeRingDesc(sample),
    '{"ingesters":{"ingester-1":{"addr":"10.0.0.1:4100","timestamp":1700000000,"state":"ACTIVE","tokens":[12],"registered_timestamp":0},' +
      '"ingester-2":{"addr":"10.0.0.2:4100","timestamp":1700000100,"state":"LEAVING","tokens":[5,4000000000],"registered_timestamp":1699000000,"zone":"b"}}}',
  );
});

test("decode(encode(x)) is x", () => {
  assert.deepEqual(decodeRingDesc(encodeRingDesc(sample)), sample);
});

test("decode sorts unsorted tokens and fills missing optional fields", () => {
  const d = decodeRingDesc('{"ingesters":{"a":{"addr":"a:1","timestamp":1,"state":"PENDING","tokens":[9,3,9]}}}');
  assert.deepEqual(d.ingesters["a"], { addr: "a:1", timestamp: 1, state: "PENDING", tokens: [3, 9], registered_timestamp: 0 });
  assert.deepEqual(decodeRingDesc("{}"), { ingesters: {} });
});

const bad: [string, string, RegExp][] = [
  ["not JSON", "{", /not JSON/],
  ["not an object", "[]", /not a JSON object/],
  ["ingesters not an object", '{"ingesters":[]}', /ingesters is not an object/],
  ["unknown state", '{"ingesters":{"a":{"addr":"a","timestamp":1,"state":"DEAD","tokens":[]}}}', /unknown state "DEAD"/],
  ["token out of range", '{"ingesters":{"a":{"addr":"a","timestamp":1,"state":"ACTIVE","tokens":[4294967296]}}}', /uint32/],
  ["negative token", '{"ingesters":{"a":{"addr":"a","timestamp":1,"state":"ACTIVE","tokens":[-1]}}}', /uint32/],
  ["addr missing", '{"ingesters":{"a":{"timestamp":1,"state":"ACTIVE","tokens":[]}}}', /addr/],
  ["timestamp a string", '{"ingesters":{"a":{"addr":"a","timestamp":"1","state":"ACTIVE","tokens":[]}}}', /timestamp/],
];
for (const [name, text, message] of bad) {
  test(`decode rejects: ${name}`, () => assert.throws(() => decodeRingDesc(text), message));
}

test("clone is deep", () => {
  const c = cloneRingDesc(sample);
  c.ingesters["ingester-1"]!.tokens.push(99);
  assert.deepEqual(sample.ingesters["ingester-1"]!.tokens, [12]);
});

test("normalizeTokens sorts and removes duplicates", () => {
  assert.deepEqual(normalizeTokens([3, 1, 3, 2]), [1, 2, 3]);
  assert.deepEqual(normalizeTokens([1, 2]), [1, 2]);
});

test("tokenDistance wraps and a token to itself is the whole ring", () => {
  assert.equal(tokenDistance(10, 20), 10);
  assert.equal(tokenDistance(0xfffffff0, 0x10), 0x20);
  assert.equal(tokenDistance(7, 7), 2 ** 32);
});

test("ownedTokens: ranges end at each member's tokens and sum to the whole ring", () => {
  const owned = ownedTokens({
    ingesters: {
      a: { addr: "a", timestamp: 0, state: "ACTIVE", tokens: [100, 300], registered_timestamp: 0 },
      b: { addr: "b", timestamp: 0, state: "ACTIVE", tokens: [200], registered_timestamp: 0 },
      c: { addr: "c", timestamp: 0, state: "PENDING", tokens: [], registered_timestamp: 0 },
    },
  });
  assert.equal(owned.get("b"), 100);
  assert.equal(owned.get("a"), 2 ** 32 - 100);
  assert.equal(owned.get("c"), 0);
});
