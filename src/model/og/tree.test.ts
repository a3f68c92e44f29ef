import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../errors.js";
import { convertOgBody } from "./convert-og-body.js";
import { SAMPLES, encodeTree, stacksOf, uvarint } from "./test-og.js";

function decode(body: Uint8Array, maxStacks = 100_000): Record<string, number> {
  return stacksOf(convertOgBody("tree", body, SAMPLES, 0n, 0n, { maxStacks })[0]!.profile);
}

function rejects(body: Uint8Array, msg: RegExp, maxStacks = 100_000): void {
  assert.throws(
    () => decode(body, maxStacks),
    (err: unknown) => err instanceof InvalidArgumentError && err.reason === "invalid_profile" && msg.test(err.message),
  );
}

function randomEntries(seed: number, n: number): Array<[string[], number]> {
  let s = seed;
  const rnd = (k: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % k;
  };
  const names = ["main", "net/http.(*conn).serve", "ö", "日本", "a", "b", "c d"];
  const out: Array<[string[], number]> = [];
  for (let i = 0; i < n; i++) {
    const frames: string[] = [];
    for (let d = 1 + rnd(6); d > 0; d--) frames.push(names[rnd(names.length)]!);
    out.push([frames, 1 + rnd(100_000)]);
  }
  return out;
}

function summed(entries: Array<[string[], number]>): Record<string, number> {
  const want: Record<string, number> = {};
  for (const [frames, v] of entries) want[frames.join(";")] = (want[frames.join(";")] ?? 0) + v;
  return want;
}

describe("tree", () => {
  it("reads hand-assembled bytes, checked byte by byte against docs/format/og-ingest.md", () => {
    // main;work self 5, main;idle self 130, main self 1.
    const bytes = Uint8Array.from([
      0x00, 0x00, 0x01, //                              root: name "", self 0, 1 child
      0x04, 0x6d, 0x61, 0x69, 0x6e, 0x01, 0x02, //      "main", self 1, 2 children
      0x04, 0x69, 0x64, 0x6c, 0x65, 0x82, 0x01, 0x00, // "idle", self 130 (uvarint 82 01), leaf
      0x04, 0x77, 0x6f, 0x72, 0x6b, 0x05, 0x00, //      "work", self 5, leaf
    ]);
    assert.deepEqual(encodeTree([[["main"], 1], [["main", "idle"], 130], [["main", "work"], 5]]), bytes);
    assert.deepEqual(decode(bytes), { main: 1, "main;idle": 130, "main;work": 5 });
  });

  it("reads Pyroscope's own serialisation example (a;b=1, a;c=2)", () => {
    const bytes = Uint8Array.from([0, 0, 1, 1, 0x61, 0, 2, 1, 0x62, 1, 0, 1, 0x63, 2, 0]);
    assert.deepEqual(decode(bytes), { "a;b": 1, "a;c": 2 });
  });

  it("round-trips random trees", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const entries = randomEntries(seed, 200);
      assert.deepEqual(decode(encodeTree(entries)), summed(entries), `seed ${seed}`);
    }
  });

  it("drops the root's self value and ignores its name, as Pyroscope does", () => {
    assert.deepEqual(decode(encodeTree([[["a"], 2]], 7)), { a: 2 });
    const named = Uint8Array.from([1, 0x72, 9, 1, 1, 0x61, 2, 0]);
    assert.deepEqual(decode(named), { a: 2 });
  });

  it("splits names at ';' and drops a trailing empty segment, as Pyroscope's re-insert does", () => {
    assert.deepEqual(decode(encodeTree([[["a;b", "c"], 1]])), { "a;b;c": 1 });
    assert.deepEqual(decode(encodeTree([[["a", "x;"], 2]])), { "a;x": 2 });
    assert.deepEqual(decode(encodeTree([[["a", ""], 3]])), { a: 3 });
    assert.deepEqual(decode(encodeTree([[["", "b"], 4]])), { ";b": 4 });
    assert.deepEqual(decode(encodeTree([[["x;", "y"], 5]])), { "x;;y": 5 });
  });

  it("drops the value of a lone empty-named first frame (an empty stack)", () => {
    assert.deepEqual(decode(encodeTree([[[""], 3], [["a"], 1]])), { a: 1 });
  });

  it("sums duplicate siblings and trees sent back to back; an empty body has no samples", () => {
    const dup = Uint8Array.from([0, 0, 2, 1, 0x61, 1, 0, 1, 0x61, 2, 0]);
    assert.deepEqual(decode(dup), { a: 3 });
    assert.deepEqual(decode(Uint8Array.from([...encodeTree([[["a"], 1]]), ...encodeTree([[["a"], 2]])])), { a: 3 });
    assert.deepEqual(decode(new Uint8Array(0)), {});
  });

  it("rejects every truncation of a valid body", () => {
    const body = encodeTree(randomEntries(3, 30));
    for (let n = 1; n < body.length; n++) {
      assert.throws(() => decode(body.subarray(0, n)), InvalidArgumentError, `truncated to ${n} of ${body.length} bytes`);
    }
  });

  const bad: Array<[string, number[], RegExp]> = [
    ["a varint past the end", [0, 0x80], /self value varint at byte 1 runs past the end/],
    ["a name length of 2^64-1", [...new Array<number>(9).fill(0xff), 0x01], /name length at byte 0 is \d+, above 2\^53-1/],
    ["a name longer than the body", [0, 0, 1, 0x40, 0x61, 0, 0], /name of the node at byte 3 \(64 bytes from byte 4\) runs past the end: 3 bytes remain/],
    ["a child count the body cannot hold", [0, 0, 0x81, 0x7d, 0, 0, 0], /node at byte 0 has 16001 children but only 3 bytes remain/],
    ["a name that is not UTF-8", [0, 0, 1, 2, 0xc3, 0x28, 1, 0], /node name is not valid UTF-8 at byte 3/],
    ["a self value of 2^53", [0, 0, 1, 1, 0x61, ...uvarint(2 ** 53), 0], /self value at byte 5 is 9007199254740992, above 2\^53-1/],
  ];
  for (const [name, bytes, msg] of bad) {
    it(`rejects ${name}`, () => rejects(Uint8Array.from(bytes), msg));
  }

  it("stops at the stack limit", () => {
    rejects(encodeTree([[["a"], 1], [["b"], 1], [["c"], 1]]), /more than 2 stacks at byte/, 2);
  });

  it("rejects a deep chain whose stacks expand quadratically", () => {
    const n = 100_000;
    const out = new Uint8Array(3 + n * 4);
    out.set([0, 0, 1]);
    for (let i = 0; i < n; i++) out.set([1, 0x78, 1, i === n - 1 ? 0 : 1], 3 + i * 4);
    rejects(out, /stacks hold more than \d+ frames in total/, 0);
  });
});
