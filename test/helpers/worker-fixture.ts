/** A worker module for the WorkerPool tests: echoes, throws, or exits on request. */
import { serveWorkerJobs } from "../../src/server/worker-pool.js";
import { InvalidArgumentError } from "../../src/model/errors.js";

/** What the fixture is asked to do. */
export type FixtureJob = { op: "double"; values: Float64Array } | { op: "throw" } | { op: "exit" };

serveWorkerJobs<FixtureJob, Float64Array>((job) => {
  if (job.op === "throw") throw new InvalidArgumentError("invalid_labels", "fixture says no");
  if (job.op === "exit") process.exit(3);
  const out = job.values.map((v) => v * 2);
  return { res: out, transfer: [out.buffer as ArrayBuffer] };
});
