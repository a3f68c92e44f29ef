/**
 * The KV contract: the same cases run against every implementation (in-memory, etcd). Each case
 * gets fresh clients from `open`; two clients of one store stand for two processes.
 */
import assert from "node:assert/strict";
import { test as nodeTest } from "node:test";
import type { InstanceDesc, RingDesc } from "./desc.js";
import type { KV } from "./kv.js";

/** Opens clients onto one store; every client of one `open` result shares the data. */
export interface KVFixture {
  /** A client of the store; the fixture closes it after the case. */
  client(): KV;
  /** A key no other case uses. */
  key(): string;
}

/** A member for test rings. */
export function member(addr: string, tokens: number[], extra: Partial<InstanceDesc> = {}): InstanceDesc {
  return { addr, timestamp: Math.floor(Date.now() / 1000), state: "ACTIVE", tokens, registered_timestamp: 1_700_000_000, ...extra };
}

/** Resolves once `pred` holds for a value delivered to the returned callback, or rejects after `timeoutMs`. */
export function valueWaiter(timeoutMs = 10_000): {
  onValue: (v: RingDesc | undefined) => void;
  until: (pred: (v: RingDesc | undefined) => boolean, what: string) => Promise<RingDesc | undefined>;
  values: (RingDesc | undefined)[];
} {
  const values: (RingDesc | undefined)[] = [];
  const waiters: { pred: (v: RingDesc | undefined) => boolean; resolve: (v: RingDesc | undefined) => void }[] = [];
  return {
    values,
    onValue(v) {
      values.push(v);
      for (const w of [...waiters]) {
        if (w.pred(v)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(v);
        }
      }
    },
    until(pred, what) {
      const seen = values.find(pred);
      if (seen !== undefined || values.some((v) => v === undefined && pred(v))) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; saw ${JSON.stringify(values)}`)), timeoutMs);
        waiters.push({
          pred,
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v);
          },
        });
      });
    },
  };
}

/** Registers the contract cases with node:test; `fixture()` is called once per case; `skip` gives why they cannot run. */
export function kvContract(name: string, fixture: () => KVFixture, skip?: string): void {
  const test = (title: string, fn: () => Promise<void>): void => {
    nodeTest(title, skip !== undefined ? { skip } : {}, fn);
  };

  test(`${name}: get of a missing key is undefined`, async () => {
    const f = fixture();
    assert.equal(await f.client().get(f.key()), undefined);
  });

  test(`${name}: cas creates, updates, and undefined leaves the value alone`, async () => {
    const f = fixture();
    const kv = f.client();
    const key = f.key();
    await kv.cas(key, (old) => {
      assert.equal(old, undefined);
      return { ingesters: { a: member("a:1", [1, 2]) } };
    });
    await kv.cas(key, (old) => {
      assert.ok(old);
      old.ingesters["b"] = member("b:1", [3]);
      return old;
    });
    await kv.cas(key, () => undefined);
    const got = await kv.get(key);
    assert.deepEqual(Object.keys(got?.ingesters ?? {}).sort(), ["a", "b"]);
    assert.deepEqual(got?.ingesters["a"]?.tokens, [1, 2]);
  });

  test(`${name}: values handed out are copies`, async () => {
    const f = fixture();
    const kv = f.client();
    const key = f.key();
    await kv.cas(key, () => ({ ingesters: { a: member("a:1", [1]) } }));
    const got = await kv.get(key);
    assert.ok(got);
    got.ingesters["a"]!.addr = "changed";
    assert.equal((await kv.get(key))?.ingesters["a"]?.addr, "a:1");
  });

  test(`${name}: an exception in the update aborts the cas`, async () => {
    const f = fixture();
    const kv = f.client();
    const key = f.key();
    await assert.rejects(
      kv.cas(key, () => {
        throw new Error("no thanks");
      }),
      /no thanks/,
    );
    assert.equal(await kv.get(key), undefined);
  });

  test(`${name}: concurrent cas from two clients loses no update`, async () => {
    const f = fixture();
    const [a, b] = [f.client(), f.client()];
    const key = f.key();
    const writes = 20;
    let attempts = 0;
    await Promise.all(
      Array.from({ length: writes }, (_, i) =>
        (i % 2 === 0 ? a : b).cas(key, (old) => {
          attempts++;
          const desc = old ?? { ingesters: {} };
          desc.ingesters[`m${i}`] = member(`m${i}:1`, [i]);
          return desc;
        }),
      ),
    );
    const got = await a.get(key);
    assert.equal(Object.keys(got?.ingesters ?? {}).length, writes);
    assert.ok(attempts >= writes);
  });

  test(`${name}: watch sees the current value and changes from another client, delete included`, async () => {
    const f = fixture();
    const [writer, watcher] = [f.client(), f.client()];
    const key = f.key();
    await writer.cas(key, () => ({ ingesters: { a: member("a:1", [1]) } }));
    const stop = new AbortController();
    const w = valueWaiter();
    const watching = watcher.watchKey(key, stop.signal, w.onValue);
    await w.until((v) => v?.ingesters["a"] !== undefined, "the initial value");
    await writer.cas(key, (old) => {
      old!.ingesters["b"] = member("b:1", [2]);
      return old;
    });
    await w.until((v) => v?.ingesters["b"] !== undefined, "member b");
    await writer.delete(key);
    await w.until((v) => v === undefined, "the delete");
    stop.abort();
    await watching;
  });

  test(`${name}: delete of a missing key is fine`, async () => {
    const f = fixture();
    await f.client().delete(f.key());
  });
}
