/**
 * `http_sd_configs`, compatible with Prometheus' `discovery/http`: the URL is polled every
 * refresh_interval and must answer 200 with `Content-Type: application/json` and a JSON list of
 * target groups. Group `i` has the source `<url>:<i>` and the label `__meta_url`; groups beyond
 * a shorter answer are sent empty. A failed poll (connection, status, content type, body) keeps
 * the previous groups, is logged and counted, and is retried at the next interval.
 */
import { STATUS_CODES } from "node:http";
import type { Logger } from "../../server/logger.js";
import { HTTP_CLIENT_KEYS, httpGet, parseHttpClientConfig } from "../http-client.js";
import type { HttpClientConfig } from "../http-client.js";
import type { YamlObject } from "../yaml-object.js";
import type { Discoverer, GroupSink, TargetGroup } from "./target-group.js";
import { MAX_TARGET_GROUPS_BYTES, SentGroups, groupSource, parseTargetGroups, toTargetGroups } from "./target-groups-json.js";

/** One `http_sd_configs` entry. */
export interface HttpSdConfig {
  url: string;
  refreshIntervalMs: number;
  httpClient: HttpClientConfig;
}

/** Prometheus' default http_sd refresh interval, 60s. */
export const DEFAULT_HTTP_SD_REFRESH_INTERVAL_MS = 60_000;

/** The label holding the URL a group was fetched from. */
export const HTTP_SD_URL_LABEL = "__meta_url";

// Prometheus' matchContentType.
const JSON_CONTENT_TYPE = /^application\/json(;\s*charset=("utf-8"|utf-8))?$/i;

/** Parses one `http_sd_configs` entry (inline HTTP client keys included); throws ConfigError with the YAML path. */
export function parseHttpSdConfig(y: YamlObject): HttpSdConfig {
  const url = y.string("url", "");
  if (url === "") y.fail("url", "URL is missing");
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    y.fail("url", `invalid URL ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") y.fail("url", "URL scheme must be 'http' or 'https'");
  if (parsed.host === "") y.fail("url", "host is missing in URL");
  const refreshIntervalMs = y.duration("refresh_interval", DEFAULT_HTTP_SD_REFRESH_INTERVAL_MS);
  if (refreshIntervalMs <= 0) y.fail("refresh_interval", "must be greater than 0");
  const httpClient = parseHttpClientConfig(y);
  for (const key of HTTP_CLIENT_KEYS) y.raw(key);
  y.done();
  return { url, refreshIntervalMs, httpClient };
}

/** Knobs for tests and embedding. */
export interface HttpDiscovererOptions {
  /** Deadline of one poll, body included (default: the refresh interval, as Prometheus). */
  timeoutMs?: number;
  /** Largest accepted body (default 16 MiB). */
  maxBytes?: number;
  /** Sent as User-Agent (default "phlare"). */
  userAgent?: string;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// Resolves after `ms`, or at once when `signal` aborts.
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Polls an HTTP endpoint for target groups. Run it once. */
export class HttpDiscoverer implements Discoverer {
  private readonly sent = new SentGroups();
  private lastLength = 0;
  private failureCount = 0;
  private lastErr: string | undefined;

  constructor(
    private readonly cfg: HttpSdConfig,
    private readonly logger: Logger,
    private readonly opts: HttpDiscovererOptions = {},
  ) {}

  /** How many polls failed so far. */
  get failures(): number {
    return this.failureCount;
  }

  /** The last poll failure; cleared by a successful poll. */
  get lastError(): string | undefined {
    return this.lastErr;
  }

  /**
   * Fetches and decodes the groups once, with sources and `__meta_url` set; throws on any failure
   * (transport, status other than 200, content type other than JSON, invalid body).
   */
  async fetchGroups(signal?: AbortSignal): Promise<TargetGroup[]> {
    const { url, refreshIntervalMs } = this.cfg;
    const res = await httpGet(url, this.cfg.httpClient, {
      headers: {
        "user-agent": this.opts.userAgent ?? "phlare",
        accept: "application/json",
        "x-prometheus-refresh-interval-seconds": String(refreshIntervalMs / 1000),
      },
      timeoutMs: this.opts.timeoutMs ?? refreshIntervalMs,
      maxBytes: this.opts.maxBytes ?? MAX_TARGET_GROUPS_BYTES,
      signal,
    });
    if (res.status !== 200) throw new Error(`server returned HTTP status ${res.status} ${STATUS_CODES[res.status] ?? ""}`.trimEnd());
    const contentType = res.headers["content-type"] ?? "";
    if (!JSON_CONTENT_TYPE.test(contentType.trim())) throw new Error(`unsupported content type ${JSON.stringify(contentType)}`);
    return toTargetGroups(parseTargetGroups(res.body, "json", this.opts.maxBytes ?? MAX_TARGET_GROUPS_BYTES), url, HTTP_SD_URL_LABEL, url);
  }

  /**
   * One poll: the groups that changed since the last successful poll, groups that vanished sent
   * empty; undefined when the poll failed (the failure is logged and recorded).
   */
  async poll(signal?: AbortSignal): Promise<TargetGroup[] | undefined> {
    let groups: TargetGroup[];
    try {
      groups = await this.fetchGroups(signal);
    } catch (err) {
      if (signal?.aborted === true) return undefined;
      this.failureCount++;
      this.lastErr = errorMessage(err);
      this.logger.warn("unable to refresh http_sd target groups, keeping the previous ones", { url: this.cfg.url, err: this.lastErr });
      return undefined;
    }
    this.lastErr = undefined;
    const vanished: string[] = [];
    for (let i = groups.length; i < this.lastLength; i++) vanished.push(groupSource(this.cfg.url, i));
    this.lastLength = groups.length;
    return [...this.sent.changed(groups), ...this.sent.removed(vanished)];
  }

  /** Polls until `signal` aborts: the first poll's groups (none if it failed), then changes. */
  async run(signal: AbortSignal, sink: GroupSink): Promise<void> {
    for (let first = true; !signal.aborted; first = false) {
      const changes = await this.poll(signal);
      if (signal.aborted) return;
      if (first || (changes !== undefined && changes.length > 0)) sink(changes ?? []);
      await sleep(this.cfg.refreshIntervalMs, signal);
    }
  }
}
