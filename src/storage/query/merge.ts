/**
 * Merges selected profile rows of a head: sums values per stacktrace id in one
 * typed array (the hot loop), then resolves only the stacktraces that carry a
 * value into a function-name tree or a pprof profile.
 */
import type { FunctionTree } from "../../model/flamegraph/function-tree.js";
import type { MemBlock } from "../mem-block.js";
import { FunctionCol, LocationCol } from "../symbols/symbols.js";

/** Sums the samples of `rows` per stacktrace id. */
export function accumulate(head: MemBlock, rows: Uint32Array): Float64Array {
  const acc = new Float64Array(head.symbols.stacktraces.count);
  const { sampleOffsets, stacks, values } = head.profiles;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const end = sampleOffsets[row + 1]!;
    for (let i = sampleOffsets[row]!; i < end; i++) acc[stacks[i]!] += values[i]!;
  }
  return acc;
}

/** Marks every stacktrace node on the path of a node with a value. */
export function markNeeded(head: MemBlock, acc: Float64Array): Uint8Array {
  const parent = head.symbols.stacktraces.parent;
  const need = new Uint8Array(acc.length);
  for (let n = 1; n < acc.length; n++) {
    if (acc[n] === 0) continue;
    let m = n;
    while (m !== 0 && need[m] === 0) {
      need[m] = 1;
      m = parent[m]!;
    }
  }
  return need;
}

/** Adds the selected rows of `head` into `tree`, frames named by function. */
export function mergeIntoTree(head: MemBlock, rows: Uint32Array, tree: FunctionTree): void {
  const acc = accumulate(head, rows);
  const need = markNeeded(head, acc);
  const st = head.symbols.stacktraces;
  const locs = head.symbols.locations;
  const fns = head.symbols.functions;
  const strings = head.symbols.strings.strings;
  const fnName = new Int32Array(fns.count).fill(-1);
  const nodeOf = new Int32Array(acc.length);
  // parent[n] < n, so one forward pass sees every parent before its children.
  for (let n = 1; n < acc.length; n++) {
    if (need[n] === 0) continue;
    let node = nodeOf[st.parent[n]!]!;
    const loc = st.location[n]!;
    const start = locs.rowStart(loc);
    const end = start + locs.rowLength(loc);
    if (end - start === LocationCol.Lines) {
      node = tree.child(node, tree.nameId(addressName(locs.data[start + LocationCol.AddressHi]!, locs.data[start + LocationCol.AddressLo]!)));
    } else {
      // Lines are callee-first (inlined frames before their caller): walk them backwards.
      for (let i = end - 2; i >= start + LocationCol.Lines; i -= 2) {
        const fn = locs.data[i]! - 1;
        let id: number;
        if (fn < 0) id = tree.nameId("");
        else if ((id = fnName[fn]!) < 0) {
          id = tree.nameId(strings[fns.data[fns.rowStart(fn) + FunctionCol.Name]!]!);
          fnName[fn] = id;
        }
        node = tree.child(node, id);
      }
    }
    nodeOf[n] = node;
    if (acc[n] !== 0) tree.addSelf(node, acc[n]!);
  }
}

/** Frame name of a location without line information. */
export function addressName(hi: number, lo: number): string {
  if (hi === 0 && lo === 0) return "<unknown>";
  return `0x${hi === 0 ? lo.toString(16) : hi.toString(16) + lo.toString(16).padStart(8, "0")}`;
}
