import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Labels } from "../../model/labels.js";
import { parseSelector } from "../../model/selector.js";
import { intersectSorted, MemPostings, unionSorted } from "./postings.js";

const series: Labels[] = [
  [{ name: "__name__", value: "cpu" }, { name: "env", value: "prod" }, { name: "pod", value: "a" }],
  [{ name: "__name__", value: "cpu" }, { name: "env", value: "dev" }, { name: "pod", value: "b" }],
  [{ name: "__name__", value: "mem" }, { name: "pod", value: "c" }],
];

function select(selector: string): number[] {
  const p = new MemPostings();
  series.forEach((ls, ref) => p.add(ref, ls));
  return p.select(parseSelector(selector), series.length, (r) => series[r]!);
}

describe("MemPostings.select", () => {
  const cases: [string, number[]][] = [
    ["{}", [0, 1, 2]],
    ['{env="prod"}', [0]],
    ['{env!="prod"}', [1, 2]],
    ['{env=~"pr.*|dev"}', [0, 1]],
    ['{env!~"pr.*"}', [1, 2]],
    ['{env=""}', [2]],
    ['{env!=""}', [0, 1]],
    ['{env=~".*"}', [0, 1, 2]],
    ['{env=~"pro"}', []],
    ['cpu{pod=~"a|c"}', [0]],
    ['{__name__="cpu", env="dev", pod="b"}', [1]],
    ['{nope="x"}', []],
  ];
  for (const [sel, want] of cases) it(sel, () => assert.deepEqual(select(sel), want));
});

describe("sorted list helpers", () => {
  it("intersects", () => assert.deepEqual(intersectSorted([1, 3, 5, 7], [2, 3, 7, 9]), [3, 7]));
  it("unions without duplicates", () => assert.deepEqual(unionSorted([[1, 4], [2, 4, 6], []]), [1, 2, 4, 6]));
});
