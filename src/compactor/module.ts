/** The compactor module: compacts the blocks of every tenant in object storage. */
import { need } from "../module-context.js";
import type { ModuleContext } from "../module-context.js";
import { Compactor } from "./compactor.js";
import { retentionOf } from "./config.js";

/** Starts the compactor over `ctx.bucket`; it stops with the process, after a running compaction. */
export async function initCompactor(ctx: ModuleContext): Promise<void> {
  const bucket = ctx.bucket;
  if (!bucket) {
    throw new Error("the compactor needs object storage: configure storage.backend (the storage module provides the bucket)");
  }
  const limits = need(ctx, "limits", "compactor");
  const compactor = new Compactor({
    bucket,
    config: ctx.config.compactor,
    limits: (tenant) => retentionOf(limits(tenant)),
    logger: ctx.logger.with({ component: "compactor" }),
    ...(ctx.blockWorkers ? { workers: ctx.blockWorkers } : {}),
  });
  compactor.start();
  ctx.stops.push({ name: "compactor", stop: () => compactor.stop() });
}
