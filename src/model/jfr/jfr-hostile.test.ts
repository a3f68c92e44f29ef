/**
 * Truncated, corrupted and hostile recordings: each must be rejected with
 * InvalidArgumentError (or, for a part too large once gunzipped, LimitExceededError)
 * quickly, without reading past its bounds or allocating beyond its own size.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { InvalidArgumentError, LimitExceededError } from "../errors.js";
import { testdataDir } from "../pprof/test-corpus.js";
import { parseJfrIngest } from "./jfr-ingest.js";
import { MAX_PROFILES } from "./sample-aggregator.js";
import { JfrBytes, TestJfrWriter, TestTypeId, jfrChunk, jfrRecord } from "./test-jfr-writer.js";
import { prng } from "../test-random.js";
import { encodeLabelsSnapshot } from "./test-labels.js";

const MAX = 64 << 20;
// Generous: every case here finishes in milliseconds; a hang or a quadratic blow-up would not.
const TIME_LIMIT_MS = 2000;

function rejects(bytes: Uint8Array, what: string, labels?: Uint8Array): InvalidArgumentError {
  const start = performance.now();
  let caught: unknown;
  try {
    parseJfrIngest(bytes, labels, { maxBytes: MAX });
  } catch (err) {
    caught = err;
  }
  assert.ok(performance.now() - start < TIME_LIMIT_MS, `${what}: took ${performance.now() - start} ms`);
  assert.ok(caught instanceof InvalidArgumentError, `${what}: threw ${String(caught)}`);
  assert.equal(caught.reason, "invalid_profile");
  if (process.env["JFR_TEST_VERBOSE"]) console.log(`${what}: ${caught.message}`);
  return caught;
}

/** Parses or rejects with InvalidArgumentError; anything else (a RangeError, a hang) fails. */
function parsesOrRejects(bytes: Uint8Array, what: string): void {
  const start = performance.now();
  try {
    parseJfrIngest(bytes, undefined, { maxBytes: MAX });
  } catch (err) {
    assert.ok(err instanceof InvalidArgumentError, `${what}: threw ${String(err)}`);
  }
  assert.ok(performance.now() - start < TIME_LIMIT_MS, `${what}: took ${performance.now() - start} ms`);
}

function corpus(name: string): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(join(testdataDir, "jfr", name))));
}

function small(): Uint8Array {
  const w = new TestJfrWriter({ splitCheckpoints: true });
  const a = w.method("A", "a");
  const b = w.method("B", "b");
  w.activeSetting("event", "wall");
  w.executionSample(w.stack([b, a]), { contextId: 3 });
  w.allocInNewTlab(w.stack([a]), 512);
  w.threadPark(w.stack([b]), 1000);
  w.otherEvents();
  w.endChunk();
  w.executionSample(w.stack([w.method("C", "c")]));
  return w.finish();
}

function withChunkSize(bytes: Uint8Array, size: number): Uint8Array {
  const out = bytes.slice(0, size);
  new DataView(out.buffer).setBigInt64(8, BigInt(size));
  return out;
}

/** A one-chunk recording of a metadata record built by `meta` and an empty checkpoint. */
function withMetadata(meta: (b: JfrBytes) => void): Uint8Array {
  const body = new JfrBytes().long(0).long(0).long(0).long(1);
  meta(body);
  const cp = new JfrBytes().long(1).long(0).long(0).long(0).u8(1).int(0);
  return jfrChunk([jfrRecord(body.finish()), jfrRecord(cp.finish())], 0, 1);
}

describe("hostile JFR input", () => {
  it("a truncated recording is rejected at every cut point", () => {
    for (const [name, bytes] of [
      ["small", small()],
      ["dump1", corpus("dump1.jfr.gz")],
    ] as const) {
      const cuts = new Set<number>();
      for (let i = 1; i < 200 && i < bytes.length; i++) cuts.add(i);
      for (let i = 0; i < 300; i++) cuts.add(Math.floor((bytes.length * i) / 300));
      const firstChunkEnd = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigInt64(8));
      cuts.delete(0);
      cuts.delete(firstChunkEnd);
      for (const cut of cuts) {
        if (cut >= bytes.length) continue;
        rejects(bytes.subarray(0, cut), `${name} cut at ${cut}`);
        // The same cut with the chunk header claiming exactly what is left: the records themselves are cut.
        if (cut > 68 && cut < firstChunkEnd) rejects(withChunkSize(bytes, cut), `${name} cut at ${cut}, header patched`);
      }
    }
  });

  it("random byte flips are parsed or rejected, never crash or hang", () => {
    for (const [name, bytes, rounds] of [
      ["small", small(), 2000],
      ["cortex cpu", corpus("cortex-dev-01__kafka-0__cpu__0.jfr.gz"), 150],
    ] as const) {
      const next = prng(42);
      for (let round = 0; round < rounds; round++) {
        const copy = bytes.slice();
        const flips = 1 + Math.floor(next() * 4);
        for (let i = 0; i < flips; i++) copy[Math.floor(next() * copy.length)] ^= 1 << Math.floor(next() * 8);
        parsesOrRejects(copy, `${name} round ${round}`);
      }
    }
  });

  it("a gzip bomb stops at maxBytes", () => {
    const bomb = gzipSync(new Uint8Array(32 << 20));
    assert.ok(bomb.length < 64 << 10);
    for (const [jfr, labels] of [
      [bomb, undefined],
      [gzipSync(small()), bomb],
    ] as const) {
      const start = performance.now();
      assert.throws(
        () => parseJfrIngest(jfr, labels, { maxBytes: 1 << 20 }),
        (err: unknown) => err instanceof LimitExceededError && err.reason === "body_too_large",
      );
      assert.ok(performance.now() - start < TIME_LIMIT_MS);
    }
    rejects(gzipSync(small()).subarray(0, 40), "truncated gzip");
  });

  it("sizes, counts and offsets larger than the input are rejected before anything is allocated", () => {
    const good = small();
    const patched = (at: number, v: bigint): Uint8Array => {
      const b = good.slice();
      new DataView(b.buffer).setBigInt64(at, v);
      return b;
    };
    rejects(patched(8, 1n << 62n), "chunk size 2^62");
    rejects(patched(8, 10n), "chunk size below the header");
    rejects(patched(16, 1n << 40n), "constant pool offset past the chunk");
    rejects(patched(24, 1n << 40n), "metadata offset past the chunk");
    rejects(patched(16, 68n), "constant pool offset at the metadata");
    rejects(patched(56, 0n), "zero ticks per second");
    const version = good.slice();
    version[5] = 1;
    assert.match(rejects(version, "version 1").message, /version 1\.1 is not supported/);
    const magic = good.slice();
    magic[0] = 0x47;
    assert.match(rejects(magic, "bad magic").message, /FLR/);

    rejects(withMetadata((b) => b.int(0x7fffffff)), "2^31 metadata strings");
    rejects(
      withMetadata((b) => b.int(1).string("x").int(0).int(0).int(0x7ffffff)),
      "2^27 metadata children",
    );
    rejects(
      withMetadata((b) => {
        b.int(1).string("root");
        for (let i = 0; i < 200; i++) b.int(0).int(0).int(1);
        b.int(0).int(0).int(0);
      }),
      "metadata nested 200 deep",
    );

    const hugePool = new TestJfrWriter({ extraPools: [(b) => b.long(TestTypeId.StackTrace).int(1).long(99).u8(0).int(0x7fffffff)] });
    hugePool.executionSample(hugePool.stack([hugePool.method("A", "a")]));
    rejects(hugePool.finish(), "stack trace of 2^31 frames");
    const hugeCount = new TestJfrWriter({ extraPools: [(b) => b.long(TestTypeId.Symbol).int(0x7fffffff)] });
    hugeCount.executionSample(hugeCount.stack([]));
    rejects(hugeCount.finish(), "pool of 2^31 symbols");
    const hugeString = new TestJfrWriter({ extraPools: [(b) => b.long(TestTypeId.Symbol).int(1).long(50).u8(3).int(0x7fffffff)] });
    hugeString.executionSample(hugeString.stack([]));
    rejects(hugeString.finish(), "string of 2^31 bytes");
    const unknownPool = new TestJfrWriter({ extraPools: [(b) => b.long(9999).int(1)] });
    unknownPool.executionSample(unknownPool.stack([]));
    assert.match(rejects(unknownPool.finish(), "pool of an undeclared type").message, /type id 9999/);
  });

  it("records that cannot make progress or break the checkpoint chain are rejected", () => {
    const w = new TestJfrWriter();
    w.executionSample(w.stack([w.method("A", "a")]));
    const good = w.finish();
    const metaLen = Number(new DataView(good.buffer).getBigInt64(16)) - 68;
    // A zero-size record right after the metadata.
    const zero = jfrChunk([good.slice(68, 68 + metaLen), new Uint8Array([0, 0]), good.slice(68 + metaLen)], 0, 2);
    assert.match(rejects(zero, "zero-size record").message, /record size 0/);
    // Two checkpoints where the earlier claims bytes of the later one.
    const first = jfrRecord(new JfrBytes().long(1).long(0).long(0).long(0).u8(1).int(0).finish());
    const size = first.length + 3;
    first.set([(size & 0x7f) | 0x80, ((size >> 7) & 0x7f) | 0x80, ((size >> 14) & 0x7f) | 0x80, (size >> 21) & 0x7f]);
    const second = jfrRecord(new JfrBytes().long(1).long(0).long(0).long(-first.length).u8(1).int(0).finish());
    const overlap = jfrChunk([good.slice(68, 68 + metaLen), first, second], 0, 2);
    assert.match(rejects(overlap, "overlapping checkpoints").message, /runs past the next checkpoint/);
    for (const delta of [5, -1, -(1 << 30)]) {
      const cp = new JfrBytes().long(1).long(0).long(0).long(delta).u8(1).int(0);
      rejects(jfrChunk([good.slice(68, 68 + metaLen), jfrRecord(cp.finish())], 0, 1), `checkpoint delta ${delta}`);
    }
  });

  it("a class that contains itself, or an unknown field type, is rejected; nested empty structs cost nothing", () => {
    const withPool = new TestJfrWriter({ extraClasses: [[300, "Loop", [["next", 300]]]], extraPools: [(b) => b.long(300).int(1).long(1).long(1)] });
    withPool.executionSample(withPool.stack([]));
    assert.match(rejects(withPool.finish(), "self-containing class").message, /contains itself/);

    const unknown = new TestJfrWriter({ extraClasses: [[300, "Odd", [["x", 777]]]], extraPools: [(b) => b.long(300).int(1).long(1).long(1)] });
    unknown.executionSample(unknown.stack([]));
    assert.match(rejects(unknown.finish(), "field of unknown type").message, /unknown type id 777/);

    // Forty levels of two inline empty structs each: 2^40 fields, none with a byte to read.
    const classes: Array<[number, string, Array<[string, number]>]> = [];
    for (let i = 0; i < 40; i++) classes.push([400 + i, `Fan${i}`, [["a", 401 + i], ["b", 401 + i]]]);
    classes.push([440, "Empty", []]);
    const fan = new TestJfrWriter({ extraClasses: [...classes, [500, "FanEvent", [["startTime", TestTypeId.Long], ["fan", 400]]]], extraPools: [(b) => b.long(400).int(1).long(1)] });
    fan.rawEvent(500, (b) => b.long(1));
    const a = fan.method("A", "a");
    fan.executionSample(fan.stack([a]));
    const start = performance.now();
    assert.equal(parseJfrIngest(fan.finish(), undefined, { maxBytes: MAX }).length, 1);
    assert.ok(performance.now() - start < TIME_LIMIT_MS);
  });

  it("one deep stack sampled from thousands of label sets cannot expand without bound", () => {
    const w = new TestJfrWriter();
    const methods = Array.from({ length: 2000 }, (_, i) => w.method(`C${i}`, "m"));
    const deep = w.stack(methods);
    const contexts: Record<number, Record<string, string>> = {};
    for (let c = 1; c <= 2000; c++) {
      w.executionSample(deep, { contextId: c });
      contexts[c] = { span_name: `s${c}` };
    }
    const bytes = w.finish();
    const message = rejects(bytes, "amplification", encodeLabelsSnapshot(contexts)).message;
    assert.match(message, /expands to more than 1048576 stack frames/);
    // Without the labels every sample shares one label set and one stack: well within bounds.
    assert.equal(parseJfrIngest(bytes, undefined, { maxBytes: MAX })[0]!.profile.sampleCount, 1);
  });

  it("more label sets than MAX_PROFILES are rejected", () => {
    const w = new TestJfrWriter();
    const stack = w.stack([]);
    const contexts: Record<number, Record<string, string>> = {};
    for (let c = 1; c <= MAX_PROFILES + 1; c++) {
      w.executionSample(stack, { contextId: c });
      contexts[c] = { span_name: `s${c}` };
    }
    assert.match(rejects(w.finish(), "too many label sets", encodeLabelsSnapshot(contexts)).message, /more than 10000 profiles/);
  });

  it("a malformed labels part is rejected", () => {
    for (const labels of [new Uint8Array([0x0a, 0x05, 0x08]), new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), new Uint8Array([0x12, 0x04, 0x12, 0x08, 0x41, 0x41])]) {
      assert.match(rejects(small(), "bad labels", labels).message, /jfr labels part/);
    }
  });
});
