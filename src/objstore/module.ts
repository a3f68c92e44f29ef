/** The storage module: the object-storage bucket every block writer and reader shares. */
import type { ModuleContext } from "../module-context.js";
import { createBucket } from "./factory.js";

/** Creates the bucket `storage.*` describes (the filesystem under the data path by default). */
export async function initStorage(ctx: ModuleContext): Promise<void> {
  const bucket = await createBucket(ctx.config.storage, ctx.config.phlaredb.data_path, ctx.logger, ctx.bucketOptions);
  ctx.bucket = bucket;
  ctx.stops.push({ name: "storage", stop: () => bucket.close() });
}
