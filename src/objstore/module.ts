/** The storage module: the object-storage bucket and the block workers every block writer and reader shares. */
import type { ModuleContext } from "../module-context.js";
import { BlockWorkers } from "../storage/block/block-workers.js";
import { createBucket } from "./factory.js";

/** Creates the bucket `storage.*` describes (the filesystem under the data path by default). */
export async function initStorage(ctx: ModuleContext): Promise<void> {
  const bucket = await createBucket(ctx.config.storage, ctx.config.phlaredb.data_path, ctx.logger, ctx.bucketOptions);
  ctx.bucket = bucket;
  // One worker: flushes and compactions are rare, and one at a time bounds their memory.
  const workers = new BlockWorkers(1);
  ctx.blockWorkers = workers;
  ctx.stops.push({
    name: "storage",
    stop: async () => {
      await workers.close();
      await bucket.close();
    },
  });
}
