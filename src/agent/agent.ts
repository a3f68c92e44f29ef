/**
 * The agent: runs each scrape job's service discovery, turns what it finds into targets, and keeps
 * one scrape loop per target, started when the target appears and stopped when it goes. A loop
 * survives a rediscovery of the same target (same job and labels), keeping its health.
 */
import type { DistributorApi } from "../distributor/api.js";
import type { Logger } from "../server/logger.js";
import type { ScrapeConfig } from "./config.js";
import { FileDiscoverer } from "./discovery/file-sd.js";
import { HttpDiscoverer } from "./discovery/http-sd.js";
import { KubernetesDiscoverer } from "./discovery/kubernetes.js";
import { StaticDiscoverer } from "./discovery/static.js";
import type { Discoverer, TargetGroup } from "./discovery/target-group.js";
import { DEFAULT_MAX_SCRAPE_BODY_BYTES, ScrapeLoop } from "./scrape-loop.js";
import { targetsFromGroup } from "./target.js";
import type { DroppedTarget } from "./target.js";

/** What the agent pushes with and to. */
export interface AgentDeps {
  distributor: DistributorApi;
  tenant: string;
  userAgent: string;
  logger: Logger;
  maxBodyBytes?: number;
}

/** A snapshot of the agent's targets. */
export interface TargetsSnapshot {
  active: ScrapeLoop[];
  dropped: DroppedTarget[];
}

/** The discoverers a job's config asks for. */
export function discoverersOf(cfg: ScrapeConfig, logger: Logger): Discoverer[] {
  return [
    ...(cfg.staticConfigs.length > 0 ? [new StaticDiscoverer(cfg.staticConfigs)] : []),
    ...cfg.fileSdConfigs.map((c) => new FileDiscoverer(c, logger)),
    ...cfg.httpSdConfigs.map((c) => new HttpDiscoverer(c, logger)),
    ...cfg.kubernetesSdConfigs.map((c) => new KubernetesDiscoverer(c, logger)),
  ];
}

// Discovery updates come in bursts (a watch replaying many pods); targets are rebuilt once per burst.
const SYNC_DELAY_MS = 50;

class ScrapeJob {
  private readonly groups = new Map<string, TargetGroup>();
  readonly loops = new Map<string, ScrapeLoop>();
  dropped: DroppedTarget[] = [];
  private syncTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    readonly cfg: ScrapeConfig,
    private readonly deps: AgentDeps,
  ) {}

  update(discoverer: number, groups: readonly TargetGroup[]): void {
    for (const g of groups) {
      const key = `${discoverer}/${g.source}`;
      if (g.targets.length === 0) this.groups.delete(key);
      else this.groups.set(key, g);
    }
    if (this.syncTimer === undefined && !this.stopped) {
      this.syncTimer = setTimeout(() => {
        this.syncTimer = undefined;
        this.sync();
      }, SYNC_DELAY_MS);
    }
  }

  /** Starts loops for new targets and stops those of vanished ones. */
  sync(): void {
    if (this.stopped) return;
    const wanted = new Map<string, ScrapeLoop["target"]>();
    const dropped: DroppedTarget[] = [];
    for (const group of this.groups.values()) {
      const { active, dropped: d } = targetsFromGroup(this.cfg, group);
      for (const t of active) if (!wanted.has(t.key)) wanted.set(t.key, t);
      dropped.push(...d);
    }
    this.dropped = dropped;
    for (const [key, loop] of this.loops) {
      if (wanted.has(key)) continue;
      this.loops.delete(key);
      void loop.stop();
    }
    for (const [key, target] of wanted) {
      if (this.loops.has(key)) continue;
      const loop = new ScrapeLoop(target, {
        client: this.cfg.httpClient,
        distributor: this.deps.distributor,
        tenant: this.deps.tenant,
        userAgent: this.deps.userAgent,
        maxBodyBytes: this.deps.maxBodyBytes ?? DEFAULT_MAX_SCRAPE_BODY_BYTES,
        logger: this.deps.logger,
      });
      this.loops.set(key, loop);
      loop.start();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.syncTimer);
    await Promise.all([...this.loops.values()].map((l) => l.stop()));
    this.loops.clear();
  }
}

/** Runs every scrape job. */
export class Agent {
  private readonly jobs: ScrapeJob[];
  private readonly abort = new AbortController();
  private readonly discoveries: Promise<void>[] = [];

  constructor(
    configs: readonly ScrapeConfig[],
    private readonly deps: AgentDeps,
    private readonly makeDiscoverers: (cfg: ScrapeConfig, logger: Logger) => Discoverer[] = discoverersOf,
  ) {
    this.jobs = configs.map((c) => new ScrapeJob(c, deps));
  }

  /** Starts discovery for every job; targets start scraping as they are found. */
  start(): void {
    for (const job of this.jobs) {
      const logger = this.deps.logger.with({ scrape_pool: job.cfg.jobName });
      this.makeDiscoverers(job.cfg, logger).forEach((d, i) => {
        this.discoveries.push(
          d.run(this.abort.signal, (groups) => job.update(i, groups)).catch((err: unknown) => {
            logger.error("service discovery stopped", { err: err instanceof Error ? err.message : String(err) });
          }),
        );
      });
    }
  }

  /** Stops discovery and every scrape loop. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.discoveries);
    await Promise.all(this.jobs.map((j) => j.stop()));
  }

  /** Every active target's loop and every dropped target, job by job in config order. */
  targets(): TargetsSnapshot {
    return {
      active: this.jobs.flatMap((j) => [...j.loops.values()]),
      dropped: this.jobs.flatMap((j) => j.dropped),
    };
  }

  /** Rebuilds targets now instead of after the short delay that batches discovery updates (tests). */
  syncNow(): void {
    for (const j of this.jobs) j.sync();
  }
}
