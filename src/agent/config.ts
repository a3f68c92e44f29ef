/**
 * The agent's config: `scrape_configs` (Prometheus-style jobs whose targets serve pprof) and the
 * `client` that pushes what they scrape. scrape_configs is structured YAML with no flags, parsed
 * strictly here; `client` is an ordinary flag table.
 */
import type { Field } from "../config/field.js";
import { ConfigError } from "../model/errors.js";
import { isValidMetricName } from "../model/labels.js";
import { parseFileSdConfig } from "./discovery/file-sd.js";
import type { FileSdConfig } from "./discovery/file-sd.js";
import { parseHttpSdConfig } from "./discovery/http-sd.js";
import type { HttpSdConfig } from "./discovery/http-sd.js";
import { parseKubernetesSdConfig } from "./discovery/kubernetes.js";
import type { KubernetesSdConfig } from "./discovery/kubernetes.js";
import { parseStaticConfigs } from "./discovery/static.js";
import type { TargetGroup } from "./discovery/target-group.js";
import { HTTP_CLIENT_KEYS, parseHttpClientConfig } from "./http-client.js";
import type { HttpClientConfig } from "./http-client.js";
import { parseRelabelConfigs } from "./relabel.js";
import type { RelabelConfig } from "./relabel.js";
import { YamlObject } from "./yaml-object.js";

/** Where the agent pushes when it does not run in the same process as a distributor. */
export interface ClientConfig {
  url: string;
  tenant_id: string;
  batchwait: number;
  batchsize: number;
  timeout: number;
}

/** The `client` flag table. */
export const clientFields: readonly Field[] = [
  {
    flag: "client.url",
    yaml: "client.url",
    kind: "string",
    default: "",
    help: "URL of the Phlare server the agent pushes to; empty means this server's own HTTP address.",
  },
  { flag: "client.tenant-id", yaml: "client.tenant_id", kind: "string", default: "anonymous", help: "Tenant ID the agent pushes under." },
  { flag: "client.batch-wait", yaml: "client.batchwait", kind: "duration", default: 1000, help: "Maximum wait period before sending a batch." },
  { flag: "client.batch-size-bytes", yaml: "client.batchsize", kind: "int", default: 1048576, help: "Maximum batch size to accrue before sending." },
  { flag: "client.timeout", yaml: "client.timeout", kind: "duration", default: 10000, help: "Maximum time to wait for the server to answer a push." },
];

/** How one profile type is fetched from a target. */
export interface PprofProfileConfig {
  enabled: boolean;
  path: string;
  /** Fetched as a delta over the scrape interval (`seconds=<interval−1>`), like the CPU profile. */
  delta: boolean;
}

/** One scrape job, with defaults applied. */
export interface ScrapeConfig {
  jobName: string;
  params: Map<string, string[]>;
  scrapeIntervalMs: number;
  scrapeTimeoutMs: number;
  scheme: "http" | "https";
  relabelConfigs: RelabelConfig[];
  staticConfigs: TargetGroup[];
  fileSdConfigs: FileSdConfig[];
  httpSdConfigs: HttpSdConfig[];
  kubernetesSdConfigs: KubernetesSdConfig[];
  /** Profile name (`__name__`) → how to fetch it, defaults merged in. */
  profiles: Map<string, PprofProfileConfig>;
  pathPrefix: string;
  httpClient: HttpClientConfig;
}

/** Phlare's default profile table; `process_cpu` is the only delta profile. */
export const DEFAULT_PPROF_CONFIG: ReadonlyMap<string, PprofProfileConfig> = new Map([
  ["memory", { enabled: true, path: "/debug/pprof/allocs", delta: false }],
  ["block", { enabled: true, path: "/debug/pprof/block", delta: false }],
  ["goroutine", { enabled: true, path: "/debug/pprof/goroutine", delta: false }],
  ["mutex", { enabled: true, path: "/debug/pprof/mutex", delta: false }],
  ["process_cpu", { enabled: true, path: "/debug/pprof/profile", delta: true }],
]);

/** The default scrape interval (Phlare's DefaultScrapeConfig). */
export const DEFAULT_SCRAPE_INTERVAL_MS = 10_000;
// A delta profile takes interval − 1 s to record, so the default timeout leaves room beyond the interval.
const DEFAULT_TIMEOUT_EXTRA_MS = 3_000;

function parseProfiles(y: YamlObject): Map<string, PprofProfileConfig> {
  const profiles = new Map<string, PprofProfileConfig>();
  for (const [name, def] of DEFAULT_PPROF_CONFIG) profiles.set(name, { ...def });
  const pprof = y.object("pprof_config");
  for (const name of pprof.keys()) {
    if (!isValidMetricName(name)) pprof.fail(name, `profile name ${JSON.stringify(name)} is not a valid metric name`);
    const entry = pprof.object(name);
    const def = profiles.get(name);
    // Phlare merges per key: missing fields take the default, and an entry without `enabled` is enabled.
    profiles.set(name, {
      enabled: entry.bool("enabled", true),
      path: entry.string("path", "") || (def?.path ?? ""),
      delta: entry.bool("delta", def?.delta ?? false),
    });
    entry.done();
    const path = profiles.get(name)?.path ?? "";
    if (path === "") entry.fail("path", `profile ${name} needs a path`);
    if (!path.startsWith("/")) entry.fail("path", `path ${JSON.stringify(path)} must start with /`);
  }
  return profiles;
}

function parseParams(y: YamlObject): Map<string, string[]> {
  const params = new Map<string, string[]>();
  const p = y.object("params");
  for (const key of p.keys()) params.set(key, p.strings(key));
  return params;
}

function parseScrapeConfig(y: YamlObject): ScrapeConfig {
  const jobName = y.requiredString("job_name");
  const scrapeIntervalMs = y.duration("scrape_interval", DEFAULT_SCRAPE_INTERVAL_MS);
  if (scrapeIntervalMs <= 0) y.fail("scrape_interval", "must be greater than 0");
  const scrapeTimeoutMs = y.duration("scrape_timeout", 0) || scrapeIntervalMs + DEFAULT_TIMEOUT_EXTRA_MS;
  if (scrapeTimeoutMs <= scrapeIntervalMs) {
    y.fail("scrape_timeout", "must be greater than scrape_interval, as a delta profile takes scrape_interval − 1s to record");
  }
  const scheme = y.string("scheme", "http");
  if (scheme !== "http" && scheme !== "https") y.fail("scheme", `unknown scheme ${JSON.stringify(scheme)}, expected http or https`);
  const profiling = y.object("profiling_config");
  const profiles = parseProfiles(profiling);
  const pathPrefix = profiling.string("path_prefix", "");
  profiling.done();
  const cpu = profiles.get("process_cpu");
  if (cpu?.enabled === true && cpu.delta && scrapeIntervalMs < 2000) {
    y.fail("scrape_interval", "must be at least 2s when the process_cpu profile is enabled");
  }
  const cfg: ScrapeConfig = {
    jobName,
    params: parseParams(y),
    scrapeIntervalMs,
    scrapeTimeoutMs,
    scheme,
    relabelConfigs: parseRelabelConfigs(y.raw("relabel_configs"), y.at("relabel_configs")),
    staticConfigs: parseStaticConfigs(y.raw("static_configs"), y.at("static_configs")),
    fileSdConfigs: y.objects("file_sd_configs").map((o) => parseFileSdConfig(o)),
    httpSdConfigs: y.objects("http_sd_configs").map((o) => parseHttpSdConfig(o)),
    kubernetesSdConfigs: y.objects("kubernetes_sd_configs").map((o) => parseKubernetesSdConfig(o)),
    profiles,
    pathPrefix,
    httpClient: parseHttpClientConfig(y),
  };
  for (const key of HTTP_CLIENT_KEYS) y.raw(key);
  y.done();
  return cfg;
}

/** Parses `scrape_configs` (the raw YAML value) with defaults; throws ConfigError with the YAML path. */
export function parseScrapeConfigs(raw: unknown, path = "scrape_configs"): ScrapeConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError(`${path}: expected a sequence of scrape configs`, path);
  const configs = raw.map((item, i) => parseScrapeConfig(YamlObject.of(item, `${path}.${i}`)));
  const seen = new Set<string>();
  configs.forEach((c, i) => {
    if (seen.has(c.jobName)) throw new ConfigError(`${path}.${i}.job_name: found multiple scrape configs with job name ${JSON.stringify(c.jobName)}`, `${path}.${i}.job_name`);
    seen.add(c.jobName);
  });
  return configs;
}
