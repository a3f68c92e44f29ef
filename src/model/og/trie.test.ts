import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../errors.js";
import { convertOgBody } from "./convert-og-body.js";
import { SAMPLES, encodeTrie, stacksOf, uvarint } from "./test-og.js";

function decode(body: Uint8Array, maxStacks = 100_000): Record<string, number> {
  return stacksOf(convertOgBody("trie", body, SAMPLES, 0n, 0n, { maxStacks })[0]!.profile);
}

function rejects(body: Uint8Array, msg: RegExp, maxStacks = 100_000): void {
  assert.throws(
    () => decode(body, maxStacks),
    (err: unknown) => err instanceof InvalidArgumentError && err.reason === "invalid_profile" && msg.test(err.message),
  );
}

/** A chain root → n nodes named `name`, each with `value`. */
function chain(n: number, name: string, value: number): Uint8Array {
  const nb = new TextEncoder().encode(name);
  const node = [...uvarint(nb.length), ...nb, ...uvarint(value)];
  const out = new Uint8Array(3 + n * (node.length + 1));
  out.set([0, 0, 1]);
  let p = 3;
  for (let i = 0; i < n; i++) {
    out.set(node, p);
    p += node.length;
    out[p++] = i === n - 1 ? 0 : 1;
  }
  return out;
}

function randomStacks(seed: number, n: number): Record<string, number> {
  let s = seed;
  const rnd = (k: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % k;
  };
  const names = ["main", "main.work", "runtime.mallocgc", "ö", "日本", "a", "ab", "abc", "", "x y"];
  const want: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const depth = 1 + rnd(6);
    const frames: string[] = [];
    for (let d = 0; d < depth; d++) frames.push(names[rnd(names.length)]!);
    // A trailing empty frame is no frame in the key grammar: keep test keys unambiguous.
    if (frames[frames.length - 1] === "") frames[frames.length - 1] = "leaf";
    const key = frames.join(";");
    want[key] = (want[key] ?? 0) + 1 + rnd(1000);
  }
  return want;
}

describe("trie", () => {
  it("reads hand-assembled bytes, checked byte by byte against docs/format/og-ingest.md", () => {
    // "a;b" = 3 and "a;c" = 300: the shared fragment "a;" is one node.
    const bytes = Uint8Array.from([
      0x00, 0x00, 0x01, //                root: name "", value 0, 1 child
      0x02, 0x61, 0x3b, 0x00, 0x02, //    "a;", value 0, 2 children
      0x01, 0x62, 0x03, 0x00, //          "b", value 3, leaf
      0x01, 0x63, 0xac, 0x02, 0x00, //    "c", value 300 (uvarint ac 02), leaf
    ]);
    assert.deepEqual(encodeTrie([["a;b", 3], ["a;c", 300]]), bytes);
    assert.deepEqual(decode(bytes), { "a;b": 3, "a;c": 300 });
  });

  it("reads Pyroscope's own serialisation example (abc=1, abd=2)", () => {
    const bytes = Uint8Array.from([0, 0, 1, 2, 0x61, 0x62, 0, 2, 1, 0x63, 1, 0, 1, 0x64, 2, 0]);
    assert.deepEqual(decode(bytes), { abc: 1, abd: 2 });
  });

  it("emits internal nodes that carry a value", () => {
    assert.deepEqual(decode(encodeTrie([["a;b", 1], ["a;b;c", 2], ["a", 5]])), { "a;b": 1, "a;b;c": 2, a: 5 });
  });

  it("joins a UTF-8 character split between two nodes", () => {
    const body = encodeTrie([["é;x", 1], ["è;y", 2]]);
    assert.deepEqual(Array.from(body.subarray(3, 5)), [1, 0xc3], "the shared fragment is the lead byte alone");
    assert.deepEqual(decode(body), { "é;x": 1, "è;y": 2 });
  });

  it("round-trips random tries", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const want = randomStacks(seed, 200);
      assert.deepEqual(decode(encodeTrie(Object.entries(want))), want, `seed ${seed}`);
    }
  });

  it("sums tries sent back to back, and reads an empty body as no samples", () => {
    const a = encodeTrie([["a;b", 1]]);
    const b = encodeTrie([["a;b", 2], ["c", 4]]);
    assert.deepEqual(decode(Uint8Array.from([...a, ...b])), { "a;b": 3, c: 4 });
    assert.deepEqual(decode(new Uint8Array(0)), {});
  });

  it("rejects every truncation of a valid body", () => {
    const body = encodeTrie(Object.entries(randomStacks(7, 30)));
    for (let n = 1; n < body.length; n++) {
      assert.throws(() => decode(body.subarray(0, n)), InvalidArgumentError, `truncated to ${n} of ${body.length} bytes`);
    }
  });

  const bad: Array<[string, number[], RegExp]> = [
    ["a varint past the end", [0x80], /name length varint at byte 0 runs past the end of the body \(1 bytes\)/],
    ["a varint of 11 bytes", [0, 0, 1, ...new Array<number>(10).fill(0xff), 1], /name length varint at byte 3 is longer than 10 bytes/],
    ["a value of 2^53", [0, ...uvarint(2 ** 53), 0], /value at byte 1 is 9007199254740992, above 2\^53-1/],
    ["a name longer than the body", [0, 0, 1, 0x7f, 0x61, 0, 0, 0], /name of the node at byte 3 \(127 bytes from byte 4\) runs past the end: 4 bytes remain/],
    ["a child count the body cannot hold", [0, 0, ...uvarint(1_000_000), 1, 0x61, 1, 0], /node at byte 0 has 1000000 children but only 4 bytes remain/],
    ["a key that is not UTF-8", [0, 0, 1, 2, 0x61, 0xff, 1, 0], /stack ending at this node is not valid UTF-8 at byte 3/],
    ["a node cut short", [0, 0, 2, 1, 0x61, 1, 0, 1, 0x62, 1], /child count varint at byte 10 runs past the end of the body \(10 bytes\)/],
  ];
  for (const [name, bytes, msg] of bad) {
    it(`rejects ${name}`, () => rejects(Uint8Array.from(bytes), msg));
  }

  it("stops at the stack limit; zero-valued nodes do not count", () => {
    assert.deepEqual(decode(encodeTrie([["a", 0], ["b", 1], ["c", 1]]), 2), { b: 1, c: 1 });
    rejects(encodeTrie([["a", 1], ["b", 1], ["c", 1]]), /more than 2 stacks at byte/, 2);
  });

  it("rejects a chain whose keys expand quadratically (long names)", () => {
    rejects(chain(200_000, "x", 1), /stacks expand to more than \d+ bytes of frame names/, 0);
  });

  it("rejects a chain whose keys expand quadratically (many frames)", () => {
    rejects(chain(200_000, "x;", 1), /more than \d+ (frames in total|bytes of frame names)/, 0);
  });
});
