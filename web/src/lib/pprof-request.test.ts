import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeSelectMergeProfileRequest } from "./pprof-request.ts";

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

describe("encodeSelectMergeProfileRequest", () => {
  it("writes the four fields in order", () => {
    const b = encodeSelectMergeProfileRequest({ profileTypeID: "t", labelSelector: "{}", startMs: 1, endMs: 300 });
    // 0a 01 't' | 12 02 '{' '}' | 18 01 | 20 ac 02
    assert.equal(hex(b), "0a0174" + "12027b7d" + "1801" + "20ac02");
  });
  it("encodes a millisecond timestamp as a multi-byte varint", () => {
    const b = encodeSelectMergeProfileRequest({ profileTypeID: "", labelSelector: "", startMs: 1_700_000_000_000, endMs: 0 });
    let v = 0n;
    let shift = 0n;
    for (const byte of b.slice(1)) {
      v |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
    }
    assert.equal(b[0], 0x18);
    assert.equal(v, 1_700_000_000_000n);
  });
  it("encodes UTF-8 strings by byte length", () => {
    const b = encodeSelectMergeProfileRequest({ profileTypeID: "é", labelSelector: "", startMs: 0, endMs: 0 });
    assert.equal(hex(b), "0a02c3a9");
  });
  it("writes negative times as ten-byte varints", () => {
    const b = encodeSelectMergeProfileRequest({ profileTypeID: "", labelSelector: "", startMs: -1, endMs: 0 });
    assert.equal(hex(b), "18ffffffffffffffffff01");
  });
});
