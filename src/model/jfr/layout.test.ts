import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { JfrByteReader } from "./byte-reader.js";
import { FieldKind, Layouts, fieldIndex, readFields } from "./layout.js";
import type { JfrClass, JfrMetadata } from "./metadata.js";
import { JfrBytes } from "./test-jfr-writer.js";

function metadata(classes: Array<[number, string, Array<[string, number, ("cp" | "array")?]>]>): JfrMetadata {
  const byId = new Map<number, JfrClass>();
  const byName = new Map<string, JfrClass>();
  for (const [id, name, fields] of classes) {
    const cls = { id, name, superType: "", fields: fields.map(([n, t, f]) => ({ name: n, typeId: t, constantPool: f === "cp", array: f === "array" })) };
    byId.set(id, cls);
    byName.set(name, cls);
  }
  return { byId, byName };
}

const PRIMS: Array<[number, string, []]> = [
  [1, "boolean", []],
  [2, "int", []],
  [3, "long", []],
  [4, "java.lang.String", []],
  [5, "float", []],
  [6, "double", []],
  [7, "short", []],
];

describe("Layouts and readFields", () => {
  const meta = metadata([
    ...PRIMS,
    [10, "Point", [["x", 2], ["y", 2]]],
    [11, "Empty", []],
    [20, "Shape", [["name", 4], ["origin", 10], ["points", 10, "array"], ["nothing", 11, "array"], ["owner", 99, "cp"], ["ratio", 6], ["weight", 5], ["flag", 1], ["size", 3], ["tag", 7]]],
  ]);

  it("compiles kinds and the smallest encoding", () => {
    const shape = new Layouts(meta, true).get(20, 0);
    assert.deepEqual(Array.from(shape.kinds), [FieldKind.String, FieldKind.Struct, FieldKind.Struct, FieldKind.Struct, FieldKind.Ref, FieldKind.Double, FieldKind.Float, FieldKind.Boolean, FieldKind.Long, FieldKind.Short]);
    assert.deepEqual(Array.from(shape.arrays), [0, 0, 1, 1, 0, 0, 0, 0, 0, 0]);
    // string 1 + point 2 + array counts 2 + ref 1 + double 8 + float 4 + bool 1 + long 1 + short 1
    assert.equal(shape.minBytes, 21);
    assert.equal(new Layouts(meta, false).get(20, 0).minBytes, 1 + 8 + 8 + 8 + 8 + 4 + 1 + 8 + 2);
    assert.equal(fieldIndex(shape, "owner"), 4);
    assert.equal(fieldIndex(shape, "missing"), -1);
  });

  it("reads numbers, references and wanted strings, and skips the rest", () => {
    // name, origin (1, 2), two points, a million empty structs (no bytes), owner 42, …
    const b = new JfrBytes().string("tri").int(1).int(2).int(2).int(3).int(4).int(5).int(6).int(1_000_000).long(42);
    b.fixed(0x3ff0000000000000n, 8).fixed(0x3f800000, 4).u8(1).long(-5).short(9).u8(0xee);
    const bytes = b.finish();
    const shape = new Layouts(meta, true).get(20, 0);
    const out = new Float64Array(10);
    const strings: string[] = [];
    const r = new JfrByteReader(bytes, 0, bytes.length);
    readFields(r, shape, out, strings, 0);
    assert.deepEqual(Array.from(out), [0, 0, 2, 1_000_000, 42, 0, 0, 1, -5, 9]);
    assert.equal(strings[0], "tri");
    assert.equal(r.pos, bytes.length - 1);
    const skip = new JfrByteReader(bytes, 0, bytes.length);
    readFields(skip, shape, null, null, 0);
    assert.equal(skip.pos, bytes.length - 1);
  });

  it("rejects a class that contains itself inline, and unknown field types", () => {
    const loop = metadata([...PRIMS, [10, "A", [["b", 11]]], [11, "B", [["a", 10]]]]);
    assert.throws(() => new Layouts(loop, true).get(10, 0), /class A contains itself inline/);
    const unknown = metadata([[10, "A", [["x", 77]]]]);
    assert.throws(() => new Layouts(unknown, true).get(10, 0), /field x of A has unknown type id 77/);
    assert.throws(() => new Layouts(unknown, true).get(99, 5), /type id 99 is not in the metadata at byte 5/);
  });

  it("allows a class to hold an array of itself, and bounds how deep values nest", () => {
    const tree = metadata([...PRIMS, [10, "Node", [["v", 2], ["kids", 10, "array"]]]]);
    const node = new Layouts(tree, true).get(10, 0);
    const ok = new JfrBytes().int(1).int(1).int(2).int(0).finish();
    const r = new JfrByteReader(ok, 0, ok.length);
    readFields(r, node, null, null, 0);
    assert.equal(r.pos, ok.length);
    const deep = new JfrBytes();
    for (let i = 0; i < 100; i++) deep.int(i).int(1);
    deep.int(0).int(0);
    const bytes = deep.finish();
    assert.throws(() => readFields(new JfrByteReader(bytes, 0, bytes.length), node, null, null, 0), /values nest deeper than 32/);
  });
});
