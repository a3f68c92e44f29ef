/** Worker-thread side of BlockWorkers: runs block jobs and hands their arrays back without copying. */
import { serveWorkerJobs } from "../../server/worker-pool.js";
import { runBlockJob, transferable } from "./block-jobs.js";
import type { BlockJob, BlockJobResult } from "./block-jobs.js";

serveWorkerJobs<BlockJob, BlockJobResult>(async (job) => {
  const res = await runBlockJob(job);
  return { res, transfer: transferable([res]) };
});
