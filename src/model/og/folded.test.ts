import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../errors.js";
import type { FlatProfile } from "../pprof/flat-profile.js";
import { convertOgBody } from "./convert-og-body.js";
import { ogProfileType } from "./og-profile-type.js";
import type { OgProfileType } from "./og-profile-type.js";
import { SAMPLES, stacksOf } from "./test-og.js";

const enc = new TextEncoder();

function convert(format: "folded" | "lines", text: string | Uint8Array, type: OgProfileType = SAMPLES, maxStacks = 1000, maxFrameNameBytes?: number): FlatProfile {
  const body = typeof text === "string" ? enc.encode(text) : text;
  const limits = maxFrameNameBytes === undefined ? { maxStacks } : { maxStacks, maxFrameNameBytes };
  const out = convertOgBody(format, body, type, 1n, 2n, limits);
  assert.equal(out.length, 1);
  return out[0]!.profile;
}

function rejects(format: "folded" | "lines", text: string | Uint8Array, msg: RegExp, maxStacks = 1000, maxFrameNameBytes?: number): void {
  assert.throws(
    () => convert(format, text, SAMPLES, maxStacks, maxFrameNameBytes),
    (err: unknown) => err instanceof InvalidArgumentError && err.reason === "invalid_profile" && msg.test(err.message),
  );
}

describe("folded", () => {
  const cases: Array<[string, string, Record<string, number>]> = [
    ["stacks and counts", "main;work;hash 30\nmain;work 10\n", { "main;work;hash": 30, "main;work": 10 }],
    ["no final newline", "a;b 1\na;c 2", { "a;b": 1, "a;c": 2 }],
    ["CRLF line ends", "a;b 1\r\na;c 2\r\n", { "a;b": 1, "a;c": 2 }],
    ["blank lines are skipped", "\n\na 1\n   \n\t\nb 2\n\n", { a: 1, b: 2 }],
    ["spaces inside frame names: the count follows the last space", "Foo::bar (x.rb:1);baz qux 7", { "Foo::bar (x.rb:1);baz qux": 7 }],
    ["identical stacks are summed", "a;b 1\nc 5\na;b 2\n", { "a;b": 3, c: 5 }],
    ["an empty segment is an empty frame", "a;;b 1", { "a;;b": 1 }],
    ["a trailing ';' adds no frame", "a;b; 4", { "a;b": 4 }],
    ["a leading ';' is an empty root frame", ";a 4", { ";a": 4 }],
    ["an empty stack is the root", " 9", { "": 9 }],
    ["zero counts are dropped", "a 0\nb 1\n", { b: 1 }],
    ["unicode frame names", "main;größe;日本 3", { "main;größe;日本": 3 }],
    ["a byte-order mark is not part of the first frame", "\uFEFFa 1", { a: 1 }],
    ["counts up to 2^53-1", `a ${Number.MAX_SAFE_INTEGER}`, { a: Number.MAX_SAFE_INTEGER }],
  ];
  for (const [name, text, want] of cases) {
    it(name, () => assert.deepEqual(stacksOf(convert("folded", text)), want));
  }

  it("keeps the first-seen order of stacks and one frame per distinct name", () => {
    const p = convert("folded", "b;a 1\na;b 2\nb;a 3\n");
    assert.equal(p.sampleCount, 2);
    assert.deepEqual(Array.from(p.values), [4, 2]);
    assert.equal(p.functionCount, 2);
  });

  it("multiplies counts by the CPU period and writes the profile type", () => {
    const type = ogProfileType("cpu", { sampleRate: 100 });
    const p = convert("folded", "a;b 3\na 1\n", type);
    assert.deepEqual(stacksOf(p), { "a;b": 30_000_000, a: 10_000_000 });
    assert.deepEqual([p.strings[p.sampleTypes[0]!], p.strings[p.sampleTypes[1]!]], ["cpu", "nanoseconds"]);
    assert.deepEqual([p.strings[p.periodType[0]!], p.strings[p.periodType[1]!]], ["cpu", "nanoseconds"]);
    assert.equal(p.period, 10_000_000);
    assert.equal(p.timeNanos, 1n);
    assert.equal(p.durationNanos, 2n);
  });

  it("an empty body is an empty profile", () => {
    assert.equal(convert("folded", "").sampleCount, 0);
  });

  const bad: Array<[string, string | Uint8Array, RegExp]> = [
    ["a line without a count", "a;b 1\nmain;work\n", /no count .* at line 2/],
    ["a count-only line without a space", "42", /no count .* at line 1/],
    ["a negative count", "a 1\n\nb -3", /count "-3" is not a non-negative integer at line 3/],
    ["a fractional count", "a 1.5", /count "1.5" is not a non-negative integer at line 1/],
    ["a hex count", "a 0x10", /count "0x10"/],
    ["a trailing space", "a 1 \n", /empty count after the last space at line 1/],
    ["a count of 2^53", "a 9007199254740992", /count 9007199254740992 exceeds 2\^53-1 at line 1/],
    ["a count of 400 digits", `a ${"9".repeat(400)}`, /exceeds 2\^53-1 at line 1/],
    ["counts summing past 2^53", `a ${Number.MAX_SAFE_INTEGER}\na 1`, /add up to more than 2\^53-1 at line 2/],
    ["non-UTF-8 bytes", Uint8Array.from([...enc.encode("a 1\nb 2\nc"), 0xff, ...enc.encode(" 3\n")]), /invalid UTF-8 at byte 9 \(line 3\)/],
    ["a truncated UTF-8 sequence at the end", Uint8Array.from([...enc.encode("a 1\n"), 0xe6, 0x97]), /invalid UTF-8 at byte 4 \(line 2\)/],
    ["an overlong encoding", Uint8Array.from([0xc0, 0xaf, 0x20, 0x31]), /invalid UTF-8 at byte 0 \(line 1\)/],
    ["a UTF-16 surrogate encoded in UTF-8", Uint8Array.from([0x61, 0xed, 0xa0, 0x80, 0x20, 0x31]), /invalid UTF-8 at byte 1/],
  ];
  for (const [name, text, msg] of bad) {
    it(`rejects ${name}`, () => rejects("folded", text, msg));
  }

  it("rejects a count that overflows once scaled by the period", () => {
    const type = ogProfileType("cpu", { sampleRate: 100 });
    assert.throws(() => convert("folded", `a ${2 ** 50}`, type), /times 10000000 exceeds 2\^53-1 at line 1/);
  });

  it("stops at the stack limit, counting distinct stacks only", () => {
    assert.equal(convert("folded", "a 1\na 1\na 1\nb 1\n", SAMPLES, 2).sampleCount, 2);
    rejects("folded", "a 1\nb 1\nc 1\n", /more than 2 distinct stacks at line 3/, 2);
  });

  it("enforces the frame name limit in UTF-8 bytes", () => {
    assert.equal(convert("folded", "abcd;ü 1", SAMPLES, 10, 4).sampleCount, 1);
    rejects("folded", "abcd;abcde 1", /frame name of 5 bytes exceeds the limit of 4 bytes at line 1/, 10, 4);
    rejects("folded", "a 1\nüüü 1", /frame name of 6 bytes exceeds the limit of 4 bytes at line 2/, 10, 4);
  });
});

describe("lines", () => {
  it("counts each line as one sample of its stack", () => {
    const p = convert("lines", "a;b\r\na;b\nc\n\n  \na;b;c\na;b");
    assert.deepEqual(stacksOf(p), { "a;b": 3, c: 1, "a;b;c": 1 });
    assert.equal(p.sampleCount, 3);
  });

  it("keeps spaces and digits: a line is all stack", () => {
    assert.deepEqual(stacksOf(convert("lines", "main;do work 12\n")), { "main;do work 12": 1 });
  });

  it("scales by the period", () => {
    const p = convert("lines", "a\na\n", ogProfileType("wall", { sampleRate: 50 }));
    assert.deepEqual(stacksOf(p), { a: 40_000_000 });
  });

  it("stops at the stack limit, duplicates aside", () => {
    assert.equal(convert("lines", "a\na\na\nb\n", SAMPLES, 2).sampleCount, 2);
    rejects("lines", "a\nb\nc\n", /more than 2 distinct stacks at line 3/, 2);
  });

  it("rejects non-UTF-8 bytes with their line", () => {
    rejects("lines", Uint8Array.from([0x61, 0x0a, 0x62, 0x0a, 0xc3, 0x28]), /invalid UTF-8 at byte 4 \(line 3\)/);
  });
});
