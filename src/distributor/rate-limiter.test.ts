import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RateLimiter } from "./rate-limiter.js";

describe("RateLimiter", () => {
  it("allows the burst, then refills at the rate, per tenant", () => {
    let now = 0;
    const l = new RateLimiter(() => now);
    assert.equal(l.allow("a", 100, 10, 100), true);
    assert.equal(l.allow("a", 1, 10, 100), false);
    assert.equal(l.allow("b", 100, 10, 100), true);
    now = 1000;
    assert.equal(l.allow("a", 10, 10, 100), true);
    assert.equal(l.allow("a", 1, 10, 100), false);
  });

  it("never passes a request larger than the burst", () => {
    let now = 0;
    const l = new RateLimiter(() => now);
    now = 1e9;
    assert.equal(l.allow("a", 101, 1e9, 100), false);
  });
});
