/**
 * Config of the compactor (YAML `compactor:`), plus the per-tenant retention row that belongs in
 * the limits table (Pyroscope keeps retention among the limits so that runtime overrides can set it
 * per tenant).
 */
import { hours, minutes } from "../config/duration.js";
import { parseModelDuration } from "../config/duration.js";
import { defaultsOf, getPath } from "../config/field.js";
import type { Field } from "../config/field.js";

/** YAML `compactor:`; durations are milliseconds, block ranges duration strings ("4h", "1d"). */
export interface CompactorConfig {
  compaction_interval: number;
  block_ranges: string[];
  consistency_delay: number;
  deletion_delay: number;
}

/** The limits key of the retention period, as the compactor reads it from `ctx.limits(tenant)`. */
export interface RetentionLimits {
  /** Milliseconds; 0 keeps blocks forever. */
  compactor_blocks_retention_period: number;
}

/** Why a block ranges list is rejected, or undefined when it is usable. */
export function checkBlockRanges(ranges: readonly string[]): string | undefined {
  if (ranges.length === 0) return "block ranges must list at least one duration";
  let prev = 0;
  for (const r of ranges) {
    let ms: number;
    try {
      ms = parseModelDuration(r);
    } catch (err) {
      return `block range ${JSON.stringify(r)}: ${(err as Error).message}`;
    }
    if (ms <= 0) return `block range ${JSON.stringify(r)} must be positive`;
    // Aligned windows of one range must nest inside the next one's, or a compacted block could
    // straddle a window of the next range and never be compacted again.
    if (prev > 0 && (ms <= prev || ms % prev !== 0)) {
      return `block range ${JSON.stringify(r)} must be a larger multiple of the range before it`;
    }
    prev = ms;
  }
  return undefined;
}

/** The block ranges in milliseconds, smallest first. */
export function blockRangesMs(c: Pick<CompactorConfig, "block_ranges">): number[] {
  return c.block_ranges.map((r) => parseModelDuration(r));
}

const nonNegative = (v: number): string | undefined => (v >= 0 ? undefined : `must not be negative, got ${v}`);

/** Rows for `compactor.*`. */
export const compactorFields: readonly Field[] = [
  {
    flag: "compactor.block-ranges",
    yaml: "compactor.block_ranges",
    kind: "csv",
    default: ["4h", "1d"],
    validate: checkBlockRanges,
    help: "List of compaction time ranges.",
  },
  {
    flag: "compactor.compaction-interval",
    yaml: "compactor.compaction_interval",
    kind: "duration",
    default: hours(1),
    validate: (v) => (v > 0 ? undefined : `compaction interval must be positive, got ${v}`),
    help: "The frequency at which the compaction runs",
  },
  {
    flag: "compactor.consistency-delay",
    yaml: "compactor.consistency_delay",
    kind: "duration",
    // Ingesters cut blocks every hour and ship them right after: half an hour past a window's end,
    // every block that belongs in it has normally arrived. A block that comes later still is folded
    // into the compacted block of its window by a later run.
    default: minutes(30),
    validate: nonNegative,
    help: "Minimum age of the end of a compaction window before the blocks in it are compacted.",
  },
  {
    flag: "compactor.deletion-delay",
    yaml: "compactor.deletion_delay",
    kind: "duration",
    default: hours(12),
    validate: nonNegative,
    help:
      "Time before a block marked for deletion is deleted from bucket. If not 0, blocks will be marked " +
      "for deletion and compactor component will permanently delete blocks marked for deletion from the " +
      "bucket. If 0, blocks will be deleted straight away. Note that deleting blocks immediately can cause " +
      "query failures.",
  },
];

/** Row for `limits.compactor_blocks_retention_period`: belongs in the limits table (src/config/limits.ts). */
export const compactorRetentionLimitField: Field = {
  flag: "compactor.blocks-retention-period",
  yaml: "limits.compactor_blocks_retention_period",
  kind: "model-duration",
  default: 0,
  validate: nonNegative,
  help: "Delete blocks containing samples older than the specified retention period. 0 to disable.",
};

/** The `compactor:` section of a config tree, or the defaults when the tree was built without compactorFields. */
export function compactorConfigOf(config: object): CompactorConfig {
  const section = getPath(config, "compactor") ?? getPath(defaultsOf(compactorFields), "compactor");
  return section as CompactorConfig;
}

/** The retention period of a tenant's limits; 0 (keep forever) when the limits have no such key. */
export function retentionOf(limits: object): RetentionLimits {
  const v = getPath(limits, "compactor_blocks_retention_period");
  return { compactor_blocks_retention_period: typeof v === "number" ? v : 0 };
}
