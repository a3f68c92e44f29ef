/**
 * From discovered targets to scrape targets (reference §7.2): one target per discovered address and
 * enabled profile type, relabeled, with Phlare's defaults for job, instance and service_name, the
 * scrape URL, and the labels a pushed profile carries.
 */
import { createHash } from "node:crypto";
import { formatModelDuration, parseModelDuration } from "../config/duration.js";
import { DEFAULT_SERVICE_NAME, LabelName, sortLabels } from "../model/labels.js";
import type { Labels } from "../model/labels.js";
import type { ScrapeConfig } from "./config.js";
import type { LabelSet, TargetGroup } from "./discovery/target-group.js";
import { relabel } from "./relabel.js";

/** Internal labels of a scrape target (Prometheus' plus Phlare's `__profile_path__`). */
export const TargetLabel = {
  Address: "__address__",
  Scheme: "__scheme__",
  ProfilePath: "__profile_path__",
  ScrapeInterval: "__scrape_interval__",
  ScrapeTimeout: "__scrape_timeout__",
  ParamPrefix: "__param_",
  MetaPrefix: "__meta_",
  Job: "job",
  Instance: "instance",
} as const;

/** One profile type of one discovered endpoint, ready to scrape. */
export interface ScrapeTarget {
  /** Stable identity: the job and the final label set. */
  readonly key: string;
  readonly job: string;
  /** Labels as discovered, before relabeling (with `__name__` and `__profile_path__` added). */
  readonly discoveredLabels: LabelSet;
  /** Labels after relabeling and defaults, `__meta_*` removed (internal `__*` labels kept). */
  readonly labels: LabelSet;
  readonly url: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Whether the profile is recorded over the interval (`seconds=` parameter). */
  readonly delta: boolean;
}

/** A discovered label set that relabeling dropped, or that could not become a target. */
export interface DroppedTarget {
  readonly job: string;
  readonly discoveredLabels: LabelSet;
  /** Why, when it was not relabeling (e.g. a bad address). */
  readonly reason?: string;
}

/** What a job makes of one group. */
export interface GroupTargets {
  active: ScrapeTarget[];
  dropped: DroppedTarget[];
}

const K8S_SERVICE_NAME_ANNOTATION = "__meta_kubernetes_pod_annotation_pyroscope_io_service_name";

function inferServiceName(ls: LabelSet): string {
  const annotated = ls.get(K8S_SERVICE_NAME_ANNOTATION);
  if (annotated) return annotated;
  const namespace = ls.get("__meta_kubernetes_namespace");
  const container = ls.get("__meta_kubernetes_pod_container_name");
  if (namespace && container) return `${namespace}/${container}`;
  const docker = ls.get("__meta_docker_container_name");
  if (docker) return docker;
  return DEFAULT_SERVICE_NAME;
}

// Go's net.SplitHostPort shapes: "host:port" (no other colon) or "[ipv6]:port".
const HOST_PORT = /^(?:[^:[\]]*|\[[^\]]*\]):[^:[\]]*$/;

function withDefaultPort(address: string, scheme: string): string {
  // Prometheus adds the scheme's port only when that turns the address into host:port.
  if (HOST_PORT.test(address) || !HOST_PORT.test(`${address}:1`)) return address;
  return `${address}:${scheme === "https" ? 443 : 80}`;
}

function buildUrl(ls: LabelSet, cfg: ScrapeConfig, delta: boolean, intervalMs: number): string {
  const scheme = ls.get(TargetLabel.Scheme) ?? cfg.scheme;
  const query = new URLSearchParams();
  for (const [name, values] of cfg.params) for (const v of values) query.append(name, v);
  for (const [name, value] of ls) {
    if (name.startsWith(TargetLabel.ParamPrefix)) query.set(name.slice(TargetLabel.ParamPrefix.length), value);
  }
  if (delta) query.set("seconds", String(Math.max(1, Math.floor(intervalMs / 1000) - 1)));
  // Written out rather than through URL, which would drop an explicit default port (Go keeps it).
  const path = new URL(ls.get(TargetLabel.ProfilePath) ?? "/", "http://x").pathname;
  const q = query.toString();
  const url = `${scheme}://${ls.get(TargetLabel.Address) ?? ""}${path}${q === "" ? "" : `?${q}`}`;
  new URL(url); // throws on an address no URL can hold
  return url;
}

function labelsKey(job: string, ls: LabelSet): string {
  const h = createHash("sha256").update(job);
  for (const name of [...ls.keys()].sort()) h.update(`\xff${name}\xff${ls.get(name) ?? ""}`);
  return h.digest("hex").slice(0, 32);
}

/** Builds one target from a discovered label set, or says why it was dropped. */
function buildTarget(cfg: ScrapeConfig, discovered: LabelSet, delta: boolean): ScrapeTarget | DroppedTarget {
  const job = cfg.jobName;
  const base = new Map(discovered);
  const defaults: [string, string][] = [
    [TargetLabel.Job, job],
    [TargetLabel.Scheme, cfg.scheme],
    [TargetLabel.ScrapeInterval, formatModelDuration(cfg.scrapeIntervalMs)],
    [TargetLabel.ScrapeTimeout, formatModelDuration(cfg.scrapeTimeoutMs)],
  ];
  for (const [name, values] of cfg.params) if (values.length > 0) defaults.push([`${TargetLabel.ParamPrefix}${name}`, values[0] as string]);
  for (const [name, value] of defaults) if (!base.has(name)) base.set(name, value);
  const relabeled = relabel(base, cfg.relabelConfigs);
  if (relabeled === undefined) return { job, discoveredLabels: discovered };
  const address = relabeled.get(TargetLabel.Address);
  if (!address) return { job, discoveredLabels: discovered, reason: "no address" };
  const scheme = relabeled.get(TargetLabel.Scheme) ?? cfg.scheme;
  if (scheme !== "http" && scheme !== "https") return { job, discoveredLabels: discovered, reason: `unsupported scheme ${JSON.stringify(scheme)}` };
  if (/[/?#@\s]/.test(address)) return { job, discoveredLabels: discovered, reason: `invalid address ${JSON.stringify(address)}` };
  relabeled.set(TargetLabel.Address, withDefaultPort(address, scheme));
  let intervalMs: number;
  let timeoutMs: number;
  try {
    intervalMs = parseModelDuration(relabeled.get(TargetLabel.ScrapeInterval) ?? "");
    timeoutMs = parseModelDuration(relabeled.get(TargetLabel.ScrapeTimeout) ?? "");
  } catch (err) {
    return { job, discoveredLabels: discovered, reason: `bad scrape interval or timeout: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (intervalMs <= 0 || timeoutMs <= 0) return { job, discoveredLabels: discovered, reason: "scrape interval and timeout must be positive" };
  const serviceName = inferServiceName(relabeled);
  for (const name of [...relabeled.keys()]) if (name.startsWith(TargetLabel.MetaPrefix)) relabeled.delete(name);
  if (!relabeled.has(TargetLabel.Instance)) relabeled.set(TargetLabel.Instance, relabeled.get(TargetLabel.Address) as string);
  if (!relabeled.get(LabelName.ServiceName)) relabeled.set(LabelName.ServiceName, serviceName);
  for (const [name, value] of relabeled) if (value === "") relabeled.delete(name);
  let url: string;
  try {
    url = buildUrl(relabeled, cfg, delta, intervalMs);
  } catch {
    return { job, discoveredLabels: discovered, reason: `invalid address ${JSON.stringify(address)}` };
  }
  return { key: labelsKey(job, relabeled), job, discoveredLabels: discovered, labels: relabeled, url, intervalMs, timeoutMs, delta };
}

/** Every target a job makes of one discovered group: one per target and enabled profile type. */
export function targetsFromGroup(cfg: ScrapeConfig, group: TargetGroup): GroupTargets {
  const out: GroupTargets = { active: [], dropped: [] };
  const profiles = [...cfg.profiles].filter(([, p]) => p.enabled).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const target of group.targets) {
    for (const [name, profile] of profiles) {
      const discovered: LabelSet = new Map(group.labels);
      for (const [k, v] of target) discovered.set(k, v);
      discovered.set(TargetLabel.ProfilePath, joinPath(cfg.pathPrefix, profile.path));
      discovered.set(LabelName.MetricName, name);
      const t = buildTarget(cfg, discovered, profile.delta);
      if ("url" in t) out.active.push(t);
      else out.dropped.push(t);
    }
  }
  return out;
}

function joinPath(prefix: string, path: string): string {
  if (prefix === "") return path;
  return `${prefix.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/** The labels a scraped profile is pushed with: the target's, minus every `__*` label but `__name__`. */
export function pushLabels(target: ScrapeTarget): Labels {
  const out: Labels = [];
  for (const [name, value] of target.labels) {
    if (name.startsWith("__") && name !== LabelName.MetricName) continue;
    out.push({ name, value });
  }
  return sortLabels(out);
}
