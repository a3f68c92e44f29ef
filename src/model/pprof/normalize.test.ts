import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Profile } from "pprof-format";
import { decodePprof } from "./decode.js";
import { encodePprof } from "./encode.js";
import type { FlatProfile } from "./flat-profile.js";
import { MappingFlag } from "./flat-profile.js";
import { normalizePprof } from "./normalize.js";
import { buildProfile } from "./test-builder.js";
import type { ProfileSpec } from "./test-builder.js";
import { referenceTotals, totals } from "./test-compare.js";
import { validCorpus } from "./test-corpus.js";

const NOW = 1_800_000_000_000_000_000n;

/** Samples as readable rows: stack of location ids, values, labels as "key=str" / "key=num unit". */
function rows(p: FlatProfile): Array<{ stack: number[]; values: number[]; labels: string[] }> {
  const out = [];
  for (let s = 0; s < p.sampleCount; s++) {
    const labels = [];
    for (let j = p.labelOffsets[s]!; j < p.labelOffsets[s + 1]!; j++) {
      const k = p.strings[p.labelKey[j]!];
      labels.push(p.labelStr[j] !== 0 ? `${k}=${p.strings[p.labelStr[j]!]}` : `${k}=${p.labelNum[j]} ${p.strings[p.labelNumUnit[j]!]}`);
    }
    out.push({
      stack: Array.from(p.locs.subarray(p.locOffsets[s], p.locOffsets[s + 1]), (l) => p.locationId[l]!),
      values: Array.from(p.values.subarray(s * p.valuesPerSample, (s + 1) * p.valuesPerSample)),
      labels,
    });
  }
  return out;
}

const STRINGS = ["", "alloc_space", "bytes", "f", "g", "thread", "main", "worker", "/bin/app", "object"];
const loc = (id: number, fn: number, mapping = 1, address = BigInt(0x1000 + id)) => ({ id, mapping, address, lines: [{ fn, line: id }] });
const base: ProfileSpec = {
  strings: STRINGS,
  sampleTypes: [[1, 2]],
  locations: [loc(1, 1), loc(2, 2), loc(3, 1)],
  functions: [
    { id: 1, name: 3 },
    { id: 2, name: 4 },
  ],
  mappings: [{ id: 1, start: 0x400000n, limit: 0x500000n, offset: 0x1000n, filename: 8 }],
  samples: [],
  timeNanos: 123n,
};
const norm = (spec: ProfileSpec): FlatProfile => normalizePprof(decodePprof(buildProfile(spec)), NOW);

describe("normalizePprof", () => {
  const cases: Array<{ name: string; spec: ProfileSpec; check: (p: FlatProfile) => void }> = [
    { name: "time_nanos 0 becomes now", spec: { ...base, timeNanos: 0n }, check: (p) => assert.equal(p.timeNanos, NOW) },
    { name: "a set time_nanos is kept", spec: base, check: (p) => assert.equal(p.timeNanos, 123n) },
    {
      name: "a profile without mappings gets one empty mapping, id 1",
      spec: { ...base, mappings: [], locations: [{ id: 1, lines: [{ fn: 1 }] }, { id: 2, address: 5n }] },
      check: (p) => {
        assert.equal(p.mappingCount, 1);
        assert.deepEqual(Array.from(p.mappingId), [1]);
        assert.deepEqual(Array.from(p.locationMapping), [0, 0]);
        assert.deepEqual([p.mappingStartLo[0], p.mappingLimitHi[0], p.mappingLimitLo[0], p.mappingFlags[0]], [0, 0, 0, 0]);
        assert.deepEqual(Array.from(p.locationAddressLo), [0, 5], "not every location has lines: addresses stay");
      },
    },
    {
      name: "locations without a mapping point at a new mapping, id max + 1",
      spec: { ...base, mappings: [{ id: 4 }], locations: [{ id: 1, mapping: 4 }, { id: 2 }] },
      check: (p) => {
        assert.deepEqual(Array.from(p.mappingId), [4, 5]);
        assert.deepEqual(Array.from(p.locationMapping), [0, 1]);
      },
    },
    {
      name: "has_functions clears the memory range and the addresses",
      spec: {
        ...base,
        mappings: [{ id: 1, start: 0x400000n, limit: 0x500000n, offset: 0x1000n, hasFunctions: true }],
        locations: [{ id: 1, mapping: 1, address: 0x401000n }, loc(2, 2)],
      },
      check: (p) => {
        assert.deepEqual([p.mappingStartLo[0], p.mappingLimitLo[0], p.mappingOffsetLo[0]], [0, 0, 0]);
        assert.deepEqual(Array.from(p.locationAddressLo), [0, 0]);
        assert.equal(p.mappingFlags[0], MappingFlag.HasFunctions);
      },
    },
    {
      name: "a mapping whose every location has lines is cleared without the flag",
      spec: base,
      check: (p) => {
        assert.deepEqual([p.mappingStartLo[0], p.mappingLimitLo[0], p.mappingOffsetLo[0]], [0, 0, 0]);
        assert.deepEqual(Array.from(p.locationAddressLo), [0, 0, 0]);
      },
    },
    {
      name: "one location without lines keeps the mapping's addresses",
      spec: { ...base, locations: [loc(1, 1), { id: 2, mapping: 1, address: 0x401234n }] },
      check: (p) => {
        assert.deepEqual([p.mappingStartLo[0], p.mappingLimitLo[0], p.mappingOffsetLo[0]], [0x400000, 0x500000, 0x1000]);
        assert.deepEqual(Array.from(p.locationAddressLo), [0x1001, 0x401234]);
      },
    },
    {
      name: "only the numeric bytes label is dropped",
      spec: {
        ...base,
        samples: [
          {
            locs: [1],
            values: [1],
            labels: [{ key: 2, num: 4096, numUnit: 2 }, { key: 5, str: 6 }, { key: 9, num: 3 }, { key: 2, str: 7 }],
          },
        ],
      },
      check: (p) => assert.deepEqual(rows(p)[0]!.labels, ["bytes=worker", "thread=main", "object=3 "]),
    },
    {
      name: "identical stacks and labels merge, values summed, in first-occurrence order",
      spec: {
        ...base,
        samples: [
          { locs: [1, 2], values: [1] },
          { locs: [2, 1], values: [2] },
          { locs: [1, 2], values: [3] },
          { locs: [3], values: [4] },
          { locs: [2, 1], values: [5] },
        ],
      },
      check: (p) =>
        assert.deepEqual(rows(p), [
          { stack: [1, 2], values: [4], labels: [] },
          { stack: [2, 1], values: [7], labels: [] },
          { stack: [3], values: [4], labels: [] },
        ]),
    },
    {
      name: "different labels keep samples apart; label order does not",
      spec: {
        ...base,
        samples: [
          { locs: [1], values: [1], labels: [{ key: 5, str: 6 }, { key: 9, str: 7 }] },
          { locs: [1], values: [2], labels: [{ key: 5, str: 7 }] },
          { locs: [1], values: [4], labels: [{ key: 9, str: 7 }, { key: 5, str: 6 }] },
          { locs: [1], values: [8] },
        ],
      },
      check: (p) =>
        assert.deepEqual(rows(p), [
          { stack: [1], values: [5], labels: ["thread=main", "object=worker"] },
          { stack: [1], values: [2], labels: ["thread=worker"] },
          { stack: [1], values: [8], labels: [] },
        ]),
    },
    {
      name: "samples that differ only in the bytes label merge",
      spec: {
        ...base,
        samples: [
          { locs: [1], values: [1], labels: [{ key: 2, num: 16 }] },
          { locs: [1], values: [2], labels: [{ key: 2, num: 32 }] },
        ],
      },
      check: (p) => assert.deepEqual(rows(p), [{ stack: [1], values: [3], labels: [] }]),
    },
    {
      name: "all-zero samples are dropped, also when merging cancels out; negative values stay",
      spec: {
        ...base,
        sampleTypes: [
          [1, 2],
          [1, 2],
        ],
        samples: [
          { locs: [1], values: [0, 0] },
          { locs: [2], values: [5, 0] },
          { locs: [2], values: [-5, 0] },
          { locs: [3], values: [0, -1] },
          { locs: [1, 2], values: [0, 2] },
        ],
      },
      check: (p) =>
        assert.deepEqual(rows(p), [
          { stack: [3], values: [0, -1], labels: [] },
          { stack: [1, 2], values: [0, 2], labels: [] },
        ]),
    },
    {
      name: "an empty profile stays empty but gains a mapping",
      spec: { strings: [""] },
      check: (p) => {
        assert.equal(p.sampleCount, 0);
        assert.equal(p.mappingCount, 1);
        assert.equal(p.timeNanos, NOW);
      },
    },
  ];
  for (const c of cases) test(c.name, () => c.check(norm(c.spec)));

  test("the input profile is not modified", () => {
    const input = decodePprof(
      buildProfile({
        ...base,
        mappings: [{ id: 1, start: 0x400000n, limit: 0x500000n, hasFunctions: true }],
        locations: [loc(1, 1), { id: 2, lines: [{ fn: 2 }] }],
        samples: [
          { locs: [1], values: [1], labels: [{ key: 2, num: 8 }] },
          { locs: [1], values: [2] },
          { locs: [2], values: [0] },
        ],
      }),
    );
    const before = encodePprof(input);
    normalizePprof(input, NOW);
    assert.deepEqual(encodePprof(input), before);
  });
});

/** The obvious implementation, with strings as keys, to check the typed one against. */
function referenceMerge(p: FlatProfile): Map<string, number[]> {
  const merged = new Map<string, number[]>();
  for (let s = 0; s < p.sampleCount; s++) {
    const labels: number[][] = [];
    for (let j = p.labelOffsets[s]!; j < p.labelOffsets[s + 1]!; j++) {
      if (p.labelStr[j] === 0 && p.strings[p.labelKey[j]!] === "bytes") continue;
      labels.push([p.labelKey[j]!, p.labelStr[j]!, p.labelNum[j]!, p.labelNumUnit[j]!]);
    }
    labels.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]! || a[3]! - b[3]!);
    const key = JSON.stringify([Array.from(p.locs.subarray(p.locOffsets[s], p.locOffsets[s + 1])), labels]);
    const values = Array.from(p.values.subarray(s * p.valuesPerSample, (s + 1) * p.valuesPerSample));
    const prev = merged.get(key);
    if (prev === undefined) merged.set(key, values);
    else values.forEach((v, i) => (prev[i]! += v));
  }
  for (const [k, v] of merged) if (v.every((x) => x === 0)) merged.delete(k);
  return merged;
}

describe("normalizePprof on the corpus", () => {
  for (const file of validCorpus()) {
    test(file.name, () => {
      const input = decodePprof(file.raw);
      const p = normalizePprof(input, NOW);

      assert.deepEqual(totals(p), totals(input), "totals are preserved");
      const expected = referenceMerge(input);
      assert.deepEqual([...referenceMerge(p)], [...expected], "merged samples, in first-occurrence order");
      assert.equal(p.sampleCount, expected.size);

      for (let i = 0; i < p.locationCount; i++) assert.ok(p.locationMapping[i]! >= 0, `location ${i} has a mapping`);
      for (let m = 0; m < p.mappingCount; m++) {
        if ((p.mappingFlags[m]! & MappingFlag.HasFunctions) === 0) continue;
        assert.equal(p.mappingStartHi[m]! | p.mappingStartLo[m]! | p.mappingLimitHi[m]! | p.mappingLimitLo[m]!, 0);
      }
      assert.equal(p.timeNanos, input.timeNanos === 0n ? NOW : input.timeNanos);

      const encoded = encodePprof(p);
      assert.deepEqual(referenceTotals(Profile.decode(encoded)), totals(input), "pprof-format reads the result");
      assert.equal(normalizePprof(decodePprof(encoded), NOW).sampleCount, p.sampleCount, "normalising twice changes nothing");
    });
  }
});

describe("normalizePprof without sample merging", () => {
  for (const file of validCorpus()) {
    test(file.name, () => {
      const input = decodePprof(file.raw);
      const p = normalizePprof(input, NOW, { mergeSamples: false });
      assert.equal(p.sampleCount, input.sampleCount, "samples are left as they are");
      assert.deepEqual(totals(p), totals(input));
      for (let i = 0; i < p.locationCount; i++) assert.ok(p.locationMapping[i]! >= 0, `location ${i} has a mapping`);
      assert.equal(p.timeNanos, input.timeNanos === 0n ? NOW : input.timeNanos);
    });
  }
});
