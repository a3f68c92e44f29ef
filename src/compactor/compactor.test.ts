import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { ulid } from "ulid";
import { blockKey } from "../ingester/shipper.js";
import type { Bucket } from "../objstore/bucket.js";
import { nopLogger } from "../server/logger.js";
import type { Logger } from "../server/logger.js";
import { BlockFileName, buildBlock } from "../storage/block/block-build.js";
import { mergeBlocks } from "../storage/block/block-merge.js";
import { bucketSource, listBucketBlocks } from "../storage/block/bucket-blocks.js";
import type { BlockMeta } from "../storage/block/meta.js";
import { OpenBlock } from "../storage/block/open-block.js";
import { MemBlockReader } from "../storage/query/mem-block-reader.js";
import { Compactor, emptyReport } from "./compactor.js";
import type { CompactionReport } from "./compactor.js";
import type { CompactorConfig } from "./config.js";
import { answers, DAY_MS, headOf, HOUR_MS, profiles, T0_MS, tempBucket, uploadBlock, visibleReaders } from "./test-blocks.js";

const CONFIG: CompactorConfig = { compaction_interval: HOUR_MS, block_ranges: ["4h", "1d"], consistency_delay: HOUR_MS / 2, deletion_delay: 12 * HOUR_MS };
const TENANT = "tenant-a";

let bucket: Bucket;
let cleanup: () => Promise<void>;
let nowMs = 0;

beforeEach(async () => {
  ({ bucket, cleanup } = await tempBucket());
});
afterEach(async () => {
  await cleanup();
});

function compactor(logger: Logger = nopLogger()): Compactor {
  return new Compactor({ bucket, config: CONFIG, logger, nowMs: () => nowMs });
}

function report(fields: Partial<CompactionReport>): CompactionReport {
  return { ...emptyReport(), tenants: 1, ...fields };
}

async function allUlids(tenant = TENANT): Promise<string[]> {
  return (await listBucketBlocks(bucket, tenant)).map((b) => b.meta.ulid).sort();
}

// One ingester block per hour of the first 8 hours of T0, 12 profiles each, each hour with its own frames.
function eightHours(): { ps: ReturnType<typeof profiles>[] } {
  return { ps: Array.from({ length: 8 }, (_, h) => profiles({ startMs: T0_MS + h * HOUR_MS, count: 12, stepMs: 5 * 60_000, idBase: h * 100, frames: [`h${h % 3}`, "work"] })) };
}

describe("Compactor", () => {
  it("merges 4h windows, then the day, and queries answer as before", async () => {
    const { ps } = eightHours();
    const sources: BlockMeta[] = [];
    for (const p of ps) sources.push(await uploadBlock(bucket, TENANT, p));
    const want = await answers([new MemBlockReader(headOf(ps.flat()))]);
    assert.deepEqual(await answers((await visibleReaders(bucket, TENANT)).readers), want);

    nowMs = T0_MS + DAY_MS + 2 * HOUR_MS;
    const got = await compactor().runOnce();
    // Two 4h groups of four, then the day group of the two level-2 blocks.
    assert.deepEqual(got, report({ groups: 3, blocksMerged: 10, sourcesMarked: 10 }));

    const { metas, readers } = await visibleReaders(bucket, TENANT);
    assert.equal(metas.length, 1);
    const day = metas[0]!;
    assert.equal(day.compaction.level, 3);
    assert.equal(day.source, "compactor");
    assert.deepEqual(day.compaction.sources, sources.map((s) => s.ulid).sort());
    assert.equal(day.compaction.parents.length, 2);
    assert.equal(day.stats.numProfiles, 8 * 12);
    assert.deepEqual(await answers(readers), want);
  });

  it("does nothing on a second run", async () => {
    for (const p of eightHours().ps) await uploadBlock(bucket, TENANT, p);
    nowMs = T0_MS + DAY_MS + 2 * HOUR_MS;
    const c = compactor();
    await c.runOnce();
    const before = await listBucketBlocks(bucket, TENANT);
    assert.deepEqual(await c.runOnce(), report({}));
    assert.deepEqual(await listBucketBlocks(bucket, TENANT), before);
  });

  it("deletes the sources only after the deletion delay, leaving the compacted block", async () => {
    for (const p of eightHours().ps) await uploadBlock(bucket, TENANT, p);
    nowMs = T0_MS + DAY_MS + 2 * HOUR_MS;
    const c = compactor();
    await c.runOnce();
    const listed = await listBucketBlocks(bucket, TENANT);
    assert.equal(listed.length, 11);
    assert.equal(listed.filter((b) => b.deletionMarkedMs !== undefined).length, 10);

    nowMs += CONFIG.deletion_delay - 60_000;
    assert.deepEqual(await c.runOnce(), report({}));
    nowMs += 60_000;
    assert.deepEqual(await c.runOnce(), report({ blocksDeleted: 10 }));
    const left = await listBucketBlocks(bucket, TENANT);
    assert.deepEqual(left.map((b) => [b.meta.compaction.level, b.deletionMarkedMs]), [[3, undefined]]);
    const objects = (await bucket.list(`${TENANT}/phlaredb/`)).objects.map((o) => o.key.split("/")[2]);
    assert.deepEqual([...new Set(objects)], [left[0]!.meta.ulid]);
  });

  it("deletes in the same run when the deletion delay is 0", async () => {
    for (const p of eightHours().ps.slice(0, 2)) await uploadBlock(bucket, TENANT, p);
    nowMs = T0_MS + 5 * HOUR_MS;
    const c = new Compactor({ bucket, config: { ...CONFIG, deletion_delay: 0 }, logger: nopLogger(), nowMs: () => nowMs });
    assert.deepEqual(await c.runOnce(), report({ groups: 1, blocksMerged: 2, sourcesMarked: 2, blocksDeleted: 2 }));
    assert.deepEqual((await listBucketBlocks(bucket, TENANT)).map((b) => b.meta.compaction.level), [2]);
  });

  it("counts replica duplicates once after compaction", async () => {
    const shared = profiles({ startMs: T0_MS, count: 20, stepMs: 60_000, idBase: 0, frames: ["alpha"] });
    const onlyB = profiles({ startMs: T0_MS + 30 * 60_000, count: 5, stepMs: 60_000, idBase: 500, frames: ["beta"] });
    // Two ingesters of a replication factor of 2 wrote the same profiles, one of them a few more.
    await uploadBlock(bucket, TENANT, shared);
    await uploadBlock(bucket, TENANT, [...shared, ...onlyB]);
    const want = await answers([new MemBlockReader(headOf([...shared, ...onlyB]))]);
    assert.notDeepEqual(await answers((await visibleReaders(bucket, TENANT)).readers), want);

    nowMs = T0_MS + 5 * HOUR_MS;
    // Twenty profiles of two sample types each.
    assert.deepEqual(await compactor().runOnce(), report({ groups: 1, blocksMerged: 2, sourcesMarked: 2, duplicatesDropped: 40 }));
    const { metas, readers } = await visibleReaders(bucket, TENANT);
    assert.equal(metas.length, 1);
    assert.equal(metas[0]!.stats.numProfiles, 25);
    assert.deepEqual(await answers(readers), want);
  });

  it("leaves a window alone until it ended the consistency delay ago", async () => {
    const a = profiles({ startMs: T0_MS, count: 6, stepMs: 60_000, idBase: 0, frames: ["a"] });
    const b = profiles({ startMs: T0_MS + HOUR_MS, count: 6, stepMs: 60_000, idBase: 100, frames: ["b"] });
    await uploadBlock(bucket, TENANT, a);
    await uploadBlock(bucket, TENANT, b);
    const c = compactor();
    nowMs = T0_MS + 4 * HOUR_MS + CONFIG.consistency_delay - 1;
    assert.deepEqual(await c.runOnce(), report({}));
    assert.equal((await visibleReaders(bucket, TENANT)).metas.length, 2);
    nowMs += 1;
    assert.deepEqual(await c.runOnce(), report({ groups: 1, blocksMerged: 2, sourcesMarked: 2 }));
    const { metas, readers } = await visibleReaders(bucket, TENANT);
    assert.deepEqual(metas.map((m) => m.compaction.level), [2]);
    assert.deepEqual(await answers(readers), await answers([new MemBlockReader(headOf([...a, ...b]))]));
  });

  it("folds a block that arrives late into the compacted block of its window", async () => {
    const { ps } = eightHours();
    for (const p of ps) await uploadBlock(bucket, TENANT, p);
    nowMs = T0_MS + DAY_MS + 2 * HOUR_MS;
    const c = compactor();
    await c.runOnce();
    const late = profiles({ startMs: T0_MS + 2 * HOUR_MS + 30_000, count: 4, stepMs: 60_000, idBase: 9000, frames: ["late"] });
    const lateMeta = await uploadBlock(bucket, TENANT, late);
    const want = await answers([new MemBlockReader(headOf([...ps.flat(), ...late]))]);
    assert.deepEqual(await answers((await visibleReaders(bucket, TENANT)).readers), want);

    assert.deepEqual(await c.runOnce(), report({ groups: 1, blocksMerged: 2, sourcesMarked: 2 }));
    const { metas, readers } = await visibleReaders(bucket, TENANT);
    assert.equal(metas.length, 1);
    assert.equal(metas[0]!.compaction.level, 3);
    assert.ok(metas[0]!.compaction.sources.includes(lateMeta.ulid));
    assert.equal(metas[0]!.compaction.sources.length, 9);
    assert.deepEqual(await answers(readers), want);
    assert.deepEqual(await c.runOnce(), report({}));
  });

  it("counts once and cleans up after a crash between upload and marking", async () => {
    const ps = [0, 1, 2].map((h) => profiles({ startMs: T0_MS + h * HOUR_MS, count: 8, stepMs: 60_000, idBase: h * 100, frames: [`c${h}`] }));
    const sources: BlockMeta[] = [];
    for (const p of ps) sources.push(await uploadBlock(bucket, TENANT, p));
    // What the compactor writes before it marks the sources, and then nothing more.
    const loaded = [];
    for (const m of sources) loaded.push(await (await OpenBlock.open(bucketSource(bucket, TENANT, m.ulid), { meta: m })).load());
    const id = ulid();
    const built = buildBlock(mergeBlocks(loaded).block, {
      ulid: id,
      source: "compactor",
      labels: {},
      compaction: { level: 2, sources: sources.map((m) => m.ulid).sort(), parents: sources.map((m) => ({ ulid: m.ulid, minTime: m.minTimeMs, maxTime: m.maxTimeMs })) },
    })!;
    for (const f of built.files) await bucket.put(blockKey(TENANT, id, f.relPath), f.bytes);
    await bucket.put(blockKey(TENANT, id, BlockFileName.Meta), Buffer.from(built.metaJson));

    const want = await answers([new MemBlockReader(headOf(ps.flat()))]);
    const before = await visibleReaders(bucket, TENANT);
    assert.deepEqual(before.metas.map((m) => m.ulid), [id]);
    assert.deepEqual(await answers(before.readers), want);

    nowMs = T0_MS + 5 * HOUR_MS;
    const c = compactor();
    assert.deepEqual(await c.runOnce(), report({ sourcesMarked: 3 }));
    assert.deepEqual((await listBucketBlocks(bucket, TENANT)).filter((b) => b.deletionMarkedMs !== undefined).map((b) => b.meta.ulid).sort(), sources.map((m) => m.ulid).sort());
    nowMs += CONFIG.deletion_delay;
    assert.deepEqual(await c.runOnce(), report({ blocksDeleted: 3 }));
    assert.deepEqual(await allUlids(), [id]);
    assert.deepEqual(await answers((await visibleReaders(bucket, TENANT)).readers), want);
  });

  it("ignores a half-uploaded block (no meta.json yet)", async () => {
    await uploadBlock(bucket, TENANT, profiles({ startMs: T0_MS, count: 4, stepMs: 60_000, idBase: 0, frames: ["a"] }));
    await bucket.put(blockKey(TENANT, ulid(), BlockFileName.Index), new Uint8Array([1, 2, 3]));
    nowMs = T0_MS + DAY_MS * 2;
    assert.deepEqual(await compactor().runOnce(), report({}));
  });

  it("goes on with the other tenants when one fails", async () => {
    const good = [0, 1].map((h) => profiles({ startMs: T0_MS + h * HOUR_MS, count: 4, stepMs: 60_000, idBase: h * 100, frames: ["g"] }));
    const bad = [0, 1].map((h) => profiles({ startMs: T0_MS + h * HOUR_MS, count: 4, stepMs: 60_000, idBase: h * 100, frames: ["b"] }));
    for (const p of good) await uploadBlock(bucket, "good", p);
    const broken = await uploadBlock(bucket, "bad", bad[0]!);
    await uploadBlock(bucket, "bad", bad[1]!);
    await bucket.put(blockKey("bad", broken.ulid, BlockFileName.Samples), new Uint8Array(64).fill(7));

    nowMs = T0_MS + 5 * HOUR_MS;
    const logged: string[] = [];
    const logger: Logger = { ...nopLogger(), error: (msg) => void logged.push(msg), with: () => logger };
    const got = await compactor(logger).runOnce();
    assert.deepEqual(got, { ...report({ groups: 1, blocksMerged: 2, sourcesMarked: 2, errors: 1 }), tenants: 2 });
    assert.deepEqual(logged, ["compaction of group failed"]);
    assert.equal((await visibleReaders(bucket, "good")).metas[0]!.compaction.level, 2);
    assert.equal((await listBucketBlocks(bucket, "bad")).filter((b) => b.deletionMarkedMs === undefined).length, 2);
  });

  it("runs on start, and stop waits for a running compaction", async () => {
    for (const p of eightHours().ps.slice(0, 2)) await uploadBlock(bucket, TENANT, p);
    nowMs = T0_MS + 5 * HOUR_MS;
    let runs = 0;
    let ran!: () => void;
    const firstRun = new Promise<void>((resolve) => (ran = resolve));
    const logger: Logger = {
      ...nopLogger(),
      info: (msg) => {
        if (msg === "compaction done" && ++runs === 1) ran();
      },
      with: () => logger,
    };
    const c = new Compactor({ bucket, config: CONFIG, logger, nowMs: () => nowMs, firstRunDelayMs: 0 });
    // The compactor's timer does not hold the process open; in a server the listening socket does.
    const keepAlive = setInterval(() => undefined, 1000);
    c.start();
    await firstRun;
    clearInterval(keepAlive);
    await c.stop();
    assert.equal((await visibleReaders(bucket, TENANT)).metas[0]!.compaction.level, 2);

    let done = false;
    const run = c.runOnce();
    void run.then(() => (done = true));
    await c.stop();
    assert.ok(done);
    assert.equal(runs, 2);
  });
});
