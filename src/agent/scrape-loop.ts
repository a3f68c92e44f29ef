/**
 * One target's scrape loop: fetch its pprof endpoint every interval, at an offset derived from the
 * target so a job's targets do not all fire at once, and push each profile as one series. A failed
 * scrape or push marks the target down with the error; nothing is retried (the next interval is).
 */
import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { DistributorApi } from "../distributor/api.js";
import type { Logger } from "../server/logger.js";
import { HttpRequestError, httpGet } from "./http-client.js";
import type { HttpClientConfig } from "./http-client.js";
import { pushLabels } from "./target.js";
import type { ScrapeTarget } from "./target.js";

/** Target health as the targets API reports it. */
export type Health = "unknown" | "up" | "down";

/** What the loop needs besides its target. */
export interface ScrapeLoopDeps {
  client: HttpClientConfig;
  distributor: DistributorApi;
  tenant: string;
  userAgent: string;
  /** Largest body accepted from a target; a larger one fails the scrape. */
  maxBodyBytes: number;
  logger: Logger;
}

/** A body limit that holds any real pprof profile while keeping a hostile target from filling memory. */
export const DEFAULT_MAX_SCRAPE_BODY_BYTES = 32 * 1024 * 1024;

/** The time of the next scrape: Prometheus' offset scheme, a fixed phase per target within the interval. */
export function scrapeOffsetMs(key: string, intervalMs: number, nowMs: number): number {
  const hash = Number.parseInt(key.slice(0, 12), 16);
  const base = intervalMs - (nowMs % intervalMs);
  return (hash % intervalMs + base) % intervalMs;
}

/** Scrapes one target until stopped. */
export class ScrapeLoop {
  health: Health = "unknown";
  lastError = "";
  /** Start of the last scrape (ms since the epoch), 0 before the first. */
  lastScrapeMs = 0;
  lastDurationMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    readonly target: ScrapeTarget,
    private readonly deps: ScrapeLoopDeps,
  ) {}

  /** Schedules the first scrape at the target's offset. */
  start(): void {
    this.schedule(scrapeOffsetMs(this.target.key, this.target.intervalMs, Date.now()));
  }

  /** Stops scheduling and cancels a scrape in flight; resolves when it has finished. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.abort.signal.aborted) return;
    this.timer = setTimeout(() => {
      const started = Date.now();
      this.running = this.scrapeOnce().finally(() => {
        this.running = undefined;
        // Keep the phase: the next scrape is one interval after this one started.
        this.schedule(Math.max(0, started + this.target.intervalMs - Date.now()));
      });
    }, delayMs);
    this.timer.unref();
  }

  /** One scrape and push; records health, error and timing. */
  async scrapeOnce(): Promise<void> {
    const started = Date.now();
    const t = this.target;
    try {
      const res = await httpGet(t.url, this.deps.client, {
        headers: { "user-agent": this.deps.userAgent, "accept-encoding": "gzip" },
        timeoutMs: t.timeoutMs,
        maxBytes: this.deps.maxBodyBytes,
        signal: this.abort.signal,
      });
      if (res.status < 200 || res.status > 299) throw new HttpRequestError(`server returned HTTP status ${res.status} ${STATUS_CODES[res.status] ?? ""}`);
      if (res.body.length === 0) throw new HttpRequestError("empty profile");
      try {
        await this.deps.distributor.push(this.deps.tenant, {
          series: [{ labels: pushLabels(t), samples: [{ rawProfile: new Uint8Array(res.body.buffer, res.body.byteOffset, res.body.length), id: randomUUID() }] }],
        });
      } catch (err) {
        throw new Error(`push: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      this.health = "up";
      this.lastError = "";
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.health = "down";
      this.lastError = err instanceof Error ? err.message : String(err);
      this.deps.logger.debug("scrape failed", { url: t.url, err: this.lastError });
    } finally {
      this.lastScrapeMs = started;
      this.lastDurationMs = Date.now() - started;
    }
  }
}
