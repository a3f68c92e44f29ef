/**
 * Starts the modules selected by `-target` in one process and stops them again.
 */
import { versionInfo } from "./cli/version.js";
import type { VersionInfo } from "./cli/version.js";
import type { Config } from "./config/config.js";
import type { BucketOptions } from "./objstore/factory.js";
import type { ModuleContext } from "./module-context.js";
import { resolveModules } from "./modules.js";
import { createLogger } from "./server/logger.js";
import type { Logger } from "./server/logger.js";

/** A running Phlare process. */
export interface RunningPhlare {
  /** The HTTP port actually bound (differs from the config when it asked for 0). */
  readonly port: number;
  readonly ctx: ModuleContext;
  /** Stops serving and shuts every module down, in reverse start order. */
  stop(): Promise<void>;
}

/** Options for tests and embedding. */
export interface StartOptions {
  logger?: Logger;
  version?: VersionInfo;
  /** Object-store client tuning (retries); not part of the config file. */
  bucketOptions?: BucketOptions;
}

/** Initializes every module `config.target` needs, then listens. */
export async function startPhlare(config: Config, opts: StartOptions = {}): Promise<RunningPhlare> {
  const logger = opts.logger ?? createLogger(config.server.log_level, config.server.log_format);
  const modules = resolveModules(config.target);
  const ctx: ModuleContext = {
    config,
    logger,
    version: opts.version ?? versionInfo(),
    running: new Set(modules.map((m) => m.name)),
    stops: [],
    afterStart: [],
    leaves: [],
    readyChecks: [],
    ready: false,
    ...(opts.bucketOptions ? { bucketOptions: opts.bucketOptions } : {}),
  };
  const stopAll = async (): Promise<void> => {
    for (const l of [...ctx.leaves].reverse()) {
      try {
        await l.leave();
      } catch (err) {
        logger.error("module failed to leave", { module: l.name, err: err instanceof Error ? err.message : String(err) });
      }
    }
    await ctx.server?.stop();
    for (const s of [...ctx.stops].reverse()) {
      try {
        await s.stop();
      } catch (err) {
        logger.error("module failed to stop", { module: s.name, err: err instanceof Error ? err.message : String(err) });
      }
    }
  };
  try {
    for (const m of modules) {
      if (!m.init) continue;
      logger.debug("initialising module", { module: m.name });
      await m.init(ctx);
    }
    const server = ctx.server;
    if (!server) throw new Error("no server module is running");
    const port = await server.start();
    for (const a of ctx.afterStart) await a.start(port);
    ctx.ready = true;
    logger.info("phlare started", { port, targets: config.target.join(","), version: ctx.version.version });
    return { port, ctx, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
