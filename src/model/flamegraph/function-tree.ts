/**
 * A call tree keyed by function name, held in typed arrays: no object per node.
 *
 * Node 0 is a virtual root without a name; every other node has a parent created before
 * it (parent[n] < n), which lets totals be summed in one backward pass and lets copies
 * walk nodes in index order. Children are found through an open-addressing hash table
 * over (parent, nameId); a name-ordered child index (CSR) is built only when an output
 * needs it.
 *
 * Totals are NOT maintained on insert (that would cost a walk to the root per sample):
 * `total` is valid after `computeTotals()`, which every reader in this folder calls and
 * which returns at once when nothing changed since the last call.
 */
import { byteOrderRanks } from "./name-order.js";

/** Children of every node in UTF-8 name order: node p's are nodes[offsets[p] .. offsets[p+1]). */
export interface ChildIndex {
  offsets: Int32Array;
  nodes: Int32Array;
  /** rank[nameId] = position of the name in UTF-8 byte order among the tree's names. */
  rank: Int32Array;
}

const INITIAL_NODES = 1024;
// Slots hold (parent, nameId, node); node 0 never is a child, so 0 marks an empty slot.
const SLOT_WIDTH = 3;

/** A function-name call tree in typed arrays (see the file comment for its invariants). */
export class FunctionTree {
  /** Interned function names; nodes refer to them by index (nameId). */
  readonly names: string[] = [];
  /** Number of nodes, the virtual root included. */
  nodeCount = 1;
  /** parent[n]; parent[0] is -1. Arrays are replaced when they grow: re-read after inserts. */
  parent: Int32Array;
  /** nameId of node n; -1 for the root. */
  nodeNameId: Int32Array;
  /** Value of the stacks ending at node n; always 0 for the root. */
  self: Float64Array;
  /** self of n plus its descendants; valid after computeTotals(). total[0] is the tree's total. */
  total: Float64Array;

  private readonly nameIds = new Map<string, number>();
  private slots: Int32Array;
  private slotMask: number;
  private totalsValid = true;
  private childIndex: ChildIndex | undefined;

  constructor(expectedNodes = INITIAL_NODES) {
    const cap = Math.max(16, expectedNodes | 0);
    this.parent = new Int32Array(cap);
    this.nodeNameId = new Int32Array(cap);
    this.self = new Float64Array(cap);
    this.total = new Float64Array(cap);
    this.parent[0] = -1;
    this.nodeNameId[0] = -1;
    let slotCount = 16;
    while (slotCount * 3 < cap * 4) slotCount *= 2;
    this.slots = new Int32Array(slotCount * SLOT_WIDTH);
    this.slotMask = slotCount - 1;
  }

  /** The id of `name`, interning it on first use. */
  nameId(name: string): number {
    let id = this.nameIds.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.nameIds.set(name, id);
      this.childIndex = undefined;
    }
    return id;
  }

  /** The id of `name`, or -1 when the tree has never seen it (never interns). */
  findName(name: string): number {
    return this.nameIds.get(name) ?? -1;
  }

  /** Name of node n ("" for the root). */
  nodeName(node: number): string {
    return node === 0 ? "" : this.names[this.nodeNameId[node]]!;
  }

  /** The child of `parent` named `nameId`, created when missing. The hot path of every merge. */
  child(parent: number, nameId: number): number {
    const slots = this.slots;
    const mask = this.slotMask;
    let h = Math.imul(parent, 0x9e3779b1) ^ Math.imul(nameId ^ 0x7f4a7c15, 0x85ebca77);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    let i = h & mask;
    for (;;) {
      const s = i * SLOT_WIDTH;
      const node = slots[s + 2];
      if (node === 0) return this.insertNode(parent, nameId, s);
      if (slots[s] === parent && slots[s + 1] === nameId) return node;
      i = (i + 1) & mask;
    }
  }

  /** Adds `value` to the self of `node`. The root has no self: values given to it are dropped, as Pyroscope drops empty stacks. */
  addSelf(node: number, value: number): void {
    if (node === 0) return;
    this.self[node] += value;
    this.totalsValid = false;
  }

  /**
   * Adds one stack, names ROOT-FIRST. Like Pyroscope's InsertStack, a value ≤ 0 or an
   * empty stack adds nothing (no nodes are created).
   */
  insertStack(value: number, names: readonly string[]): void {
    if (!(value > 0) || names.length === 0) return;
    let node = 0;
    for (let i = 0; i < names.length; i++) node = this.child(node, this.nameId(names[i]!));
    this.addSelf(node, value);
  }

  /** Fills `total` (and total[0], the sum over the root's children) when anything changed since the last call. */
  computeTotals(): void {
    if (this.totalsValid) return;
    const n = this.nodeCount;
    const total = this.total;
    const parent = this.parent;
    total.set(this.self.subarray(0, n));
    total[0] = 0;
    for (let i = n - 1; i > 0; i--) total[parent[i]!] += total[i]!;
    this.totalsValid = true;
  }

  /** Sum of all values (Pyroscope's Tree.Total). */
  totalValue(): number {
    this.computeTotals();
    return this.total[0]!;
  }

  /**
   * Adds every node of `other` into this tree. Mirrors Pyroscope's Tree.Merge, including
   * its shortcuts: a source whose total is 0 adds nothing (not even zero-valued nodes), and
   * a destination whose total is 0 is replaced by the source.
   */
  merge(other: FunctionTree): void {
    if (other === this) throw new RangeError("cannot merge a function tree into itself");
    if (other.totalValue() === 0) return;
    if (this.totalValue() === 0 && other.totalValue() > 0) this.clear();
    const nameMap = new Int32Array(other.names.length).fill(-1);
    const map = new Int32Array(other.nodeCount);
    const oParent = other.parent;
    const oName = other.nodeNameId;
    const oSelf = other.self;
    for (let i = 1; i < other.nodeCount; i++) {
      const oid = oName[i]!;
      let id = nameMap[oid]!;
      if (id < 0) nameMap[oid] = id = this.nameId(other.names[oid]!);
      const node = this.child(map[oParent[i]!]!, id);
      map[i] = node;
      const v = oSelf[i]!;
      if (v !== 0) this.addSelf(node, v);
    }
  }

  /** Removes every node; interned names stay. */
  clear(): void {
    this.self.fill(0, 0, this.nodeCount);
    this.total.fill(0, 0, this.nodeCount);
    this.nodeCount = 1;
    this.slots.fill(0);
    this.totalsValid = true;
    this.childIndex = undefined;
  }

  /**
   * Children of every node in UTF-8 name order, built once per tree state with two
   * counting sorts (by name rank, then stably by parent): no comparator sort per node.
   */
  sortedChildren(): ChildIndex {
    if (this.childIndex) return this.childIndex;
    const n = this.nodeCount;
    const rank = byteOrderRanks(this.names);
    const nameId = this.nodeNameId;
    const parent = this.parent;
    const byRankStart = new Int32Array(this.names.length + 1);
    for (let i = 1; i < n; i++) byRankStart[rank[nameId[i]!]! + 1]++;
    for (let r = 0; r < this.names.length; r++) byRankStart[r + 1] += byRankStart[r]!;
    const byRank = new Int32Array(Math.max(0, n - 1));
    for (let i = 1; i < n; i++) byRank[byRankStart[rank[nameId[i]!]!]!++] = i;
    const offsets = new Int32Array(n + 1);
    for (let i = 1; i < n; i++) offsets[parent[i]! + 1]++;
    for (let p = 0; p < n; p++) offsets[p + 1] += offsets[p]!;
    const fill = offsets.slice(0, n);
    const nodes = new Int32Array(Math.max(0, n - 1));
    for (let k = 0; k < byRank.length; k++) {
      const c = byRank[k]!;
      nodes[fill[parent[c]!]!++] = c;
    }
    this.childIndex = { offsets, nodes, rank };
    return this.childIndex;
  }

  private insertNode(parent: number, nameId: number, slot: number): number {
    if (!(parent >= 0 && parent < this.nodeCount) || !(nameId >= 0 && nameId < this.names.length)) {
      throw new RangeError(`function tree: no node ${parent} or name ${nameId} (${this.nodeCount} nodes, ${this.names.length} names)`);
    }
    const node = this.nodeCount;
    if (node === this.parent.length) this.growNodes(node * 2);
    this.parent[node] = parent;
    this.nodeNameId[node] = nameId;
    this.self[node] = 0;
    this.nodeCount = node + 1;
    this.slots[slot] = parent;
    this.slots[slot + 1] = nameId;
    this.slots[slot + 2] = node;
    this.childIndex = undefined;
    // Load factor ≤ 3/4 keeps linear-probe chains short.
    if (this.nodeCount * 4 > (this.slotMask + 1) * 3) this.rehash((this.slotMask + 1) * 2);
    return node;
  }

  private growNodes(cap: number): void {
    const grow32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    const grow64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.parent = grow32(this.parent);
    this.nodeNameId = grow32(this.nodeNameId);
    this.self = grow64(this.self);
    this.total = grow64(this.total);
  }

  private rehash(slotCount: number): void {
    const slots = new Int32Array(slotCount * SLOT_WIDTH);
    const mask = slotCount - 1;
    const parent = this.parent;
    const nameId = this.nodeNameId;
    for (let node = 1; node < this.nodeCount; node++) {
      const p = parent[node]!;
      const id = nameId[node]!;
      let h = Math.imul(p, 0x9e3779b1) ^ Math.imul(id ^ 0x7f4a7c15, 0x85ebca77);
      h ^= h >>> 15;
      h = Math.imul(h, 0x2c1b3c6d);
      h ^= h >>> 12;
      let i = h & mask;
      while (slots[i * SLOT_WIDTH + 2] !== 0) i = (i + 1) & mask;
      const s = i * SLOT_WIDTH;
      slots[s] = p;
      slots[s + 1] = id;
      slots[s + 2] = node;
    }
    this.slots = slots;
    this.slotMask = mask;
  }
}
