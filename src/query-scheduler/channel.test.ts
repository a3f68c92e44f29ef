import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Channel } from "./channel.js";

describe("Channel", () => {
  it("hands values over in order, buffered or awaited", async () => {
    const c = new Channel<{ n: number }>();
    c.push({ n: 1 });
    const waiting = (async () => {
      const got: number[] = [];
      for await (const v of c) got.push(v.n);
      return got;
    })();
    c.push({ n: 2 });
    await Promise.resolve();
    c.push({ n: 3 });
    c.end();
    c.push({ n: 4 });
    assert.deepEqual(await waiting, [1, 2, 3]);
  });

  it("take resolves undefined once ended and drained", async () => {
    const c = new Channel<{ n: number }>();
    const pending = c.take();
    c.end();
    assert.equal(await pending, undefined);
    assert.equal(await c.take(), undefined);
    assert.equal(c.isEnded, true);
  });

  it("refuses a second waiting consumer", async () => {
    const c = new Channel<{ n: number }>();
    const first = c.take();
    await assert.rejects(c.take(), /waiting consumer/);
    c.push({ n: 7 });
    assert.deepEqual(await first, { n: 7 });
  });
});
