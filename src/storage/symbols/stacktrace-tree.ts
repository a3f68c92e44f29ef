/**
 * Stack traces as a parent-pointer prefix tree: node 0 is the root, every other
 * node is (parent, location). A stacktrace id is a node id; the stack is the path
 * from that node to the root. Children are always created after their parent, so
 * parent[n] < n — query code relies on this to resolve nodes in one forward pass.
 */
import { grow, nextPow2 } from "../encoding/grow.js";

/** Sentinel location of the root node. */
export const ROOT_LOCATION = 0xffffffff;

/** The deduplicated stack-trace tree of one head. */
export class StacktraceTree {
  parent = new Uint32Array(1024);
  location = new Uint32Array(1024);
  /** Number of nodes, the root included. */
  count = 1;
  private slots = new Int32Array(2048).fill(-1);
  /**
   * Whole-stack index: hash of a location sequence → its leaf node. Most pushed stacks
   * were seen before, and one hash plus a parent walk to confirm costs a few ns per frame
   * where a probe of `slots` per frame costs tens.
   */
  private stackHashes = new Uint32Array(1024);
  private stackNodes = new Int32Array(1024).fill(-1);
  private stackCount = 0;

  constructor() {
    this.location[0] = ROOT_LOCATION;
  }

  /** The child of `parent` for `location`, created if new. */
  child(parent: number, location: number): number {
    const mask = this.slots.length - 1;
    let slot = hash(parent, location) & mask;
    for (;;) {
      const n = this.slots[slot]!;
      if (n < 0) break;
      if (this.parent[n] === parent && this.location[n] === location) return n;
      slot = (slot + 1) & mask;
    }
    const n = this.count++;
    this.parent = grow(this.parent, n + 1);
    this.location = grow(this.location, n + 1);
    this.parent[n] = parent;
    this.location[n] = location;
    this.slots[slot] = n;
    if (this.count * 2 > this.slots.length) this.rehash();
    return n;
  }

  /** Inserts a stack given leaf-first (pprof order) and returns its leaf node id. */
  insert(locs: Uint32Array, start: number, end: number): number {
    let h = 0x811c9dc5 ^ (end - start);
    for (let i = start; i < end; i++) {
      h = Math.imul(h ^ locs[i]!, 0x9e3779b1);
      h ^= h >>> 15;
    }
    h >>>= 0;
    const mask = this.stackNodes.length - 1;
    let slot = h & mask;
    for (;;) {
      const n = this.stackNodes[slot]!;
      if (n < 0) break;
      if (this.stackHashes[slot] === h && this.isPath(n, locs, start, end)) return n;
      slot = (slot + 1) & mask;
    }
    let n = 0;
    for (let i = end - 1; i >= start; i--) n = this.child(n, locs[i]!);
    this.stackHashes[slot] = h;
    this.stackNodes[slot] = n;
    if (++this.stackCount * 2 > this.stackNodes.length) this.rehashStacks();
    return n;
  }

  /** Whether the path from `n` to the root is exactly locs[start .. end) (leaf-first). */
  private isPath(n: number, locs: Uint32Array, start: number, end: number): boolean {
    for (let i = start; i < end; i++) {
      if (n === 0 || this.location[n] !== locs[i]) return false;
      n = this.parent[n]!;
    }
    return n === 0;
  }

  private rehashStacks(): void {
    const size = this.stackNodes.length * 2;
    const hashes = new Uint32Array(size);
    const nodes = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (let i = 0; i < this.stackNodes.length; i++) {
      const n = this.stackNodes[i]!;
      if (n < 0) continue;
      let slot = this.stackHashes[i]! & mask;
      while (nodes[slot]! >= 0) slot = (slot + 1) & mask;
      hashes[slot] = this.stackHashes[i]!;
      nodes[slot] = n;
    }
    this.stackHashes = hashes;
    this.stackNodes = nodes;
  }

  /** Writes the stack of node `n` leaf-first into `out`; returns its depth. */
  resolve(n: number, out: number[]): number {
    out.length = 0;
    while (n !== 0) {
      out.push(this.location[n]!);
      n = this.parent[n]!;
    }
    return out.length;
  }

  private rehash(): void {
    const slots = new Int32Array(nextPow2(this.count * 4)).fill(-1);
    const mask = slots.length - 1;
    for (let n = 1; n < this.count; n++) {
      let slot = hash(this.parent[n]!, this.location[n]!) & mask;
      while (slots[slot]! >= 0) slot = (slot + 1) & mask;
      slots[slot] = n;
    }
    this.slots = slots;
  }
}

function hash(parent: number, location: number): number {
  let h = Math.imul(parent ^ 0x27d4eb2f, 0x9e3779b1) ^ Math.imul(location + 0x165667b1, 0x85ebca6b);
  h ^= h >>> 16;
  return h >>> 0;
}
