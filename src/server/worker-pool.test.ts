import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FixtureJob } from "../../test/helpers/worker-fixture.js";
import { WorkerPool } from "./worker-pool.js";

const MODULE = new URL("../../test/helpers/worker-fixture.ts", import.meta.url);

describe("WorkerPool", () => {
  it("runs jobs on workers, transfers answers, and revives errors", async () => {
    const pool = new WorkerPool<FixtureJob, Float64Array>({ module: MODULE, workers: 2, name: "fixture pool", reviveError: (e) => new RangeError(`${e.name}/${e.reason}: ${e.message}`) });
    try {
      const values = Float64Array.of(1, 2, 3);
      const answers = await Promise.all([1, 2, 3, 4].map(() => pool.run({ op: "double", values })));
      for (const a of answers) assert.deepEqual([...a], [2, 4, 6]);
      assert.deepEqual([...values], [1, 2, 3], "not transferred: the caller keeps its array");
      await assert.rejects(pool.run({ op: "throw" }), { name: "RangeError", message: "InvalidArgumentError/invalid_labels: fixture says no" });
    } finally {
      await pool.close();
    }
  });

  it("rejects the jobs of a worker that dies, and starts a new one for the next", async () => {
    const pool = new WorkerPool<FixtureJob, Float64Array>({ module: MODULE, workers: 1, name: "fixture pool" });
    try {
      await assert.rejects(pool.run({ op: "exit" }), /fixture pool worker stopped/);
      assert.deepEqual([...(await pool.run({ op: "double", values: Float64Array.of(5) }))], [10]);
    } finally {
      await pool.close();
    }
  });

  it("refuses jobs once closed, and needs at least one worker", async () => {
    const pool = new WorkerPool<FixtureJob, Float64Array>({ module: MODULE, workers: 1, name: "fixture pool" });
    await pool.close();
    await assert.rejects(pool.run({ op: "double", values: Float64Array.of(1) }), /fixture pool is closed/);
    assert.throws(() => new WorkerPool({ module: MODULE, workers: 0, name: "empty" }), /at least 1 worker/);
  });
});
