import assert from "node:assert/strict";
import { open, readdir, stat } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { nopLogger } from "../../server/logger.js";
import { FRAME_HEADER_BYTES, SEGMENT_HEADER_BYTES } from "./segment-format.js";
import { listSegments, segmentPath } from "./segment-files.js";
import { makeRecord, recordIndex, withTempDir } from "./test-helpers.js";
import { syncDir } from "../durable-file.js";
import type { WalFile, WalFileSystem } from "./wal-file-system.js";
import { replayWal } from "./wal-replay.js";
import { WalWriter } from "./wal-writer.js";

async function replayed(dir: string): Promise<Array<{ index: number; segment: number }>> {
  const out: Array<{ index: number; segment: number }> = [];
  await replayWal(dir, (r, pos) => void out.push({ index: recordIndex(r), segment: pos.segment }), nopLogger());
  return out;
}

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

describe("WalWriter round trip", () => {
  it("appends records of many sizes and replays them in order", async () => {
    await withTempDir(async (dir) => {
      const w = await WalWriter.open(dir);
      assert.equal(w.segment, 1);
      for (let i = 0; i < 50; i++) assert.deepEqual(await w.append(makeRecord(i, 4 + i * 13)), { segment: 1 });
      await w.close();
      const got: Uint8Array[] = [];
      await replayWal(dir, (r) => void got.push(r), nopLogger());
      assert.equal(got.length, 50);
      for (let i = 0; i < 50; i++) assert.deepEqual(got[i], makeRecord(i, 4 + i * 13));
    });
  });

  it("copies the record at once, so the caller may reuse its buffer", async () => {
    await withTempDir(async (dir) => {
      const w = await WalWriter.open(dir);
      const buf = makeRecord(1);
      const p = w.append(buf);
      buf.fill(0xee);
      await p;
      await w.close();
      assert.deepEqual((await replayed(dir)).map((r) => r.index), [1]);
    });
  });

  it("starts after the highest existing segment and creates missing directories", async () => {
    await withTempDir(async (root) => {
      const dir = join(root, "a", "b", "wal");
      for (let i = 0; i < 3; i++) {
        const w = await WalWriter.open(dir);
        assert.equal(w.segment, i + 1);
        await w.append(makeRecord(i));
        await w.close();
      }
      assert.deepEqual(await listSegments(dir), [1, 2, 3]);
      assert.deepEqual(await replayed(dir), [{ index: 0, segment: 1 }, { index: 1, segment: 2 }, { index: 2, segment: 3 }]);
    });
  });

  it("refuses an empty record without failing the writer", async () => {
    await withTempDir(async (dir) => {
      const w = await WalWriter.open(dir);
      await assert.rejects(w.append(new Uint8Array(0)), /wal record is 0 bytes, allowed 1 to 4294967295/);
      assert.equal(w.failed, null);
      await w.append(makeRecord(0));
      await w.close();
    });
  });

  it("refuses a segment limit too small for one frame", async () => {
    await withTempDir(async (dir) => {
      await assert.rejects(WalWriter.open(dir, { maxSegmentBytes: 20 }), /maxSegmentBytes is 20, minimum is 29/);
    });
  });
});

describe("WalWriter group commit", () => {
  it("1000 concurrent appends take far fewer syncs than records and replay in call order", async () => {
    await withTempDir(async (dir) => {
      const syncs: Array<{ records: number; bytes: number }> = [];
      const w = await WalWriter.open(dir, { onSync: (records, bytes) => void syncs.push({ records, bytes }) });
      const results = await Promise.all(range(1000).map((i) => w.append(makeRecord(i, 100))));
      await w.close();
      assert.ok(results.every((r) => r.segment === 1));
      assert.equal(syncs.reduce((a, s) => a + s.records, 0), 1000);
      assert.ok(syncs.length < 1000 / 10, `${syncs.length} syncs for 1000 records`);
      assert.equal(syncs.reduce((a, s) => a + s.bytes, 0), 1000 * (FRAME_HEADER_BYTES + 100));
      assert.deepEqual((await replayed(dir)).map((r) => r.index), range(1000));
    });
  });

  it("appends arriving during a sync form the next round, still in call order", async () => {
    await withTempDir(async (dir) => {
      const rounds: number[] = [];
      const w = await WalWriter.open(dir, { onSync: (records) => void rounds.push(records) });
      const pending: Array<Promise<unknown>> = [];
      let next = 0;
      // Five waves, each issued from a later macrotask while earlier rounds are still syncing.
      for (let wave = 0; wave < 5; wave++) {
        for (let k = 0; k < 40; k++) pending.push(w.append(makeRecord(next++, 64)));
        await new Promise((res) => setImmediate(res));
      }
      await Promise.all(pending);
      await w.close();
      assert.equal(rounds.reduce((a, b) => a + b, 0), 200);
      assert.ok(rounds.length < 200, `${rounds.length} rounds`);
      assert.deepEqual((await replayed(dir)).map((r) => r.index), range(200));
    });
  });

  it("close flushes appends still queued, then refuses new ones", async () => {
    await withTempDir(async (dir) => {
      const w = await WalWriter.open(dir);
      const pending = range(5).map((i) => w.append(makeRecord(i)));
      const closed = w.close();
      await assert.rejects(w.append(makeRecord(9)), /wal writer is closed, append refused/);
      await Promise.all(pending);
      await closed;
      await w.close();
      assert.deepEqual((await replayed(dir)).map((r) => r.index), range(5));
    });
  });
});

describe("WalWriter cut and rotation", () => {
  it("cut returns the next segment; records before it stay below, records after go above", async () => {
    await withTempDir(async (dir) => {
      const cuts: number[] = [];
      const w = await WalWriter.open(dir, { onCut: (s) => void cuts.push(s) });
      const [a, seg, b] = await Promise.all([w.append(makeRecord(0)), w.cut(), w.append(makeRecord(1))]);
      assert.deepEqual([a.segment, seg, b.segment], [1, 2, 2]);
      assert.equal(await w.cut(), 3);
      assert.equal(await w.cut(), 3, "cutting an empty segment is a no-op");
      await w.close();
      assert.deepEqual(cuts, [1, 2, 3]);
      assert.deepEqual(await listSegments(dir), [1, 2, 3]);
      assert.deepEqual(await replayed(dir), [{ index: 0, segment: 1 }, { index: 1, segment: 2 }]);
    });
  });

  it("rotates by size, never past maxSegmentBytes, even for concurrent appends", async () => {
    await withTempDir(async (dir) => {
      const frame = FRAME_HEADER_BYTES + 20;
      const max = SEGMENT_HEADER_BYTES + 3 * frame;
      const w = await WalWriter.open(dir, { maxSegmentBytes: max });
      const results = await Promise.all(range(10).map((i) => w.append(makeRecord(i, 20))));
      await w.close();
      assert.deepEqual(results.map((r) => r.segment), [1, 1, 1, 2, 2, 2, 3, 3, 3, 4]);
      for (const s of await listSegments(dir)) {
        assert.ok((await stat(segmentPath(dir, s))).size <= max);
      }
      assert.deepEqual((await replayed(dir)).map((r) => r.index), range(10));
    });
  });

  it("gives a record larger than the limit a segment of its own", async () => {
    await withTempDir(async (dir) => {
      const w = await WalWriter.open(dir, { maxSegmentBytes: 100 });
      const r1 = await w.append(makeRecord(0, 10));
      const r2 = await w.append(makeRecord(1, 500));
      const r3 = await w.append(makeRecord(2, 10));
      await w.close();
      assert.deepEqual([r1.segment, r2.segment, r3.segment], [1, 2, 3]);
      assert.deepEqual((await replayed(dir)).map((r) => r.index), [0, 1, 2]);
    });
  });

  it("deleteSegmentsBefore never removes the current segment", async () => {
    await withTempDir(async (dir) => {
      const w = await WalWriter.open(dir);
      for (let i = 0; i < 3; i++) {
        await w.append(makeRecord(i));
        await w.cut();
      }
      await w.append(makeRecord(3));
      assert.equal(w.segment, 4);
      assert.deepEqual(await w.deleteSegmentsBefore(100), [1, 2, 3]);
      await w.append(makeRecord(4));
      await w.close();
      assert.deepEqual(await replayed(dir), [{ index: 3, segment: 4 }, { index: 4, segment: 4 }]);
    });
  });
});

/** The real file system with switches that make the next operation of a kind fail. */
function faultyFileSystem(): { fs: WalFileSystem; fail: Set<string>; handles: FileHandle[] } {
  const fail = new Set<string>();
  const handles: FileHandle[] = [];
  const boom = (op: string): Error => Object.assign(new Error(`injected ${op} failure`), { code: "EIO" });
  const fs: WalFileSystem = {
    async createFile(path) {
      if (fail.has("create")) throw boom("create");
      const fh = await open(path, "wx");
      handles.push(fh);
      const file: WalFile = {
        write: async (buffer, offset, length, position) => {
          if (fail.has("write")) {
            // A torn write: half the bytes land, then the error.
            await fh.write(buffer, offset, length >> 1, position);
            throw boom("write");
          }
          return fh.write(buffer, offset, length, position);
        },
        datasync: async () => {
          if (fail.has("datasync")) throw boom("datasync");
          await fh.datasync();
        },
        sync: () => fh.sync(),
        truncate: (n) => fh.truncate(n),
        close: () => fh.close(),
      };
      return file;
    },
    syncDir,
  };
  return { fs, fail, handles };
}

describe("WalWriter failure", () => {
  const cases: Array<{ name: string; breakIt: (f: ReturnType<typeof faultyFileSystem>) => Promise<void>; cause: RegExp }> = [
    { name: "fdatasync fails", breakIt: async (f) => void f.fail.add("datasync"), cause: /injected datasync failure/ },
    { name: "write fails half way", breakIt: async (f) => void f.fail.add("write"), cause: /injected write failure/ },
    { name: "descriptor closed underneath", breakIt: (f) => f.handles.at(-1)!.close(), cause: /EBADF|closed/ },
  ];
  for (const c of cases) {
    it(`${c.name}: every waiting append and every later call rejects; only acknowledged records replay`, async () => {
      await withTempDir(async (dir) => {
        const f = faultyFileSystem();
        const w = await WalWriter.open(dir, { fileSystem: f.fs });
        for (let i = 0; i < 3; i++) await w.append(makeRecord(i));
        await c.breakIt(f);
        const outcomes = await Promise.allSettled(range(10, 3).map((i) => w.append(makeRecord(i))));
        assert.ok(outcomes.every((o) => o.status === "rejected"), "no ack after a failed write or sync");
        const first = (outcomes[0] as PromiseRejectedResult).reason as Error;
        assert.match(first.message, /wal append to segment 00000001\.wal/);
        assert.match(String((first.cause as Error).message), c.cause);
        assert.ok(w.failed !== null);
        f.fail.clear();
        await assert.rejects(w.append(makeRecord(99)), /wal writer failed earlier, append refused/);
        await assert.rejects(w.cut(), /wal writer failed earlier, cut refused/);
        await w.close();
        assert.deepEqual((await replayed(dir)).map((r) => r.index), [0, 1, 2]);
      });
    });
  }

  it("a failure to create the next segment fails the cut and later appends", async () => {
    await withTempDir(async (dir) => {
      const f = faultyFileSystem();
      const w = await WalWriter.open(dir, { fileSystem: f.fs });
      await w.append(makeRecord(0));
      f.fail.add("create");
      const [cut, after] = await Promise.allSettled([w.cut(), w.append(makeRecord(1))]);
      assert.equal(cut.status, "rejected");
      assert.equal(after.status, "rejected");
      await assert.rejects(w.append(makeRecord(2)), /failed earlier/);
      await w.close();
      assert.deepEqual(await readdir(dir), ["00000001.wal"]);
      assert.deepEqual((await replayed(dir)).map((r) => r.index), [0]);
    });
  });

  it("open fails when the first segment cannot be created", async () => {
    await withTempDir(async (dir) => {
      const f = faultyFileSystem();
      f.fail.add("create");
      await assert.rejects(WalWriter.open(dir, { fileSystem: f.fs }), /injected create failure/);
    });
  });
});
