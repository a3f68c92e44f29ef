import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { after, describe, it } from "node:test";
import { InvalidArgumentError, LimitExceededError } from "../model/errors.js";
import { validCorpus } from "../model/pprof/test-corpus.js";
import { DecodePool } from "./decode-pool.js";
import { decodeForHead } from "./decode-worker.js";

const NOW = 1_700_000_000_000_000_000n;

describe("DecodePool on worker threads", () => {
  const pool = new DecodePool({ workers: 2, inlineBelowBytes: 0, maxBytes: 16 * 1024 * 1024 });
  after(() => pool.close());

  it("decodes every corpus file exactly as inline decoding does", async () => {
    const files = validCorpus();
    const viaWorkers = await Promise.all(files.map((f) => pool.decode(f.stored, NOW)));
    files.forEach((f, i) => {
      const inline = decodeForHead(f.stored, NOW, 16 * 1024 * 1024);
      const got = viaWorkers[i]!;
      assert.equal(got.rawBytes, inline.rawBytes, f.name);
      assert.deepEqual(got.profile.strings, inline.profile.strings, f.name);
      assert.deepEqual([...got.profile.values], [...inline.profile.values], f.name);
      assert.deepEqual([...got.profile.locs], [...inline.profile.locs], f.name);
      assert.equal(got.profile.timeNanos, inline.profile.timeNanos, f.name);
    });
  });

  it("leaves the caller's bytes intact, Buffers (whose slice is a view) included", async () => {
    const f = validCorpus()[0]!;
    const body = Buffer.concat([Buffer.from("head"), Buffer.from(f.stored)]);
    const view = body.subarray(4);
    await pool.decode(view, NOW);
    assert.equal(body.byteLength, 4 + f.stored.byteLength);
    assert.deepEqual(new Uint8Array(view), f.stored);
  });

  it("rethrows the worker's validation errors with their class and reason", async () => {
    await assert.rejects(pool.decode(new Uint8Array([0x0a, 0xff, 0xff]), NOW), (e: unknown) => e instanceof InvalidArgumentError && e.reason === "invalid_profile");
    const bomb = gzipSync(new Uint8Array(32 * 1024 * 1024));
    await assert.rejects(pool.decode(bomb, NOW), (e: unknown) => e instanceof LimitExceededError && e.reason === "body_too_large");
  });

  it("decodes inline once closed", async () => {
    const p = new DecodePool({ workers: 1, inlineBelowBytes: 0, maxBytes: 1024 * 1024 });
    await p.close();
    const r = await p.decode(validCorpus()[0]!.stored, NOW);
    assert.ok(r.profile.sampleCount > 0);
  });
});
