import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Profile } from "pprof-format";
import { InvalidArgumentError } from "../errors.js";
import { decodePprof } from "../pprof/decode.js";
import { encodePprof } from "../pprof/encode.js";
import { testdataDir } from "../pprof/test-corpus.js";
import { convertOgBody } from "./convert-og-body.js";
import type { OgFormat } from "./convert-og-body.js";
import { ogProfileType } from "./og-profile-type.js";
import { encodeTree, encodeTrie, stacksOf, total, uvarint } from "./test-og.js";

const enc = new TextEncoder();
const CPU = ogProfileType("cpu", { sampleRate: 100 });
const LIMITS = { maxStacks: 10_000 };
const STACKS: Array<[string, number]> = [
  ["main;net/http.(*conn).serve;handler", 7],
  ["main;net/http.(*conn).serve", 2],
  ["main;runtime.gcBgMarkWorker;größe", 11],
  ["main", 1],
];
const SPEEDSCOPE = new Uint8Array(readFileSync(join(testdataDir, "speedscope", "two-sampled.speedscope.json")));

const bodies: Array<[OgFormat, Uint8Array]> = [
  ["folded", enc.encode(STACKS.map(([k, v]) => `${k} ${v}`).join("\n"))],
  ["lines", enc.encode(STACKS.flatMap(([k, v]) => new Array<string>(v).fill(k)).join("\n"))],
  ["trie", encodeTrie(STACKS)],
  ["tree", encodeTree(STACKS.map(([k, v]) => [k.split(";"), v]))],
  ["speedscope", SPEEDSCOPE],
];

describe("convertOgBody", () => {
  for (const [format, body] of bodies) {
    it(`${format}: survives pprof encode and decode with its totals and types`, () => {
      const out = convertOgBody(format, body, CPU, 1_700_000_000_000_000_000n, 10_000_000_000n, LIMITS);
      assert.ok(out.length >= 1);
      for (const { profile } of out) {
        const bytes = encodePprof(profile);
        const back = decodePprof(bytes);
        assert.equal(total(back), total(profile));
        assert.deepEqual(stacksOf(back), stacksOf(profile));
        assert.equal(back.timeNanos, 1_700_000_000_000_000_000n);
        assert.equal(back.durationNanos, 10_000_000_000n);
        // An independent decoder agrees on the sample type and period.
        const ref = Profile.decode(bytes);
        const st = (i: number | bigint): string => ref.stringTable.strings[Number(i)]!;
        assert.equal(st(ref.sampleType[0]!.unit), "nanoseconds");
        assert.equal(st(ref.periodType!.type), "cpu");
        assert.equal(Number(ref.period), 10_000_000);
      }
      if (format !== "speedscope") {
        assert.equal(out[0]!.metricName, "process_cpu");
        assert.deepEqual(out[0]!.labels, []);
        assert.deepEqual(stacksOf(out[0]!.profile), Object.fromEntries(STACKS.map(([k, v]) => [k, v * 10_000_000])));
      }
    });
  }

  it("rejects an unknown format as a bad request", () => {
    assert.throws(
      () => convertOgBody("pprof" as OgFormat, new Uint8Array(0), CPU, 0n, 0n, LIMITS),
      (err: unknown) => err instanceof InvalidArgumentError && err.reason === "invalid_request" && /unknown format "pprof"/.test(err.message),
    );
  });

  it("rejects a profile type whose scale is not a positive integer", () => {
    assert.throws(() => convertOgBody("folded", enc.encode("a 1"), { ...CPU, scale: 0.5 }, 0n, 0n, LIMITS), /scale 0.5/);
  });

  it("stops a body of a million tiny stacks at the stack limit", () => {
    const lines: string[] = [];
    for (let i = 0; i < 1_000_000; i++) lines.push(`f${i} 1`);
    const body = enc.encode(lines.join("\n"));
    assert.throws(
      () => convertOgBody("folded", body, CPU, 0n, 0n, { maxStacks: 16_000 }),
      (err: unknown) => err instanceof InvalidArgumentError && /more than 16000 distinct stacks at line 16001/.test(err.message),
    );
  });

  // Every hostile body, one table: each must fail with InvalidArgumentError("invalid_profile").
  const hostile: Array<[OgFormat, string, Uint8Array]> = [
    ["folded", "a line without a count", enc.encode("a;b\n")],
    ["folded", "a negative count", enc.encode("a -1")],
    ["folded", "a huge count", enc.encode(`a ${"9".repeat(30)}`)],
    ["folded", "non-UTF-8", Uint8Array.from([0x61, 0xfe, 0x20, 0x31])],
    ["lines", "non-UTF-8", Uint8Array.from([0x61, 0x0a, 0xfe])],
    ["trie", "a truncated node", encodeTrie(STACKS).subarray(0, 9)],
    ["trie", "a varint past the end", Uint8Array.from([0xff, 0xff])],
    ["trie", "a value of 2^60", Uint8Array.from([0, ...uvarint(2 ** 60), 0])],
    ["tree", "a truncated node", encodeTree([[["a", "b"], 1]]).subarray(0, 6)],
    ["tree", "a name length past the end", Uint8Array.from([0, 0, 1, 0x7f])],
    ["tree", "a child count of 2^40", Uint8Array.from([0, 0, ...uvarint(2 ** 40)])],
    ["speedscope", "a JSON bomb", enc.encode(`{"a":${"[".repeat(100_000)}`)],
    ["speedscope", "a frame index out of range", enc.encode(JSON.stringify({ $schema: "https://www.speedscope.app/file-format-schema.json", shared: { frames: [] }, profiles: [{ type: "sampled", unit: "none", samples: [[0]], weights: [1] }] }))],
  ];
  for (const [format, name, body] of hostile) {
    it(`${format}: rejects ${name}`, () => {
      assert.throws(
        () => convertOgBody(format, body, CPU, 0n, 0n, LIMITS),
        (err: unknown) => err instanceof InvalidArgumentError && err.reason === "invalid_profile" && err.message.startsWith(`invalid ${format} body: `),
      );
    });
  }
});
