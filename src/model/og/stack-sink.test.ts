import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../errors.js";
import { MIN_FRAME_BUDGET, StackSink } from "./stack-sink.js";
import { stacksOf } from "./test-og.js";

const TYPE = { sampleType: ["samples", "count"] as const, period: 0 };
const sink = (scale = 1, maxStacks = 0, maxFrameNameBytes?: number): StackSink =>
  new StackSink(TYPE, scale, maxFrameNameBytes === undefined ? { maxStacks } : { maxStacks, maxFrameNameBytes }, "test", "line", 10);

describe("StackSink", () => {
  it("splits keys as Pyroscope's tree insert does", () => {
    const s = sink();
    for (const [k, v] of [["a;b;c", 1], ["a;b;", 2], ["a;;b", 4], [";x", 8], ["", 16], [";", 32]] as const) s.addKey(k, v);
    assert.deepEqual(stacksOf(s.build(0n, 0n)), { "a;b;c": 1, "a;b": 2, "a;;b": 4, ";x": 8, "": 16 + 32 });
  });

  it("scales counts, skips zeros and counts stacks", () => {
    const s = sink(1000);
    s.addKey("a", 3);
    s.addKey("b", 0);
    assert.equal(s.stackCount, 1);
    assert.deepEqual(stacksOf(s.build(0n, 0n)), { a: 3000 });
  });

  it("handles stacks deeper than its scratch space", () => {
    const s = sink();
    const key = Array.from({ length: 1000 }, (_, i) => `f${i}`).join(";");
    s.addKey(key, 1);
    assert.deepEqual(stacksOf(s.build(0n, 0n)), { [key]: 1 });
  });

  const bad: Array<[string, (s: StackSink) => void, RegExp]> = [
    ["a negative count", (s) => s.addKey("a", -1), /count -1 is not an integer in \[0, 2\^53\) at line 7/],
    ["a fractional count", (s) => s.addKey("a", 0.5), /count 0.5/],
    ["NaN", (s) => s.addKey("a", NaN), /count NaN/],
    ["an unsafe count", (s) => s.addKey("a", 2 ** 53), /count 9007199254740992/],
    ["a scaled overflow", (s) => s.addKey("a", 2 ** 52), /times 3 exceeds 2\^53-1/],
    ["a negative value", (s) => s.addScaled([], 0, -5), /value -5/],
    ["too many frames", (s) => s.chargeFrames(MIN_FRAME_BUDGET + 1), /more than 16777216 frames in total at line 7/],
  ];
  for (const [name, f, msg] of bad) {
    it(`rejects ${name}`, () => {
      const s = sink(3);
      s.pos = 7;
      assert.throws(
        () => f(s),
        (err: unknown) => err instanceof InvalidArgumentError && err.reason === "invalid_profile" && msg.test(err.message) && err.message.startsWith("invalid test body: "),
      );
    });
  }

  it("enforces maxStacks and maxFrameNameBytes; 0 means no limit", () => {
    const s = sink(1, 2, 3);
    s.addKey("abc;é", 1);
    s.addKey("b", 1);
    assert.throws(() => s.addKey("c", 1), /more than 2 stacks/);
    assert.throws(() => sink(1, 0, 3).addKey("abcd", 1), /frame name of 4 bytes exceeds the limit of 3 bytes/);
    assert.throws(() => sink(1, 0, 3).addKey("éé", 1), /frame name of 4 bytes/);
    const unlimited = sink(1, 0, 0);
    for (let i = 0; i < 100; i++) unlimited.addKey("x".repeat(i + 1), 1);
    assert.equal(unlimited.stackCount, 100);
  });
});
