/**
 * One suite of Bucket cases run against every backend, each against a server: filesystem (temporary
 * directory), s3 and swift (a real OpenStack Swift with s3api), azure (Azurite), gcs (the in-process
 * GCS JSON API fake, the one stand-in). Then retries through a failing proxy, and the Swift server's
 * stop/start hook that outage tests use.
 */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { InvalidArgumentError, NotFoundError } from "../model/errors.js";
import { nopLogger } from "../server/logger.js";
import { FAST_RETRY, openBucket, startObjstoreServers, storageConfigFor } from "../../test/helpers/objstore/backends.js";
import type { BackendName, ObjstoreServers } from "../../test/helpers/objstore/backends.js";
import { startFlakyProxy } from "../../test/helpers/objstore/flaky-proxy.js";
import type { FlakyProxy } from "../../test/helpers/objstore/flaky-proxy.js";
import { compareKeys } from "./bucket.js";
import type { Bucket, ListResult } from "./bucket.js";
import { createBucket } from "./factory.js";

const MIB = 1024 * 1024;

let servers: ObjstoreServers;

before(async () => {
  servers = await startObjstoreServers();
  process.stderr.write(
    `# object storage test servers started: swift ${servers.startMs.swift} ms, azurite ${servers.startMs.azurite} ms, gcs fake ${servers.startMs.gcs} ms\n`,
  );
});

after(async () => {
  await servers?.close();
});

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed + (i >> 13)) & 0xff;
  return out;
}

function keysOf(result: ListResult): string[] {
  return result.objects.map((o) => o.key).sort(compareKeys);
}

function prefixesOf(result: ListResult): string[] {
  return [...result.prefixes].sort(compareKeys);
}

async function putAll(bucket: Bucket, keys: string[], concurrency = 16): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < keys.length) {
        const key = keys[next++] as string;
        await bucket.put(key, enc(key));
      }
    }),
  );
}

const isNotFound = (err: unknown): boolean => err instanceof NotFoundError;

interface Ctx {
  bucket: Bucket;
  /** A key prefix of this case alone, ending in "/". */
  ns: string;
  backend: BackendName;
  open(options?: { storagePrefix?: string; listPageSize?: number }): Promise<Bucket>;
}

interface Case {
  name: string;
  /** Only for these backends (all when absent). */
  only?: BackendName[];
  run(ctx: Ctx): Promise<void>;
}

const cases: Case[] = [
  {
    name: "put then get returns the same bytes",
    async run({ bucket, ns }) {
      await bucket.put(`${ns}a`, enc("hello world"));
      assert.equal(dec(await bucket.get(`${ns}a`)), "hello world");
      await bucket.put(`${ns}empty`, new Uint8Array());
      assert.equal((await bucket.get(`${ns}empty`)).length, 0);
    },
  },
  {
    name: "get, getRange and attributes of a missing key throw NotFoundError",
    async run({ bucket, ns }) {
      await assert.rejects(bucket.get(`${ns}missing`), isNotFound);
      await assert.rejects(bucket.getRange(`${ns}missing`, 0, 10), isNotFound);
      await assert.rejects(bucket.getRange(`${ns}missing`, 0, 0), isNotFound);
      await assert.rejects(bucket.attributes(`${ns}missing`), isNotFound);
    },
  },
  {
    name: "getRange returns the slice, cut short at the end, empty at or past the end",
    async run({ bucket, ns }) {
      const body = pattern(100, 1);
      await bucket.put(`${ns}r`, body);
      const table: Array<[offset: number, length: number, from: number, to: number]> = [
        [0, 10, 0, 10],
        [10, 20, 10, 30],
        [90, 50, 90, 100],
        [99, 1, 99, 100],
        [100, 5, 0, 0],
        [150, 5, 0, 0],
        [5, 0, 0, 0],
      ];
      for (const [offset, length, from, to] of table) {
        assert.deepEqual(await bucket.getRange(`${ns}r`, offset, length), body.subarray(from, to), `range ${offset}+${length}`);
      }
      await assert.rejects(bucket.getRange(`${ns}r`, -1, 5), InvalidArgumentError);
    },
  },
  {
    name: "put replaces an existing object",
    async run({ bucket, ns }) {
      await bucket.put(`${ns}o`, enc("first version, longer"));
      await bucket.put(`${ns}o`, enc("second"));
      assert.equal(dec(await bucket.get(`${ns}o`)), "second");
      assert.equal((await bucket.attributes(`${ns}o`)).size, 6);
    },
  },
  {
    name: "exists and attributes report the object",
    async run({ bucket, ns }) {
      assert.equal(await bucket.exists(`${ns}x`), false);
      await bucket.put(`${ns}x`, pattern(1234, 2));
      assert.equal(await bucket.exists(`${ns}x`), true);
      assert.equal(await bucket.exists(`${ns}x/y`), false);
      const attrs = await bucket.attributes(`${ns}x`);
      assert.equal(attrs.size, 1234);
      assert.ok(Math.abs(attrs.lastModified.getTime() - Date.now()) < 120_000, `lastModified ${attrs.lastModified.toISOString()}`);
    },
  },
  {
    name: "delete removes the object and is idempotent",
    async run({ bucket, ns }) {
      await bucket.put(`${ns}d/1`, enc("x"));
      await bucket.delete(`${ns}d/1`);
      assert.equal(await bucket.exists(`${ns}d/1`), false);
      await assert.rejects(bucket.get(`${ns}d/1`), isNotFound);
      await bucket.delete(`${ns}d/1`);
      await bucket.delete(`${ns}never/was`);
      assert.deepEqual(await bucket.list(ns, { delimiter: "/" }), { objects: [], prefixes: [] });
    },
  },
  {
    name: "list without a delimiter returns every object under a string prefix",
    async run({ bucket, ns }) {
      const keys = ["p/a", "p/b/c", "p/b/d/e", "p/bx", "q/z"].map((k) => ns + k);
      await putAll(bucket, keys);
      assert.deepEqual(keysOf(await bucket.list(`${ns}p/`)), keys.slice(0, 4));
      assert.deepEqual(keysOf(await bucket.list(`${ns}p/b`)), keys.slice(1, 4));
      assert.deepEqual(keysOf(await bucket.list(ns)), keys);
      assert.deepEqual(await bucket.list(`${ns}nothing/`), { objects: [], prefixes: [] });
      const listed = (await bucket.list(`${ns}p/b/c`)).objects;
      assert.equal(listed.length, 1);
      assert.equal(listed[0]?.size, keys[1]?.length);
      assert.ok(listed[0]?.lastModified instanceof Date);
    },
  },
  {
    name: "list with a delimiter returns one level: objects and common prefixes",
    async run({ bucket, ns }) {
      await putAll(bucket, ["p/a", "p/b/c", "p/b/d/e", "p/bx", "q/z"].map((k) => ns + k));
      const top = await bucket.list(`${ns}p/`, { delimiter: "/" });
      assert.deepEqual(keysOf(top), [`${ns}p/a`, `${ns}p/bx`]);
      assert.deepEqual(prefixesOf(top), [`${ns}p/b/`]);
      const nested = await bucket.list(`${ns}p/b/`, { delimiter: "/" });
      assert.deepEqual(keysOf(nested), [`${ns}p/b/c`]);
      assert.deepEqual(prefixesOf(nested), [`${ns}p/b/d/`]);
      const partial = await bucket.list(`${ns}p/b`, { delimiter: "/" });
      assert.deepEqual(keysOf(partial), [`${ns}p/bx`]);
      assert.deepEqual(prefixesOf(partial), [`${ns}p/b/`]);
      const root = await bucket.list(ns, { delimiter: "/" });
      assert.deepEqual(keysOf(root), []);
      assert.deepEqual(prefixesOf(root), [`${ns}p/`, `${ns}q/`]);
    },
  },
  {
    name: "list follows every page (small pages)",
    async run({ ns, open }) {
      const bucket = await open({ listPageSize: 7 });
      try {
        const keys = [...Array.from({ length: 20 }, (_, i) => `${ns}f/${String(i).padStart(2, "0")}`), ...["g/1", "h/1", "i/1"].map((k) => `${ns}f/${k}`)];
        await putAll(bucket, keys);
        assert.deepEqual(keysOf(await bucket.list(`${ns}f/`)), [...keys].sort(compareKeys));
        const one = await bucket.list(`${ns}f/`, { delimiter: "/" });
        assert.equal(one.objects.length, 20);
        assert.deepEqual(prefixesOf(one), [`${ns}f/g/`, `${ns}f/h/`, `${ns}f/i/`]);
      } finally {
        await bucket.close();
      }
    },
  },
  {
    name: "list returns more than 1000 keys (server-side pagination)",
    only: ["filesystem", "s3"],
    async run({ bucket, ns }) {
      const keys = Array.from({ length: 1100 }, (_, i) => `${ns}many/${String(i).padStart(4, "0")}`);
      await putAll(bucket, keys);
      assert.deepEqual(keysOf(await bucket.list(`${ns}many/`)), keys);
      assert.equal((await bucket.list(`${ns}many/`, { delimiter: "/" })).objects.length, 1100);
    },
  },
  {
    name: "a 10 MiB body round-trips through put and through a streamed upload",
    async run({ bucket, ns }) {
      const body = pattern(10 * MIB + 17, 3);
      await bucket.put(`${ns}big`, body);
      assert.ok(Buffer.from(await bucket.get(`${ns}big`)).equals(body), "put/get differ");
      assert.deepEqual(await bucket.getRange(`${ns}big`, 6 * MIB - 5, 10), body.subarray(6 * MIB - 5, 6 * MIB + 5));
      const chunks = Array.from({ length: 11 }, (_, i) => body.subarray(i * MIB, (i + 1) * MIB));
      await bucket.upload(`${ns}streamed`, () => Readable.from(chunks), { sizeBytes: body.length });
      assert.ok(Buffer.from(await bucket.get(`${ns}streamed`)).equals(body), "upload/get differ");
      assert.equal((await bucket.attributes(`${ns}streamed`)).size, body.length);
    },
  },
  {
    name: "unicode and URL-special characters in keys survive every operation",
    async run({ bucket, ns }) {
      const keys = ["ü ñ 日本/é+%?#&=x", "emoji 😀/a b", "dir.with.dots/~tilde'quote\"", "plus+and%20encoded"].map((k) => ns + k);
      await putAll(bucket, keys);
      for (const key of keys) assert.equal(dec(await bucket.get(key)), key);
      assert.deepEqual(keysOf(await bucket.list(ns)), [...keys].sort(compareKeys));
      assert.deepEqual(prefixesOf(await bucket.list(ns, { delimiter: "/" })), [`${ns}dir.with.dots/`, `${ns}emoji 😀/`, `${ns}ü ñ 日本/`].sort(compareKeys));
      assert.equal((await bucket.attributes(keys[0] as string)).size, Buffer.byteLength(keys[0] as string));
      await bucket.delete(keys[0] as string);
      assert.equal(await bucket.exists(keys[0] as string), false);
    },
  },
  {
    name: "buckets with different storage prefixes are isolated",
    async run({ bucket, ns, open }) {
      const a = await open({ storagePrefix: "tenantA" });
      const b = await open({ storagePrefix: "tenantB" });
      try {
        await a.put(`${ns}k`, enc("from A"));
        await b.put(`${ns}k`, enc("from B"));
        await a.put(`${ns}only-a/x`, enc("a"));
        assert.equal(dec(await a.get(`${ns}k`)), "from A");
        assert.equal(dec(await b.get(`${ns}k`)), "from B");
        assert.equal(await b.exists(`${ns}only-a/x`), false);
        assert.deepEqual(keysOf(await a.list(ns)), [`${ns}k`, `${ns}only-a/x`]);
        assert.deepEqual(keysOf(await b.list(ns)), [`${ns}k`]);
        assert.deepEqual(prefixesOf(await a.list(ns, { delimiter: "/" })), [`${ns}only-a/`]);
        assert.equal(dec(await bucket.get(`tenantA/${ns}k`)), "from A");
        await b.delete(`${ns}k`);
        assert.equal(dec(await a.get(`${ns}k`)), "from A");
      } finally {
        await a.close();
        await b.close();
      }
    },
  },
  {
    name: "invalid keys and prefixes are rejected before any request",
    async run({ bucket }) {
      for (const key of ["", "/abs", "a/../b", "a//b", "a/", "./a", "a/.", "nul\0byte"]) {
        await assert.rejects(bucket.put(key, enc("x")), InvalidArgumentError, `put ${JSON.stringify(key)}`);
        await assert.rejects(bucket.get(key), InvalidArgumentError, `get ${JSON.stringify(key)}`);
      }
      await assert.rejects(bucket.list("/abs"), InvalidArgumentError);
      await assert.rejects(bucket.list("a/../"), InvalidArgumentError);
    },
  },
];

const BACKENDS: BackendName[] = ["filesystem", "s3", "swift", "azure", "gcs"];

for (const backend of BACKENDS) {
  describe(`bucket contract: ${backend}`, () => {
    let bucket: Bucket;
    const open = (options: { storagePrefix?: string; listPageSize?: number } = {}): Promise<Bucket> =>
      openBucket(backend, servers, { partSizeBytes: 5 * MIB, ...options });
    before(async () => {
      bucket = await open();
    });
    after(async () => {
      await bucket?.close();
    });
    cases.forEach((c, i) => {
      if (c.only !== undefined && !c.only.includes(backend)) return;
      test(c.name, () => c.run({ bucket, ns: `case${i}/`, backend, open }));
    });
  });
}

describe("retries (s3 through a failing proxy in front of Swift)", () => {
  let proxy: FlakyProxy;
  let bucket: Bucket;
  before(async () => {
    proxy = await startFlakyProxy(servers.swift.endpoint);
    const cfg = storageConfigFor("s3", servers);
    cfg.s3.endpoint = proxy.endpoint.replace(/^http:\/\//, "");
    bucket = await createBucket(cfg, servers.fsRoot, nopLogger(), { retry: FAST_RETRY });
    await bucket.put("retry/k", enc("value"));
  });
  after(async () => {
    await bucket?.close();
    await proxy?.close();
  });

  const table: Array<{ name: string; inject: () => void; requests: number; fails: boolean }> = [
    { name: "503 twice, then success", inject: () => proxy.failNext(2, { status: 503 }), requests: 3, fails: false },
    { name: "429 then 408, then success", inject: () => (proxy.failNext(1, { status: 429 }), proxy.failNext(1, { status: 408 })), requests: 3, fails: false },
    { name: "500 then a dropped connection, then success", inject: () => (proxy.failNext(1, { status: 500 }), proxy.failNext(1, "reset")), requests: 3, fails: false },
    { name: "403 is not retried", inject: () => proxy.failNext(1, { status: 403 }), requests: 1, fails: true },
    { name: "attempts are bounded (4 × 503 fails)", inject: () => proxy.failNext(FAST_RETRY.maxAttempts, { status: 503 }), requests: 4, fails: true },
  ];
  for (const t of table) {
    test(t.name, async () => {
      proxy.resetCounts();
      t.inject();
      if (t.fails) await assert.rejects(bucket.get("retry/k"), (err: unknown) => err instanceof Error && !(err instanceof NotFoundError));
      else assert.equal(dec(await bucket.get("retry/k")), "value");
      assert.equal(proxy.requests(), t.requests);
    });
  }

  test("a put retried after a 503 stores the object once", async () => {
    proxy.resetCounts();
    proxy.failNext(1, { status: 503 });
    await bucket.put("retry/put", enc("stored"));
    assert.equal(proxy.injected(), 1);
    assert.equal(dec(await bucket.get("retry/put")), "stored");
  });
});

describe("swift server stop/start (outage hook)", () => {
  test("requests fail while it is down; objects and fresh logins work after the restart", async () => {
    const quick = { retry: { maxAttempts: 2, minBackoffMs: 5, maxBackoffMs: 10 } };
    const s3 = await openBucket("s3", servers, quick);
    const swift = await openBucket("swift", servers, quick);
    try {
      await s3.put("outage/before", enc("s3 data"));
      await swift.put("outage/before", enc("swift data"));
      await servers.swift.stop();
      await assert.rejects(s3.get("outage/before"));
      await assert.rejects(swift.get("outage/before"));
      await servers.swift.start();
      assert.equal(dec(await s3.get("outage/before")), "s3 data");
      // memcached restarted too, so the cached token is gone: the client must log in again on 401.
      assert.equal(dec(await swift.get("outage/before")), "swift data");
      await s3.put("outage/after", enc("again"));
      assert.deepEqual(keysOf(await s3.list("outage/")), ["outage/after", "outage/before"]);
    } finally {
      await s3.close();
      await swift.close();
    }
  });
});
