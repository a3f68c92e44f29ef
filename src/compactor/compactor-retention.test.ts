import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { days } from "../config/duration.js";
import { defaultLimits } from "../config/limits.js";
import type { Bucket } from "../objstore/bucket.js";
import { nopLogger } from "../server/logger.js";
import { listBucketBlocks } from "../storage/block/bucket-blocks.js";
import { Compactor } from "./compactor.js";
import { retentionOf } from "./config.js";
import type { CompactorConfig } from "./config.js";
import { DAY_MS, HOUR_MS, profiles, T0_MS, tempBucket, uploadBlock } from "./test-blocks.js";

// A deletion delay shorter than the straddling block's part after the boundary, so that the boundary
// moving on while the delay passes does not expire it too.
const CONFIG: CompactorConfig = { compaction_interval: HOUR_MS, block_ranges: ["4h", "1d"], consistency_delay: HOUR_MS / 2, deletion_delay: HOUR_MS };
const NOW_MS = T0_MS + 10 * DAY_MS;

// Each tenant gets the same three blocks (100 minutes each): wholly before the 7d boundary, across it,
// and recent.
const ROLES = [
  { role: "expired", startMs: T0_MS + DAY_MS },
  { role: "straddling", startMs: T0_MS + 3 * DAY_MS - HOUR_MS / 2 },
  { role: "new", startMs: T0_MS + 9 * DAY_MS },
] as const;

interface Case {
  name: string;
  /** The retention every tenant gets (the limits' default). */
  globalMs: number;
  /** Per-tenant overrides, as the runtime config gives them. */
  overrides: Partial<Record<string, { compactor_blocks_retention_period: number }>>;
  /** Roles of the blocks each tenant keeps. */
  kept: Record<string, string[]>;
}

const cases: Case[] = [
  { name: "keeps everything when retention is 0", globalMs: 0, overrides: {}, kept: { a: ["expired", "straddling", "new"], b: ["expired", "straddling", "new"] } },
  { name: "marks only blocks wholly older than the period", globalMs: days(7), overrides: {}, kept: { a: ["straddling", "new"], b: ["straddling", "new"] } },
  {
    name: "a tenant's override wins over the global period",
    globalMs: days(7),
    overrides: { b: { compactor_blocks_retention_period: days(2) } },
    kept: { a: ["straddling", "new"], b: ["new"] },
  },
  {
    name: "a tenant's override of 0 keeps its blocks forever",
    globalMs: days(2),
    overrides: { a: { compactor_blocks_retention_period: 0 } },
    kept: { a: ["expired", "straddling", "new"], b: ["new"] },
  },
];

let bucket: Bucket;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ bucket, cleanup } = await tempBucket());
});
afterEach(async () => {
  await cleanup();
});

describe("Compactor retention", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const roleOf = new Map<string, string>();
      for (const tenant of ["a", "b"]) {
        for (const [i, r] of ROLES.entries()) {
          const meta = await uploadBlock(bucket, tenant, profiles({ startMs: r.startMs, count: 6, stepMs: 20 * 60_000, idBase: i * 100, frames: [r.role] }));
          roleOf.set(meta.ulid, r.role);
        }
      }
      let nowMs = NOW_MS;
      const compactor = new Compactor({
        bucket,
        config: CONFIG,
        logger: nopLogger(),
        nowMs: () => nowMs,
        limits: (tenant) => retentionOf({ ...defaultLimits(), compactor_blocks_retention_period: c.overrides[tenant]?.compactor_blocks_retention_period ?? c.globalMs }),
      });
      const marked = 6 - c.kept.a!.length - c.kept.b!.length;
      const first = await compactor.runOnce();
      assert.equal(first.retentionMarked, marked);
      assert.equal(first.groups, 0);
      for (const tenant of ["a", "b"]) {
        const unmarked = (await listBucketBlocks(bucket, tenant)).filter((b) => b.deletionMarkedMs === undefined);
        assert.deepEqual(unmarked.map((b) => roleOf.get(b.meta.ulid)).sort(), [...c.kept[tenant]!].sort(), tenant);
      }

      nowMs += CONFIG.deletion_delay;
      const second = await compactor.runOnce();
      assert.equal(second.blocksDeleted, marked);
      assert.equal(second.retentionMarked, 0);
      for (const tenant of ["a", "b"]) {
        const left = await listBucketBlocks(bucket, tenant);
        assert.deepEqual(left.map((b) => roleOf.get(b.meta.ulid)).sort(), [...c.kept[tenant]!].sort(), tenant);
      }
    });
  }
});
