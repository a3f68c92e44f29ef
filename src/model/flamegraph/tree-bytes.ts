/**
 * Pyroscope's serialized function tree (Tree.MarshalTruncate / UnmarshalTree), the
 * `tree_bytes` of format=TREE answers. Each node, starting with the nameless virtual root:
 *
 *   ┌────────────────────┬─────────────┬────────────────┬───────────────────────┐
 *   │ nameLen <uvarint>  │ name <utf8> │ self <uvarint> │ childCount <uvarint>  │
 *   └────────────────────┴─────────────┴────────────────┴───────────────────────┘
 *
 * Nodes follow in pre-order from a LIFO stack: a node's children are pushed in name
 * order, so its LAST child (and that child's subtree) comes first; we write that order so
 * our bytes equal Pyroscope's. self is the int64 value as uint64 (two's complement, ten
 * bytes when negative). An empty tree is zero bytes; anything under two bytes reads as an
 * empty tree, and bytes after the last node are ignored, as Pyroscope does.
 */
import { InvalidArgumentError } from "../errors.js";
import { FunctionTree } from "./function-tree.js";
import { OTHER_NAME } from "./flamegraph.js";
import { minValue } from "./min-value.js";
import { compareUtf8 } from "./name-order.js";
import { resized } from "../typed-array.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");
const OTHER_BYTES = encoder.encode(OTHER_NAME);
const TWO_POW_63 = 2 ** 63;

class ByteWriter {
  buf: Uint8Array;
  len = 0;

  constructor(cap: number) {
    this.buf = new Uint8Array(cap);
  }

  ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  uvarint(value: number): void {
    this.ensure(10);
    const buf = this.buf;
    let v = Math.trunc(value);
    if (v < 0) {
      // Go writes uint64(int64): two's complement, which needs exact 64-bit arithmetic.
      let big = BigInt.asUintN(64, BigInt(v));
      while (big >= 0x80n) {
        buf[this.len++] = Number(big & 0x7fn) | 0x80;
        big >>= 7n;
      }
      buf[this.len++] = Number(big);
      return;
    }
    while (v >= 0x80) {
      buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    buf[this.len++] = v;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
}

/**
 * Serializes `tree`, folding children whose total is below the flame graph's threshold for
 * `maxNodes` into an "other" child (merged into an existing "other" child, if any). The
 * tree is not modified.
 */
export function marshalTree(tree: FunctionTree, maxNodes: number): Uint8Array {
  if (tree.nodeCount === 1) return new Uint8Array(0);
  tree.computeTotals();
  const { offsets, nodes: kids } = tree.sortedChildren();
  const total = tree.total;
  const self = tree.self;
  const nameOf = tree.nodeNameId;
  const minVal = minValue(tree, maxNodes);
  const otherId = tree.findName(OTHER_NAME);
  const nameBytes: (Uint8Array | undefined)[] = new Array(tree.names.length);
  // Lazily: 1 when names[id] sorts after "other", -1 before.
  const vsOther = new Int8Array(tree.names.length);

  const w = new ByteWriter(Math.max(64, tree.nodeCount * 12));
  // Stack entries: node (-1 = synthetic "other") and a value added to its self.
  let cap = 256;
  let sNode = new Int32Array(cap);
  let sExtra = new Float64Array(cap);
  let sp = 0;
  const push = (node: number, extra: number): void => {
    if (sp === cap) {
      cap *= 2;
      sNode = resized(sNode, cap);
      sExtra = resized(sExtra, cap);
    }
    sNode[sp] = node;
    sExtra[sp] = extra;
    sp++;
  };
  let kept = new Int32Array(64);

  push(0, 0);
  while (sp > 0) {
    sp--;
    const node = sNode[sp]!;
    const extra = sExtra[sp]!;
    if (node < 0) {
      w.uvarint(OTHER_BYTES.length);
      w.bytes(OTHER_BYTES);
      w.uvarint(extra);
      w.uvarint(0);
      continue;
    }
    if (node === 0) {
      w.uvarint(0);
      w.uvarint(0);
    } else {
      const id = nameOf[node]!;
      let b = nameBytes[id];
      if (b === undefined) nameBytes[id] = b = encoder.encode(tree.names[id]!);
      w.uvarint(b.length);
      w.bytes(b);
      w.uvarint(self[node]! + extra);
    }

    const start = offsets[node]!;
    const end = offsets[node + 1]!;
    if (kept.length < end - start) kept = new Int32Array((end - start) * 2);
    let nKept = 0;
    let other = 0;
    let realOther = -1;
    for (let j = start; j < end; j++) {
      const c = kids[j]!;
      if (nameOf[c] === otherId) {
        realOther = c;
        kept[nKept++] = c;
      } else if (total[c]! >= minVal) {
        kept[nKept++] = c;
      } else {
        other += total[c]!;
      }
    }
    let synthAt = -1;
    if (other > 0 && realOther < 0) {
      synthAt = nKept;
      for (let j = 0; j < nKept; j++) {
        const id = nameOf[kept[j]!]!;
        if (vsOther[id] === 0) vsOther[id] = compareUtf8(tree.names[id]!, OTHER_NAME) > 0 ? 1 : -1;
        if (vsOther[id] === 1) {
          synthAt = j;
          break;
        }
      }
    }
    for (let j = 0; j < nKept; j++) {
      if (j === synthAt) push(-1, other);
      const c = kept[j]!;
      push(c, c === realOther && other > 0 ? other : 0);
    }
    if (synthAt === nKept) push(-1, other);
    w.uvarint(nKept + (synthAt >= 0 ? 1 : 0));
  }
  return w.buf.slice(0, w.len);
}

function malformed(): never {
  throw new InvalidArgumentError("invalid_query", "malformed tree bytes");
}

/** Rebuilds a tree from marshalTree / Pyroscope bytes; throws InvalidArgumentError("malformed tree bytes") on truncation or varint overflow. */
export function unmarshalTree(bytes: Uint8Array): FunctionTree {
  const tree = new FunctionTree(Math.max(16, bytes.length >> 4));
  if (bytes.length < 2) return tree;
  const end = bytes.length;
  let pos = 0;

  const uvarint = (): number => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) malformed();
      const b = bytes[pos++]!;
      if (i === 9 && b > 1) malformed();
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 0x80;
    }
    return malformed();
  };
  const int64 = (): number => {
    const start = pos;
    const v = uvarint();
    if (v < TWO_POW_63) return v;
    let big = 0n;
    for (let i = pos - 1; i >= start; i--) big = (big << 7n) | BigInt(bytes[i]! & 0x7f);
    return Number(BigInt.asIntN(64, big));
  };
  const name = (): string => {
    const len = uvarint();
    if (len > end - pos) malformed();
    const from = pos;
    pos += len;
    let ascii = len <= 256;
    for (let i = from; ascii && i < pos; i++) ascii = bytes[i]! < 0x80;
    if (ascii) return String.fromCharCode.apply(null, bytes.subarray(from, pos) as unknown as number[]);
    return decoder.decode(bytes.subarray(from, pos));
  };

  // The first node is the virtual root: its name and self are dropped, as in Pyroscope.
  name();
  int64();
  const rootChildren = uvarint();
  if (rootChildren === 0) return tree;

  // Stack of (parent, children still to read) instead of one entry per child, so a
  // forged child count cannot allocate: every node read consumes at least three bytes.
  let cap = 256;
  let sParent = new Int32Array(cap);
  let sLeft = new Float64Array(cap);
  let sp = 0;
  const push = (parent: number, count: number): void => {
    if (sp === cap) {
      cap *= 2;
      const p = new Int32Array(cap);
      p.set(sParent);
      sParent = p;
      const l = new Float64Array(cap);
      l.set(sLeft);
      sLeft = l;
    }
    sParent[sp] = parent;
    sLeft[sp] = count;
    sp++;
  };
  push(0, rootChildren);
  while (sp > 0) {
    const top = sp - 1;
    const parent = sParent[top]!;
    if (--sLeft[top] <= 0) sp--;
    const n = tree.child(parent, tree.nameId(name()));
    const self = int64();
    const count = uvarint();
    if (self !== 0) tree.addSelf(n, self);
    if (count > 0) push(n, count);
  }
  return tree;
}
