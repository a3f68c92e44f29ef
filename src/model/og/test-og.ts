/**
 * Test helpers for the OG converters: reference encoders of the trie and tree bodies,
 * written from docs/format/og-ingest.md (not from the decoders), and a view of a
 * FlatProfile as `;`-joined root-first stacks.
 */
import type { FlatProfile } from "../pprof/flat-profile.js";
import type { OgProfileType } from "./og-profile-type.js";

const encoder = new TextEncoder();

/** A plain sample-count type: scale 1, no period. */
export const SAMPLES: OgProfileType = { metricName: "process_cpu", sampleType: ["samples", "count"], period: 0, scale: 1 };

/** The unsigned LEB128 bytes of `n` (exact up to 2^53). */
export function uvarint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

/** Stack (frame names root first, joined with ";") → summed value. */
export function stacksOf(p: FlatProfile): Record<string, number> {
  const out: Record<string, number> = {};
  for (let s = 0; s < p.sampleCount; s++) {
    const names: string[] = [];
    for (let i = p.locOffsets[s + 1]! - 1; i >= p.locOffsets[s]!; i--) {
      const loc = p.locs[i]!;
      const fn = p.lineFunction[p.lineOffsets[loc]!]!;
      names.push(p.strings[p.functionName[fn]!]!);
    }
    const key = names.join(";");
    out[key] = (out[key] ?? 0) + p.values[s * p.valuesPerSample]!;
  }
  return out;
}

/** Sum of the first value of every sample. */
export function total(p: FlatProfile): number {
  let t = 0;
  for (let s = 0; s < p.sampleCount; s++) t += p.values[s * p.valuesPerSample]!;
  return t;
}

interface RadixNode {
  name: Uint8Array;
  value: number;
  children: RadixNode[];
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function insertRadix(node: RadixNode, key: Uint8Array, value: number): void {
  if (key.length === 0) {
    node.value += value;
    return;
  }
  const child = node.children.find((c) => c.name[0] === key[0]);
  if (child === undefined) {
    node.children.push({ name: key, value, children: [] });
    node.children.sort((a, b) => compareBytes(a.name, b.name));
    return;
  }
  let l = 0;
  while (l < child.name.length && l < key.length && child.name[l] === key[l]) l++;
  if (l < child.name.length) {
    // Split the child at the common prefix.
    const tail: RadixNode = { name: child.name.subarray(l), value: child.value, children: child.children };
    child.name = child.name.subarray(0, l);
    child.value = 0;
    child.children = [tail];
  }
  insertRadix(child, key.subarray(l), value);
}

function writeNodes(node: RadixNode, out: number[]): void {
  out.push(...uvarint(node.name.length), ...node.name, ...uvarint(node.value), ...uvarint(node.children.length));
  for (const c of node.children) writeNodes(c, out);
}

/** A trie body holding `entries` (`;`-joined keys and values), fragments split at shared byte prefixes. */
export function encodeTrie(entries: ReadonlyArray<readonly [string, number]>): Uint8Array {
  const root: RadixNode = { name: new Uint8Array(0), value: 0, children: [] };
  for (const [k, v] of entries) insertRadix(root, encoder.encode(k), v);
  const out: number[] = [];
  writeNodes(root, out);
  return Uint8Array.from(out);
}

interface TreeNode {
  name: string;
  self: number;
  children: Map<string, TreeNode>;
}

function writeTree(node: TreeNode, out: number[]): void {
  const name = encoder.encode(node.name);
  out.push(...uvarint(name.length), ...name, ...uvarint(node.self), ...uvarint(node.children.size));
  for (const c of node.children.values()) writeTree(c, out);
}

/** A tree body holding `entries` (root-first frame names and self values), root named "". */
export function encodeTree(entries: ReadonlyArray<readonly [readonly string[], number]>, rootSelf = 0): Uint8Array {
  const root: TreeNode = { name: "", self: rootSelf, children: new Map() };
  for (const [stack, v] of entries) {
    let n = root;
    for (const f of stack) {
      let c = n.children.get(f);
      if (c === undefined) {
        c = { name: f, self: 0, children: new Map() };
        n.children.set(f, c);
      }
      n = c;
    }
    n.self += v;
  }
  const out: number[] = [];
  writeTree(root, out);
  return Uint8Array.from(out);
}
