/**
 * Which blocks to merge: pure planning over a tenant's visible blocks.
 *
 * Levels follow the ranges: ingester blocks are level 1, a block compacted within an aligned
 * window of `ranges[i]` is level i+2. A window of range i collects the blocks of level ≤ i+2 that
 * lie wholly inside it; it becomes a group when it holds two or more of them, at least one of
 * level ≤ i+1 (something not yet compacted at this range), and it ended `consistencyDelayMs` ago.
 * So a block that arrives after its window was compacted merges with the compacted block on the
 * next run, and a window whose only block is already compacted is left alone (idempotence).
 * Blocks that straddle a window boundary are left alone at that range.
 */
import type { BlockMeta } from "../storage/block/meta.js";

/** What the planner needs to know besides the blocks. */
export interface PlanOptions {
  /** Window sizes (ms), smallest first; each a multiple of the one before. */
  blockRangesMs: readonly number[];
  consistencyDelayMs: number;
  nowMs: number;
}

/** Blocks to merge into one. */
export interface CompactionGroup {
  /** Index into the block ranges. */
  rangeIndex: number;
  /** The aligned window [windowStartMs, windowEndMs) every block lies in. */
  windowStartMs: number;
  windowEndMs: number;
  /** Compaction level of the merged block: rangeIndex + 2. */
  level: number;
  /** Ordered by minTime, then ULID. */
  blocks: BlockMeta[];
}

/** A block's level as the planner treats it: anything below 1 (older writers) counts as 1. */
export function blockLevel(meta: BlockMeta): number {
  return Math.max(1, meta.compaction.level);
}

/** The start (ms) of the aligned window of `rangeMs` that holds `timeMs`. */
export function windowStart(timeMs: number, rangeMs: number): number {
  return Math.floor(timeMs / rangeMs) * rangeMs;
}

function byTimeThenUlid(a: BlockMeta, b: BlockMeta): number {
  return a.minTimeMs - b.minTimeMs || (a.ulid < b.ulid ? -1 : a.ulid > b.ulid ? 1 : 0);
}

/**
 * Groups to merge, smallest range first, then by window start. Each block is in at most one
 * group; a window of a larger range that holds a block already grouped at a smaller range waits
 * for the next plan, so it merges the compacted blocks rather than some of their sources.
 */
export function planCompaction(blocks: readonly BlockMeta[], opts: PlanOptions): CompactionGroup[] {
  const groups: CompactionGroup[] = [];
  const grouped = new Set<string>();
  const cutoffMs = opts.nowMs - opts.consistencyDelayMs;
  opts.blockRangesMs.forEach((rangeMs, i) => {
    const windows = new Map<number, BlockMeta[]>();
    for (const b of blocks) {
      if (blockLevel(b) > i + 2) continue;
      const start = windowStart(b.minTimeMs, rangeMs);
      if (b.maxTimeMs >= start + rangeMs) continue;
      let w = windows.get(start);
      if (!w) windows.set(start, (w = []));
      w.push(b);
    }
    for (const start of [...windows.keys()].sort((a, b) => a - b)) {
      const w = windows.get(start)!;
      if (w.length < 2 || start + rangeMs > cutoffMs) continue;
      if (!w.some((b) => blockLevel(b) <= i + 1)) continue;
      if (w.some((b) => grouped.has(b.ulid))) continue;
      for (const b of w) grouped.add(b.ulid);
      groups.push({ rangeIndex: i, windowStartMs: start, windowEndMs: start + rangeMs, level: i + 2, blocks: [...w].sort(byTimeThenUlid) });
    }
  });
  return groups;
}
