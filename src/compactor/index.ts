/** The compactor: merges, de-duplicates, enforces retention and deletes blocks in object storage. */
export { Compactor, emptyReport } from "./compactor.js";
export type { CompactionReport, CompactorOptions } from "./compactor.js";
export {
  blockRangesMs,
  checkBlockRanges,
  compactorConfigOf,
  compactorFields,
  compactorRetentionLimitField,
  retentionOf,
} from "./config.js";
export type { CompactorConfig, RetentionLimits } from "./config.js";
export { initCompactor } from "./module.js";
export { blockLevel, planCompaction, windowStart } from "./planner.js";
export type { CompactionGroup, PlanOptions } from "./planner.js";
