import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { InvalidArgumentError, LimitExceededError } from "../errors.js";
import { decodePprof } from "./decode.js";
import { isGzip, maybeGunzip, maybeGunzipAsync } from "./gzip.js";
import { validCorpus } from "./test-corpus.js";

const MiB = 1024 * 1024;

/** A multi-member gzip stream inflating to `members` × 16 MiB of zeros (~16 KiB per member). */
function gzipBomb(members: number): Uint8Array {
  const member = gzipSync(new Uint8Array(16 * MiB), { level: 9 });
  const out = new Uint8Array(member.length * members);
  for (let i = 0; i < members; i++) out.set(member, i * member.length);
  return out;
}

const variants: Array<{ name: string; gunzip: (b: Uint8Array, maxBytes: number) => Promise<Uint8Array> }> = [
  { name: "maybeGunzip", gunzip: async (b, maxBytes) => maybeGunzip(b, maxBytes) },
  { name: "maybeGunzipAsync", gunzip: maybeGunzipAsync },
];

describe("isGzip", () => {
  const cases: Array<{ name: string; bytes: number[]; want: boolean }> = [
    { name: "gzip magic", bytes: [0x1f, 0x8b, 0x08], want: true },
    { name: "magic only", bytes: [0x1f, 0x8b], want: true },
    { name: "raw pprof", bytes: [0x0a, 0x04], want: false },
    { name: "one byte", bytes: [0x1f], want: false },
    { name: "empty", bytes: [], want: false },
    { name: "swapped magic", bytes: [0x8b, 0x1f], want: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(isGzip(new Uint8Array(c.bytes)), c.want));
});

for (const v of variants) {
  describe(v.name, () => {
    test("the corpus: gzipped files inflate, raw ones pass through unchanged", async () => {
      for (const file of validCorpus()) {
        const out = await v.gunzip(file.stored, 64 * MiB);
        assert.deepEqual(out, file.raw, file.name);
        if (!isGzip(file.stored)) assert.equal(out, file.stored, `${file.name}: no copy`);
        decodePprof(out);
      }
    });

    const limits: Array<{ name: string; bytes: () => Uint8Array; maxBytes: number; ok: boolean }> = [
      { name: "output exactly maxBytes", bytes: () => gzipSync(new Uint8Array(1000)), maxBytes: 1000, ok: true },
      { name: "output one byte over maxBytes", bytes: () => gzipSync(new Uint8Array(1001)), maxBytes: 1000, ok: false },
      { name: "raw body over maxBytes", bytes: () => new Uint8Array(1001), maxBytes: 1000, ok: false },
      { name: "empty gzip member with maxBytes 0", bytes: () => gzipSync(new Uint8Array(0)), maxBytes: 0, ok: true },
    ];
    for (const c of limits) {
      test(c.name, async () => {
        const run = v.gunzip(c.bytes(), c.maxBytes);
        if (c.ok) await run;
        else await assert.rejects(run, (err: unknown) => err instanceof LimitExceededError && err.reason === "body_too_large");
      });
    }

    test("a 1 GiB gzip bomb stops at the limit", async () => {
      const bomb = gzipBomb(64);
      await assert.rejects(v.gunzip(bomb, 4 * MiB), (err: unknown) => {
        assert.ok(err instanceof LimitExceededError, String(err));
        assert.equal(err.reason, "body_too_large");
        assert.equal(err.message, `decompressed profile is larger than ${4 * MiB} bytes`);
        return true;
      });
    });

    const corrupt: Array<{ name: string; bytes: () => Uint8Array }> = [
      { name: "magic then garbage", bytes: () => new Uint8Array([0x1f, 0x8b, 0xff, 0xff, 0xff, 0xff]) },
      { name: "magic only", bytes: () => new Uint8Array([0x1f, 0x8b]) },
      { name: "truncated stream", bytes: () => gzipSync(new Uint8Array(4096).fill(7)).subarray(0, 20) },
      {
        name: "bad CRC",
        bytes: () => {
          const b = new Uint8Array(gzipSync(Buffer.from("hello pprof")));
          b[b.length - 8]! ^= 0xff;
          return b;
        },
      },
    ];
    for (const c of corrupt) {
      test(`corrupt gzip: ${c.name}`, async () => {
        await assert.rejects(v.gunzip(c.bytes(), MiB), (err: unknown) => {
          assert.ok(err instanceof InvalidArgumentError, String(err));
          assert.equal(err.reason, "invalid_profile");
          assert.match(err.message, /^profile is not valid gzip: /);
          return true;
        });
      });
    }
  });
}
