/**
 * Sample deduplication for normalisation: samples with the same location list and the
 * same labels (as a set) become one, their values summed. Stacks are hashed into an
 * open-addressing table of Int32 slots and confirmed by exact comparison, so a hash
 * collision never merges two different stacks. No per-sample object or string is built.
 */
import type { FlatProfile } from "./flat-profile.js";
import { Slab, slabBytes } from "./slab.js";

/** The sample tables of a FlatProfile, as mergeSamples returns them. */
export interface SampleTables {
  sampleCount: number;
  values: Float64Array;
  locOffsets: Uint32Array;
  locs: Uint32Array;
  labelOffsets: Uint32Array;
  labelKey: Int32Array;
  labelStr: Int32Array;
  labelNum: Float64Array;
  labelNumUnit: Int32Array;
}

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalMix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Merges duplicate samples and drops samples whose values are all zero. `dropLabel(i)`
 * says whether input label i is removed first (so samples differing only in a dropped
 * label merge). Each output sample's labels are sorted by (key, str, num, num_unit),
 * which makes label order irrelevant to identity.
 *
 * Output order: first occurrence. A merged sample sits where the first of its duplicates
 * was; this is deterministic and keeps the input's order otherwise (Phlare instead sorts
 * by stack hash, an order with no meaning of its own).
 */
export function mergeSamples(p: FlatProfile, dropLabel: (labelIndex: number) => boolean): SampleTables {
  const { locOffsets, locs, labelOffsets, labelKey, labelStr, labelNum, labelNumUnit, values } = p;
  const n = p.sampleCount;
  const vps = p.valuesPerSample;

  let maxLabels = 0;
  for (let s = 0; s < n; s++) maxLabels = Math.max(maxLabels, labelOffsets[s + 1]! - labelOffsets[s]!);
  const scratch = new Uint32Array(maxLabels);

  // Output entries, indexed by output sample: the input sample that represents it,
  // its hash, its kept labels (as input label indices) and its summed values.
  const rep = new Int32Array(n);
  const hashes = new Uint32Array(n);
  const outLabelOffsets = new Uint32Array(n + 1);
  const outLabels = new Uint32Array(labelKey.length);
  const sums = new Float64Array(n * vps);
  let nOut = 0;

  let cap = 16;
  while (cap < n * 2) cap *= 2;
  const mask = cap - 1;
  const table = new Int32Array(cap).fill(-1);

  for (let s = 0; s < n; s++) {
    // Kept labels of s, insertion-sorted (label lists are a handful long).
    let nl = 0;
    for (let j = labelOffsets[s]!; j < labelOffsets[s + 1]!; j++) {
      if (dropLabel(j)) continue;
      let k = nl++;
      while (k > 0 && compareLabels(p, scratch[k - 1]!, j) > 0) {
        scratch[k] = scratch[k - 1]!;
        k--;
      }
      scratch[k] = j;
    }

    const l0 = locOffsets[s]!;
    const l1 = locOffsets[s + 1]!;
    let h = l1 - l0;
    for (let i = l0; i < l1; i++) h = mix(h, locs[i]!);
    h = mix(h, nl);
    for (let i = 0; i < nl; i++) {
      const j = scratch[i]!;
      const num = labelNum[j]!;
      h = mix(h, labelKey[j]!);
      h = mix(h, labelStr[j]!);
      h = mix(h, num | 0);
      h = mix(h, (num / 4294967296) | 0);
      h = mix(h, labelNumUnit[j]!);
    }
    h = finalMix(h);

    let slot = h & mask;
    let found = -1;
    for (;;) {
      const o = table[slot]!;
      if (o < 0) break;
      if (hashes[o] === h && sameStack(p, rep[o]!, s) && sameLabels(p, outLabels, outLabelOffsets, o, scratch, nl)) {
        found = o;
        break;
      }
      slot = (slot + 1) & mask;
    }

    const v0 = s * vps;
    if (found >= 0) {
      const o0 = found * vps;
      for (let i = 0; i < vps; i++) sums[o0 + i] += values[v0 + i]!;
      continue;
    }
    const o = nOut++;
    table[slot] = o;
    rep[o] = s;
    hashes[o] = h;
    const lo = outLabelOffsets[o]!;
    for (let i = 0; i < nl; i++) outLabels[lo + i] = scratch[i]!;
    outLabelOffsets[o + 1] = lo + nl;
    const o0 = o * vps;
    for (let i = 0; i < vps; i++) sums[o0 + i] = values[v0 + i]!;
  }

  return compact(p, nOut, rep, sums, outLabelOffsets, outLabels);
}

function compareLabels(p: FlatProfile, a: number, b: number): number {
  return (
    p.labelKey[a]! - p.labelKey[b]! ||
    p.labelStr[a]! - p.labelStr[b]! ||
    p.labelNum[a]! - p.labelNum[b]! ||
    p.labelNumUnit[a]! - p.labelNumUnit[b]!
  );
}

function sameStack(p: FlatProfile, a: number, b: number): boolean {
  const { locOffsets, locs } = p;
  const a0 = locOffsets[a]!;
  const b0 = locOffsets[b]!;
  const len = locOffsets[a + 1]! - a0;
  if (locOffsets[b + 1]! - b0 !== len) return false;
  for (let i = 0; i < len; i++) if (locs[a0 + i] !== locs[b0 + i]) return false;
  return true;
}

function sameLabels(
  p: FlatProfile,
  outLabels: Uint32Array,
  outLabelOffsets: Uint32Array,
  o: number,
  scratch: Uint32Array,
  nl: number,
): boolean {
  const start = outLabelOffsets[o]!;
  if (outLabelOffsets[o + 1]! - start !== nl) return false;
  for (let i = 0; i < nl; i++) if (compareLabels(p, outLabels[start + i]!, scratch[i]!) !== 0) return false;
  return true;
}

/** Builds the final tables, leaving out entries whose summed values are all zero. */
function compact(
  p: FlatProfile,
  nOut: number,
  rep: Int32Array,
  sums: Float64Array,
  outLabelOffsets: Uint32Array,
  outLabels: Uint32Array,
): SampleTables {
  const vps = p.valuesPerSample;
  const keep = new Uint8Array(nOut);
  let kept = 0;
  let nLocs = 0;
  let nLabels = 0;
  for (let o = 0; o < nOut; o++) {
    let nonZero = false;
    for (let i = o * vps; i < (o + 1) * vps; i++) {
      if (sums[i] !== 0) {
        nonZero = true;
        break;
      }
    }
    if (!nonZero) continue;
    keep[o] = 1;
    kept++;
    const s = rep[o]!;
    nLocs += p.locOffsets[s + 1]! - p.locOffsets[s]!;
    nLabels += outLabelOffsets[o + 1]! - outLabelOffsets[o]!;
  }

  const slab = new Slab(
    slabBytes(kept * vps + nLabels, 8) + slabBytes(2 * (kept + 1) + nLocs + 3 * nLabels, 4) + 9 * 8,
  );
  const values = slab.f64(kept * vps);
  const labelNum = slab.f64(nLabels);
  const locOffsets = slab.u32(kept + 1);
  const locs = slab.u32(nLocs);
  const labelOffsets = slab.u32(kept + 1);
  const labelKey = slab.i32(nLabels);
  const labelStr = slab.i32(nLabels);
  const labelNumUnit = slab.i32(nLabels);
  const { locOffsets: inLocOffsets, locs: inLocs } = p;
  const { labelKey: inKey, labelStr: inStr, labelNum: inNum, labelNumUnit: inUnit } = p;
  let t = 0;
  let lp = 0;
  let bp = 0;
  for (let o = 0; o < nOut; o++) {
    if (keep[o] === 0) continue;
    // Plain loops: these runs are short, and a subarray() per sample costs more than the copy.
    for (let i = 0; i < vps; i++) values[t * vps + i] = sums[o * vps + i]!;
    const s = rep[o]!;
    const l1 = inLocOffsets[s + 1]!;
    for (let i = inLocOffsets[s]!; i < l1; i++) locs[lp++] = inLocs[i]!;
    const b1 = outLabelOffsets[o + 1]!;
    for (let i = outLabelOffsets[o]!; i < b1; i++) {
      const j = outLabels[i]!;
      labelKey[bp] = inKey[j]!;
      labelStr[bp] = inStr[j]!;
      labelNum[bp] = inNum[j]!;
      labelNumUnit[bp] = inUnit[j]!;
      bp++;
    }
    t++;
    locOffsets[t] = lp;
    labelOffsets[t] = bp;
  }
  return { sampleCount: kept, values, locOffsets, locs, labelOffsets, labelKey, labelStr, labelNum, labelNumUnit };
}
