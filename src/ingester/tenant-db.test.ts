import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { buildPprof, cpuProfile } from "../../test/helpers/pprof.js";
import { buildFlameGraph } from "../model/flamegraph/index.js";
import { FunctionTree } from "../model/flamegraph/function-tree.js";
import { sortLabels } from "../model/labels.js";
import { decodePprof } from "../model/pprof/index.js";
import { parseProfileType } from "../model/profile-type.js";
import type { IngestProfile, SelectQuery } from "../model/query.js";
import { nopLogger } from "../server/logger.js";
import { TenantDb } from "./tenant-db.js";

const MS = 1_000_000n;
const CPU: SelectQuery = { profileType: parseProfileType("process_cpu:cpu:nanoseconds:cpu:nanoseconds"), matchers: [], startMs: 0, endMs: 1e13 };
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "phlare-tenantdb-"));
  dirs.push(d);
  return d;
}

function open(dir: string): Promise<TenantDb> {
  return TenantDb.open({ dir, maxBlockDurationMs: 3_600_000, maxHeadBytes: 1 << 30, maxSeries: () => 0, logger: nopLogger() });
}

function profile(i: number, pod = "a"): IngestProfile {
  const raw = buildPprof(cpuProfile(BigInt(1000 + i) * 1000n * MS, [{ frames: ["main", `f${i % 5}`], values: [1, 10 + i] }]));
  return { id: crypto.randomUUID(), labels: sortLabels([{ name: "__name__", value: "process_cpu" }, { name: "service_name", value: "svc" }, { name: "pod", value: pod }]), profile: decodePprof(raw), raw };
}

async function flame(db: TenantDb): Promise<unknown> {
  const tree = new FunctionTree();
  await db.reader.mergeTree(CPU, tree);
  return buildFlameGraph(tree, -1);
}

describe("TenantDb", () => {
  it("answers the same before and after a flush, and after reopening", async () => {
    const dir = tempDir();
    const db = await open(dir);
    for (let i = 0; i < 20; i++) await db.push([profile(i, i % 2 ? "a" : "b")]);
    const before = await flame(db);
    await db.flush();
    assert.equal(db.localBlocks.length, 1);
    assert.deepEqual(await flame(db), before);
    for (let i = 20; i < 25; i++) await db.push([profile(i)]);
    const withHead = await flame(db);
    await db.close();
    const again = await open(dir);
    assert.deepEqual(await flame(again), withHead, "blocks plus flushed head after reopening");
    await again.close();
  });

  it("replays acknowledged profiles after a crash, without duplicating flushed ones", async () => {
    const dir = tempDir();
    const db = await open(dir);
    for (let i = 0; i < 10; i++) await db.push([profile(i)]);
    await db.flush();
    for (let i = 10; i < 15; i++) await db.push([profile(i)]);
    const want = await flame(db);
    // No close(): the process dies here; only what the WAL and the block hold survives.
    const reopened = await open(dir);
    assert.deepEqual(await flame(reopened), want);
    await reopened.close();
  });

  it("survives a torn WAL tail and keeps every complete record", async () => {
    const dir = tempDir();
    const db = await open(dir);
    for (let i = 0; i < 8; i++) await db.push([profile(i)]);
    const walDir = join(dir, "wal");
    const last = readdirSync(walDir).filter((f) => f.endsWith(".wal")).sort().at(-1)!;
    const size = statSync(join(walDir, last)).size;
    truncateSync(join(walDir, last), size - 5);
    const reopened = await open(dir);
    const tree = new FunctionTree();
    await reopened.reader.mergeTree(CPU, tree);
    // The last record was cut: the first seven remain.
    let want = 0;
    for (let i = 0; i < 7; i++) want += 10 + i;
    assert.equal(tree.totalValue(), want);
    await reopened.close();
  });

  it("rejects an out-of-order profile without writing it to the WAL", async () => {
    const dir = tempDir();
    const db = await open(dir);
    await db.push([profile(5)]);
    await assert.rejects(db.push([profile(1)]), /out of order/);
    const reopened = await open(dir);
    const tree = new FunctionTree();
    await reopened.reader.mergeTree(CPU, tree);
    assert.equal(tree.totalValue(), 15);
    await reopened.close();
  });

  it("is due for a cut once the head is max-block-duration old, or max-block-bytes large", async () => {
    let now = 1_000_000;
    const aged = await TenantDb.open({ dir: tempDir(), maxBlockDurationMs: 60_000, maxHeadBytes: 1 << 30, maxSeries: () => 0, logger: nopLogger(), nowMs: () => now });
    assert.equal(aged.due(), false, "an empty head is never due");
    await aged.push([profile(0)]);
    now += 59_999;
    assert.equal(aged.due(), false);
    now += 1;
    assert.equal(aged.due(), true, "due at max-block-duration after its first profile");
    await aged.flush();
    assert.equal(aged.due(), false, "a fresh head after the cut");
    assert.equal(aged.localBlocks.length, 1);
    await aged.close();

    const big = await TenantDb.open({ dir: tempDir(), maxBlockDurationMs: 3_600_000, maxHeadBytes: 64 * 1024, maxSeries: () => 0, logger: nopLogger() });
    let i = 0;
    while (!big.due()) {
      await big.push([profile(i, `pod-${i}`)]);
      i++;
      assert.ok(i < 10_000, "the head never reached 64 KiB");
    }
    assert.ok(i > 1, "one small profile is not 64 KiB");
    await big.close();
  });
});
