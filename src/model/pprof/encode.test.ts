import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Profile } from "pprof-format";
import { decodePprof } from "./decode.js";
import { encodePprof } from "./encode.js";
import { buildProfile } from "./test-builder.js";
import type { ProfileSpec } from "./test-builder.js";
import { assertMatchesReference, assertSameContent, referenceTotals, totals } from "./test-compare.js";
import { validCorpus } from "./test-corpus.js";

describe("encodePprof round-trips the corpus", () => {
  for (const file of validCorpus()) {
    test(file.name, () => {
      const decoded = decodePprof(file.raw);
      const encoded = encodePprof(decoded);
      assertSameContent(decoded, decodePprof(encoded), `${file.name} decode(encode(decode(x)))`);

      // An independent decoder reads our output as we do, with the original totals.
      const ref = Profile.decode(encoded);
      assertMatchesReference(decodePprof(encoded), ref, `${file.name} via pprof-format`);
      assert.deepEqual(referenceTotals(ref), totals(decoded), `${file.name}: totals`);
      assert.equal(ref.sample.length, decoded.sampleCount);

      // Renumbered ids make the encoding a fixed point.
      assert.deepEqual(encodePprof(decodePprof(encoded)), encoded, `${file.name}: encoding is stable`);
    });
  }
});

describe("encodePprof on hand-built profiles", () => {
  const cases: Array<{ name: string; spec: ProfileSpec }> = [
    { name: "empty profile", spec: { strings: [""] } },
    {
      name: "negative values, huge addresses, sparse ids, unmapped locations",
      spec: {
        strings: ["", "alloc", "bytes", "f", "k"],
        sampleTypes: [
          [1, 2],
          [2, 2],
        ],
        samples: [
          { locs: [2 ** 40, 7], values: [-5, 2 ** 50], labels: [{ key: 4, num: -3, numUnit: 2 }] },
          { locs: [], values: [0, 0] },
        ],
        locations: [
          { id: 7, address: 0xffff_ffff_ffff_ffffn, folded: true },
          { id: 2 ** 40, mapping: 9, lines: [{ fn: 3, line: -1 }, { fn: 0, line: 4 }] },
        ],
        functions: [{ id: 3, name: 3, startLine: 12 }],
        mappings: [{ id: 9, start: 1n, limit: 2n ** 63n, offset: 3n, filename: 1, buildId: 2, hasFunctions: true }],
        timeNanos: -(2n ** 63n),
        durationNanos: 2n ** 63n - 1n,
        period: -7,
        periodType: [1, 2],
      },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const bytes = buildProfile(c.spec);
      const decoded = decodePprof(bytes);
      const encoded = encodePprof(decoded);
      assertSameContent(decoded, decodePprof(encoded), c.name);
      assertMatchesReference(decodePprof(encoded), Profile.decode(encoded), `${c.name} via pprof-format`);
    });
  }

  test("an empty profile encodes to just the empty string-table entry", () => {
    assert.deepEqual(Array.from(encodePprof(decodePprof(new Uint8Array(0)))), [0x32, 0x00]);
  });
});
