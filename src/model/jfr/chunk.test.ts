import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CHUNK_HEADER_BYTES, forEachRecord, isJfr, readChunk, readChunkHeader } from "./chunk.js";
import { TestJfrWriter, TestTypeId } from "./test-jfr-writer.js";

function twoChunks(compressed: boolean): Uint8Array {
  const w = new TestJfrWriter({ compressed, ticksPerSecond: 2_500_000_000, startNanos: 77n, durationNanos: 5n });
  const a = w.method("A", "a");
  w.executionSample(w.stack([a]));
  w.otherEvents();
  w.endChunk();
  w.liveObject(w.stack([w.method("B", "b")]));
  return w.finish();
}

describe("chunks", () => {
  it("reads the header fields", () => {
    const bytes = twoChunks(true);
    const h = readChunkHeader(bytes, 0);
    assert.equal(h.majorVersion, 2);
    assert.equal(h.minorVersion, 1);
    assert.equal(h.metadataOffset, CHUNK_HEADER_BYTES);
    assert.ok(h.constantPoolOffset > h.metadataOffset && h.constantPoolOffset < h.sizeBytes);
    assert.deepEqual([h.startNanos, h.durationNanos, h.ticksPerSecond, h.compressedInts], [77n, 5n, 2_500_000_000, true]);
    assert.equal(readChunkHeader(twoChunks(false), 0).compressedInts, false);
    assert.ok(isJfr(bytes));
    assert.ok(!isJfr(bytes.subarray(1)));
  });

  for (const compressed of [true, false]) {
    it(`walks every record of every chunk, metadata and checkpoints aside (${compressed ? "compressed" : "fixed-width"})`, () => {
      const bytes = twoChunks(compressed);
      const seen: string[][] = [];
      for (let start = 0; start < bytes.length; ) {
        const chunk = readChunk(bytes, start);
        const names: string[] = [];
        forEachRecord(chunk, (type, at, end) => {
          assert.ok(at >= chunk.firstEventAt && end <= chunk.end);
          names.push(chunk.metadata.byId.get(type)!.name);
        });
        seen.push(names);
        start = chunk.end;
      }
      assert.deepEqual(seen, [["jdk.ExecutionSample", "jdk.CPULoad", "jdk.GCHeapSummary"], ["profiler.LiveObject"]]);
    });
  }

  it("rejects a chunk still being written", () => {
    const bytes = twoChunks(true);
    bytes[64] = 0xff;
    assert.throws(() => readChunkHeader(bytes, 0), /still being written/);
  });

  it("leaves a record's unread fields to the walk", () => {
    const chunk = readChunk(twoChunks(true), 0);
    let n = 0;
    forEachRecord(chunk, (type) => {
      if (type === TestTypeId.ExecutionSample) chunk.reader.long("startTime");
      n++;
    });
    assert.equal(n, 3);
  });
});
