import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "../errors.js";
import { ProtoWriter, WireType } from "../pprof/writer.js";
import { decodeLabelsSnapshot } from "./labels-snapshot.js";
import { encodeLabelsSnapshot } from "./test-labels.js";

describe("decodeLabelsSnapshot", () => {
  it("decodes contexts and strings", () => {
    const s = decodeLabelsSnapshot(encodeLabelsSnapshot({ 7: { span_name: "GET /", zone: "eu" }, 9: {} }));
    assert.deepEqual([...s.strings], [[1, "span_name"], [2, "GET /"], [3, "zone"], [4, "eu"]]);
    assert.deepEqual([...s.contexts], [[7, [[1, 2], [3, 4]]], [9, []]]);
  });

  it("skips unknown fields, reads negative int64 keys, and takes a missing key or value as 0", () => {
    const w = new ProtoWriter();
    w.stringField(5, "ignored");
    const entry = w.fork(1);
    w.tag(1, WireType.Varint);
    w.int64(-3);
    w.tag(3, WireType.Fixed32);
    w.raw(new Uint8Array(4));
    w.end(entry);
    const str = w.fork(2);
    w.stringField(2, "no key");
    w.end(str);
    const s = decodeLabelsSnapshot(w.toBytes());
    assert.deepEqual([...s.contexts], [[-3, []]]);
    assert.deepEqual([...s.strings], [[0, "no key"]]);
  });

  it("decodes an empty part", () => {
    assert.deepEqual(decodeLabelsSnapshot(new Uint8Array(0)), { contexts: new Map(), strings: new Map() });
  });

  it("rejects a truncated part and wrong wire types", () => {
    const good = encodeLabelsSnapshot({ 1: { a: "b" } });
    // Protobuf cannot tell a cut between top-level fields from fewer fields; every other cut is detected.
    const boundaries = new Set<number>();
    for (let at = 0; at < good.length; at += 2 + good[at + 1]!) boundaries.add(at);
    for (let cut = 1; cut < good.length; cut++) {
      if (boundaries.has(cut)) continue;
      assert.throws(() => decodeLabelsSnapshot(good.subarray(0, cut)), InvalidArgumentError, `cut at ${cut}`);
    }
    const w = new ProtoWriter();
    const entry = w.fork(2);
    w.tag(2, WireType.Varint);
    w.int64(5);
    w.end(entry);
    assert.throws(() => decodeLabelsSnapshot(w.toBytes()), /jfr labels part: LabelsSnapshot.strings entry: field 2 has wire type varint/);
  });
});
