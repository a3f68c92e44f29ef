import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Profile } from "pprof-format";
import { InvalidArgumentError } from "../errors.js";
import { decodePprof } from "./decode.js";
import type { FlatProfile } from "./flat-profile.js";
import { buildProfile } from "./test-builder.js";
import type { ProfileSpec } from "./test-builder.js";
import { assertMatchesReference, assertSameContent } from "./test-compare.js";
import { malformedFile, validCorpus } from "./test-corpus.js";
import { prng } from "../test-random.js";
import { ProtoWriter, WireType } from "./writer.js";

/** Asserts that `fn` throws InvalidArgumentError("invalid_profile") with a message matching `message`. */
function assertInvalid(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(err)}`);
    assert.equal(err.reason, "invalid_profile");
    assert.match(err.message, message);
    return true;
  });
}

/** Decodes, accepting only success or InvalidArgumentError("invalid_profile"). */
function decodeOrReject(bytes: Uint8Array, what: string): void {
  try {
    decodePprof(bytes);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError) || err.reason !== "invalid_profile") {
      assert.fail(`${what}: threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Raw bytes written by `write` into a fresh ProtoWriter. */
function raw(write: (w: ProtoWriter) => void): Uint8Array {
  const w = new ProtoWriter();
  write(w);
  return w.toBytes();
}

const STRINGS = ["", "samples", "count", "main", "main.go", "/bin/app", "key", "value"];
const base: ProfileSpec = {
  strings: STRINGS,
  sampleTypes: [[1, 2]],
  samples: [
    { locs: [1, 2], values: [5], labels: [{ key: 6, str: 7 }] },
    { locs: [2], values: [3] },
  ],
  locations: [
    { id: 1, mapping: 1, address: 0x401000n, lines: [{ fn: 1, line: 10 }] },
    { id: 2, mapping: 1, address: 0x402000n, lines: [{ fn: 1, line: 20 }, { fn: 1, line: 30 }] },
  ],
  functions: [{ id: 1, name: 3, filename: 4, startLine: 7 }],
  mappings: [{ id: 1, start: 0x400000n, limit: 0x800000n, filename: 5, hasFunctions: true }],
  timeNanos: 1_700_000_000_000_000_000n,
  durationNanos: 10_000_000_000n,
  period: 10_000_000,
  periodType: [1, 2],
};

describe("decodePprof on the corpus matches pprof-format", () => {
  for (const file of validCorpus()) {
    test(file.name, () => {
      assertMatchesReference(decodePprof(file.raw), Profile.decode(file.raw), file.name);
    });
  }

  test("malformed/no_addr_no_line.pb.gz decodes", () => {
    const file = malformedFile("no_addr_no_line.pb.gz");
    assertMatchesReference(decodePprof(file.raw), Profile.decode(file.raw), file.name);
  });

  test("malformed/invalid_utf8.pb.gz is rejected, naming the string", () => {
    assertInvalid(() => decodePprof(malformedFile("invalid_utf8.pb.gz").raw), /string_table\[4\] is not valid UTF-8 at byte \d+/);
  });
});

describe("decodePprof accepts every encoding shape", () => {
  const expected = decodePprof(buildProfile(base));
  const sameAsBase: Array<{ name: string; spec: ProfileSpec }> = [
    { name: "unpacked repeated fields", spec: { ...base, unpacked: true } },
    {
      name: "strings and tables after the samples",
      spec: { ...base, order: ["samples", "strings", "functions", "locations", "scalars", "mappings", "sampleTypes"] },
    },
  ];
  for (const c of sameAsBase) {
    test(c.name, () => assertSameContent(expected, decodePprof(buildProfile(c.spec)), c.name));
  }

  const cases: Array<{ name: string; spec?: ProfileSpec; bytes?: Uint8Array; check: (p: FlatProfile) => void }> = [
    {
      name: "base profile fields",
      spec: base,
      check: (p) => {
        assert.equal(p.sampleCount, 2);
        assert.deepEqual(Array.from(p.locs), [0, 1, 1]);
        assert.deepEqual(Array.from(p.lineOffsets), [0, 1, 3]);
        assert.deepEqual(Array.from(p.lineNumber), [10, 20, 30]);
        assert.equal(p.timeNanos, 1_700_000_000_000_000_000n);
        assert.equal(p.durationNanos, 10_000_000_000n);
        assert.deepEqual(Array.from(p.periodType), [1, 2]);
        assert.equal(p.functionStartLine[0], 7);
        assert.equal(p.labelStr[0], 7);
      },
    },
    {
      name: "sparse huge ids resolve through a Map",
      spec: {
        ...base,
        samples: [{ locs: [1e12, 2 ** 40], values: [1] }],
        locations: [
          { id: 2 ** 40, mapping: 2 ** 50, lines: [{ fn: 9e15 }] },
          { id: 1e12, mapping: 2 ** 50, lines: [{ fn: 9e15 }] },
        ],
        functions: [{ id: 9e15, name: 3 }],
        mappings: [{ id: 2 ** 50 }],
      },
      check: (p) => {
        assert.deepEqual(Array.from(p.locs), [1, 0]);
        assert.deepEqual(Array.from(p.locationId), [2 ** 40, 1e12]);
        assert.deepEqual(Array.from(p.locationMapping), [0, 0]);
        assert.deepEqual(Array.from(p.lineFunction), [0, 0]);
      },
    },
    {
      name: "location id 0xffffffff and ids at 2^32 resolve",
      spec: {
        ...base,
        samples: [{ locs: [0xffffffff, 2 ** 32, 0xffffffff], values: [1] }],
        locations: [{ id: 2 ** 32 }, { id: 0xffffffff }],
      },
      check: (p) => assert.deepEqual(Array.from(p.locs), [1, 0, 1]),
    },
    {
      name: "negative int64 values (10-byte varints) are exact",
      spec: { ...base, samples: [{ locs: [1], values: [-1] }, { locs: [1], values: [-(2 ** 40) - 3] }] },
      check: (p) => assert.deepEqual(Array.from(p.values), [-1, -(2 ** 40) - 3]),
    },
    {
      name: "time and duration beyond 2^53 stay exact, negative too",
      spec: { ...base, timeNanos: 2n ** 62n + 1n, durationNanos: -5n },
      check: (p) => {
        assert.equal(p.timeNanos, 2n ** 62n + 1n);
        assert.equal(p.durationNanos, -5n);
      },
    },
    {
      name: "64-bit addresses are exact",
      spec: {
        ...base,
        locations: [
          { id: 1, mapping: 1, address: 0xffff_ffff_ffff_fff0n, lines: [{ fn: 1 }] },
          { id: 2, mapping: 1, address: 0x7f00_0000_1234n },
        ],
        mappings: [{ id: 1, start: 0xffff_ffff_0000_0000n, limit: 0xffff_ffff_ffff_ffffn, offset: 1n }],
      },
      check: (p) => {
        assert.deepEqual([p.locationAddressHi[0], p.locationAddressLo[0]], [0xffffffff, 0xfffffff0]);
        assert.deepEqual([p.locationAddressHi[1], p.locationAddressLo[1]], [0x7f00, 0x1234]);
        assert.deepEqual([p.mappingLimitHi[0], p.mappingLimitLo[0]], [0xffffffff, 0xffffffff]);
        assert.deepEqual([p.mappingOffsetHi[0], p.mappingOffsetLo[0]], [0, 1]);
      },
    },
    {
      name: "function id 0 and mapping id 0 mean none",
      spec: { ...base, locations: [{ id: 1, lines: [{ fn: 0, line: 3 }] }, { id: 2, mapping: 0 }] },
      check: (p) => {
        assert.deepEqual(Array.from(p.locationMapping), [-1, -1]);
        assert.deepEqual(Array.from(p.lineFunction), [-1]);
      },
    },
    {
      name: "a function table whose ids are all 0 is positional",
      spec: {
        ...base,
        functions: [{ id: 0, name: 3 }, { id: 0, name: 4 }],
        locations: [{ id: 1, lines: [{ fn: 2 }] }, { id: 2, lines: [{ fn: 1 }] }],
      },
      check: (p) => {
        assert.deepEqual(Array.from(p.functionId), [1, 2]);
        assert.deepEqual(Array.from(p.lineFunction), [1, 0]);
      },
    },
    {
      name: "UTF-8 strings, long strings and a leading BOM survive",
      spec: {
        ...base,
        strings: ["", "héllo wörld", "日本語", "x".repeat(1000), "\uFEFFbom", "𝄞 clef", "a".repeat(33), "ascii-32-bytes-long-string-xxxxx"],
      },
      check: (p) =>
        assert.deepEqual(p.strings, [
          "",
          "héllo wörld",
          "日本語",
          "x".repeat(1000),
          "\uFEFFbom",
          "𝄞 clef",
          "a".repeat(33),
          "ascii-32-bytes-long-string-xxxxx",
        ]),
    },
    {
      name: "empty input is an empty profile",
      bytes: new Uint8Array(0),
      check: (p) => {
        assert.deepEqual(p.strings, [""]);
        assert.equal(p.sampleCount, 0);
        assert.equal(p.timeNanos, 0n);
      },
    },
    {
      name: "unknown fields of every wire type are skipped, at top level and nested",
      bytes: concat(
        buildProfile(base),
        raw((w) => {
          w.tag(15, WireType.Varint);
          w.int64(-1);
          w.tag(100, WireType.Fixed64);
          w.raw(new Uint8Array(8));
          w.tag(101, WireType.Fixed32);
          w.raw(new Uint8Array(4));
          w.bytesField(102, new Uint8Array([1, 2, 3]));
          const s = w.fork(2);
          w.tag(9, WireType.Fixed32);
          w.raw(new Uint8Array(4));
          w.bytesField(10, new Uint8Array(2));
          w.tag(1, WireType.Varint);
          w.uint32(1);
          w.tag(2, WireType.Varint);
          w.uint32(4);
          w.end(s);
          const l = w.fork(4);
          w.int64Field(1, 3);
          const ln = w.fork(4);
          w.int64Field(1, 1);
          w.int64Field(3, 77);
          w.end(ln);
          w.tag(6, WireType.Fixed64);
          w.raw(new Uint8Array(8));
          w.end(l);
        }),
      ),
      check: (p) => {
        assert.equal(p.sampleCount, 3);
        assert.deepEqual(Array.from(p.values), [5, 3, 4]);
        assert.equal(p.locationCount, 3);
        assert.deepEqual(Array.from(p.lineFunction.subarray(3)), [0]);
      },
    },
  ];
  for (const c of cases) {
    test(c.name, () => c.check(decodePprof(c.bytes ?? buildProfile(c.spec ?? base))));
  }
});

describe("decodePprof rejects malformed input with InvalidArgumentError", () => {
  const strings = raw((w) => w.stringField(6, ""));
  const cases: Array<{ name: string; bytes: Uint8Array; message: RegExp }> = [
    { name: "group wire type", bytes: raw((w) => w.tag(50, WireType.StartGroup)), message: /wire type \(start-group\) at byte 0/ },
    { name: "end-group wire type", bytes: raw((w) => w.tag(50, WireType.EndGroup)), message: /end-group/ },
    { name: "wire type 7", bytes: new Uint8Array([0x7f]), message: /invalid wire type 7/ },
    { name: "known field, wrong wire type", bytes: raw((w) => w.int64Field(2, 1)), message: /field 2 has wire type varint/ },
    { name: "field number 0", bytes: new Uint8Array([0x00, 0x01]), message: /invalid field key 0/ },
    {
      name: "varint longer than 10 bytes",
      bytes: concat(new Uint8Array([0x60]), new Uint8Array(10).fill(0xff), new Uint8Array([0x01])),
      message: /varint longer than 64 bits at byte 1/,
    },
    { name: "truncated varint at the end", bytes: new Uint8Array([0x60, 0xff, 0xff]), message: /truncated/ },
    { name: "length past the end", bytes: new Uint8Array([0x32, 0x05, 0x61]), message: /string_table: length 5 runs past/ },
    {
      name: "absurd length (2^62)",
      bytes: raw((w) => {
        w.tag(2, WireType.LengthDelimited);
        w.int64Big(2n ** 62n);
      }),
      message: /sample: length \d+ runs past the end/,
    },
    {
      name: "nested length past its enclosing message",
      bytes: new Uint8Array([0x12, 0x03, 0x1a, 0x05, 0x08, 0x01, 0x00, 0x00, 0x00]),
      message: /sample.label: length 5 runs past/,
    },
    {
      name: "packed varints overrun their field",
      bytes: new Uint8Array([0x12, 0x04, 0x0a, 0x02, 0x01, 0x80, 0x01]),
      message: /sample.location_id: packed varints overrun/,
    },
    {
      name: "sample references a missing location",
      bytes: buildProfile({ ...base, samples: [{ locs: [9], values: [1] }] }),
      message: /sample 0 references location id 9, which is not defined/,
    },
    {
      name: "line references a missing function",
      bytes: buildProfile({ ...base, locations: [{ id: 1, lines: [{ fn: 7 }] }, { id: 2 }] }),
      message: /location id 1 references function id 7/,
    },
    {
      name: "location references a missing mapping",
      bytes: buildProfile({ ...base, locations: [{ id: 1, mapping: 3 }, { id: 2 }] }),
      message: /location id 1 references mapping id 3/,
    },
    {
      name: "function name out of the string table",
      bytes: buildProfile({ ...base, functions: [{ id: 1, name: 99 }] }),
      message: /function id 1 name: string index 99 is out of range \(the string table has 8 entries\)/,
    },
    {
      name: "label key out of the string table",
      bytes: buildProfile({ ...base, samples: [{ locs: [1], values: [1], labels: [{ key: 8 }] }] }),
      message: /label 0 of sample 0 key: string index 8/,
    },
    {
      name: "negative string index",
      bytes: buildProfile({ ...base, sampleTypes: [[1, -2]] }),
      message: /sample_type\[0\].unit: string index \(negative or too large\)/,
    },
    {
      name: "mapping filename out of the string table",
      bytes: buildProfile({ ...base, mappings: [{ id: 1, filename: 2 ** 40 }] }),
      message: /mapping id 1 filename/,
    },
    {
      name: "duplicate location id",
      bytes: buildProfile({ ...base, locations: [{ id: 1 }, { id: 1 }, { id: 2 }] }),
      message: /duplicate location id 1/,
    },
    {
      name: "duplicate sparse function id",
      bytes: buildProfile({ ...base, functions: [{ id: 2 ** 45 }, { id: 2 ** 45 }], locations: [{ id: 1 }, { id: 2 }] }),
      message: /duplicate function id/,
    },
    { name: "string_table[0] not empty", bytes: buildProfile({ ...base, strings: ["x", ...STRINGS.slice(1)] }), message: /string_table\[0\] must be the empty string/ },
    {
      name: "samples with different value counts",
      bytes: buildProfile({ ...base, samples: [{ values: [1] }, { values: [1, 2] }] }),
      message: /sample 1 has 2 values but earlier samples have 1/,
    },
    {
      name: "value count differs from sample types",
      bytes: buildProfile({ ...base, sampleTypes: [[1, 2], [2, 1]] }),
      message: /samples have 1 values but the profile has 2 sample types/,
    },
    {
      name: "invalid UTF-8 in the string table",
      bytes: concat(strings, new Uint8Array([0x32, 0x02, 0xc3, 0x28])),
      message: /string_table\[1\] is not valid UTF-8 at byte 4/,
    },
    {
      name: "invalid UTF-8 in a long string",
      bytes: concat(strings, new Uint8Array([0x32, 0x28]), new Uint8Array(39).fill(0x61), new Uint8Array([0xff])),
      message: /string_table\[1\] is not valid UTF-8/,
    },
  ];
  for (const c of cases) test(c.name, () => assertInvalid(() => decodePprof(c.bytes), c.message));
});

describe("decodePprof on hostile input throws only InvalidArgumentError", () => {
  const corpus = new Map(validCorpus().map((f) => [f.name, f.raw]));
  const pick = (name: string): Uint8Array => {
    const b = corpus.get(name);
    assert.ok(b !== undefined, name);
    return b;
  };
  const truncations: Array<{ name: string; step: number }> = [
    { name: "pprof/og_convert_pprof_cpu.pb.gz", step: 1 },
    { name: "pprof/pprof_heap_delta", step: 5 },
    { name: "pprof/og_convert_pprof_heap.pb.gz", step: 37 },
  ];
  for (const t of truncations) {
    test(`every truncation prefix of ${t.name} (step ${t.step})`, () => {
      const b = pick(t.name);
      for (let n = 0; n < b.length; n += t.step) decodeOrReject(b.subarray(0, n), `${t.name}[0:${n}]`);
    });
  }

  test("400 seeded random byte flips", () => {
    const rnd = prng(0x5eed);
    const files = ["pprof/og_convert_pprof_cpu.pb.gz", "pprof/pprof_profile_rust", "pprof/og_convert_pprof_pyspy-1.pb.gz", "pprof/pprof_heap_delta"].map(pick);
    for (let i = 0; i < 400; i++) {
      const b = files[i % files.length]!.slice();
      const flips = 1 + Math.floor(rnd() * 4);
      for (let f = 0; f < flips; f++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      decodeOrReject(b, `flip case ${i}`);
    }
  });

  test("200 seeded random buffers", () => {
    const rnd = prng(42);
    for (let i = 0; i < 200; i++) {
      const b = new Uint8Array(Math.floor(rnd() * 600));
      for (let j = 0; j < b.length; j++) b[j] = Math.floor(rnd() * 256);
      decodeOrReject(b, `random case ${i}`);
    }
  });

  test("huge declared lengths at every nesting level", () => {
    for (const prefix of [[0x12], [0x22], [0x22, 0x0b, 0x22], [0x12, 0x0b, 0x0a], [0x12, 0x0b, 0x1a]]) {
      for (const len of [0x7fffffffn, 0xffffffffn, 2n ** 53n, 2n ** 63n]) {
        const b = raw((w) => {
          w.raw(new Uint8Array(prefix));
          w.int64Big(len);
          w.raw(new Uint8Array(8));
        });
        assertInvalid(() => decodePprof(b), /runs past the end|overrun|truncated/);
      }
    }
  });
});
