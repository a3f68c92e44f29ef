import assert from "node:assert/strict";
import { test } from "node:test";
import { abortReason, sleepUnlessAborted } from "./kv.js";

test("sleepUnlessAborted resolves after the delay", async () => {
  const t0 = Date.now();
  await sleepUnlessAborted(20);
  assert.ok(Date.now() - t0 >= 15);
});

test("sleepUnlessAborted rejects at once on abort, with the signal's reason", async () => {
  const ac = new AbortController();
  const p = sleepUnlessAborted(60_000, ac.signal);
  ac.abort(new Error("shutting down"));
  await assert.rejects(p, /shutting down/);
  await assert.rejects(sleepUnlessAborted(10, ac.signal), /shutting down/);
});

test("abortReason gives an AbortError when the reason is not an Error", () => {
  const ac = new AbortController();
  ac.abort("just because");
  const err = abortReason(ac.signal);
  assert.equal(err.name, "AbortError");
});
