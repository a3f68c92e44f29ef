/**
 * What module inits share: each init fills in its own part and reads only the
 * parts of modules it depends on or runs after.
 */
import type { Agent } from "./agent/agent.js";
import type { VersionInfo } from "./cli/version.js";
import type { Config } from "./config/config.js";
import type { Limits } from "./config/limits.js";
import type { RuntimeConfigWatcher } from "./config/runtime-config.js";
import type { Distributor } from "./distributor/distributor.js";
import type { Ingester } from "./ingester/ingester.js";
import type { Querier } from "./querier/querier.js";
import type { QueryFrontend } from "./query-frontend/frontend.js";
import type { Bucket } from "./objstore/bucket.js";
import type { BucketOptions } from "./objstore/factory.js";
import type { StoreGateway } from "./store-gateway/store-gateway.js";
import type { BlockWorkers } from "./storage/block/block-workers.js";
import type { Logger } from "./server/logger.js";
import type { PhlareServer } from "./server/server.js";
import type { RingServices } from "./ring/module.js";

/** The state of a running Phlare process, built module by module. */
export interface ModuleContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly version: VersionInfo;
  /** Every module that runs: the targets and their transitive dependencies. */
  readonly running: ReadonlySet<string>;
  server?: PhlareServer;
  /** Object storage (set by the storage module). */
  bucket?: Bucket;
  /** Threads that encode, decode and merge blocks (set by the storage module). */
  blockWorkers?: BlockWorkers;
  /** Object-store client tuning given by an embedder (tests); not part of the config. */
  readonly bucketOptions?: BucketOptions;
  runtimeConfig?: RuntimeConfigWatcher;
  /** A tenant's limits (set by the overrides module). */
  limits?: (tenant: string) => Limits;
  ingester?: Ingester;
  storeGateway?: StoreGateway;
  distributor?: Distributor;
  querier?: Querier;
  frontend?: QueryFrontend;
  agent?: Agent;
  /** KV stores and rings (set by the ring module). */
  rings?: RingServices;
  /** Run in order once the server listens, with the port it bound (ring registration). */
  readonly afterStart: { name: string; start: (port: number) => Promise<void> }[];
  /** Run in reverse order on shutdown while the server still serves (leaving rings, hand-over). */
  readonly leaves: { name: string; leave: () => Promise<void> }[];
  /** Run in reverse order on shutdown, after the server stopped. */
  readonly stops: { name: string; stop: () => Promise<void> }[];
  /** Checks /ready runs once every module started; each throws why the process is not ready. */
  readonly readyChecks: (() => Promise<void>)[];
  /** Set once every module has started; /ready reports it. */
  ready: boolean;
}

/** `ctx[key]`, or a start-up error naming what the module needs. */
export function need<K extends keyof ModuleContext>(ctx: ModuleContext, key: K, module: string): NonNullable<ModuleContext[K]> {
  const v = ctx[key];
  if (v === undefined || v === null) {
    throw new Error(`module ${module} needs ${String(key)}, which no running module provides`);
  }
  return v as NonNullable<ModuleContext[K]>;
}
