import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultConfig } from "../config/config.js";
import { defaultLimits } from "../config/limits.js";
import type { ModuleContext } from "../module-context.js";
import { nopLogger } from "../server/logger.js";
import { initCompactor } from "./module.js";
import { tempBucket } from "./test-blocks.js";

function context(fields: Partial<ModuleContext>): ModuleContext {
  return {
    config: defaultConfig(),
    logger: nopLogger(),
    version: { version: "test", branch: "", revision: "", buildUser: "", buildDate: "", runtimeVersion: "", platform: "" },
    running: new Set(["compactor"]),
    stops: [],
    afterStart: [],
    leaves: [],
    readyChecks: [],
    ready: false,
    limits: () => defaultLimits(),
    ...fields,
  };
}

describe("initCompactor", () => {
  it("needs object storage", async () => {
    await assert.rejects(initCompactor(context({})), /the compactor needs object storage/);
  });

  it("starts the compactor and registers its stop", async () => {
    const { bucket, cleanup } = await tempBucket();
    try {
      const ctx = context({ bucket });
      await initCompactor(ctx);
      assert.deepEqual(ctx.stops.map((s) => s.name), ["compactor"]);
      await ctx.stops[0]!.stop();
    } finally {
      await cleanup();
    }
  });
});
