/**
 * Test helpers over FlatProfiles built from JFR: folded stacks (root first, ";"-joined)
 * with their summed values, and per-sample-type totals.
 */
import type { FlatProfile } from "../pprof/flat-profile.js";

/** Folded stack → summed values (one per sample type). */
export function folded(p: FlatProfile): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let s = 0; s < p.sampleCount; s++) {
    const names: string[] = [];
    for (let i = p.locOffsets[s]!; i < p.locOffsets[s + 1]!; i++) {
      const loc = p.locs[i]!;
      for (let l = p.lineOffsets[loc]!; l < p.lineOffsets[loc + 1]!; l++) names.push(p.strings[p.functionName[p.lineFunction[l]!]!]!);
    }
    const key = names.reverse().join(";");
    const v = out.get(key) ?? new Array<number>(p.valuesPerSample).fill(0);
    for (let i = 0; i < p.valuesPerSample; i++) v[i]! += p.values[s * p.valuesPerSample + i]!;
    out.set(key, v);
  }
  return out;
}

/** Sum of each sample type over all samples. */
export function totals(p: FlatProfile): number[] {
  const t = new Array<number>(p.valuesPerSample).fill(0);
  for (let s = 0; s < p.sampleCount; s++) for (let i = 0; i < p.valuesPerSample; i++) t[i]! += p.values[s * p.valuesPerSample + i]!;
  return t;
}

/** "type/unit" of each sample type, and the period type, e.g. ["cpu/nanoseconds"] and "cpu/nanoseconds". */
export function types(p: FlatProfile): { sampleTypes: string[]; periodType: string } {
  const sampleTypes: string[] = [];
  for (let i = 0; i < p.valuesPerSample; i++) sampleTypes.push(`${p.strings[p.sampleTypes[2 * i]!]}/${p.strings[p.sampleTypes[2 * i + 1]!]}`);
  return { sampleTypes, periodType: `${p.strings[p.periodType[0]!]}/${p.strings[p.periodType[1]!]}` };
}
