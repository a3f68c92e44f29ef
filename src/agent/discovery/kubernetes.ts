/**
 * `kubernetes_sd_configs` with role `pod`, compatible with Prometheus' `discovery/kubernetes`: the
 * pods of the chosen namespaces are listed, then watched, and every pod becomes one target group
 * (`pod/<namespace>/<name>`) labelled as in Prometheus. A watch that ends is resumed from the last
 * resourceVersion; one that is too old (410 Gone) leads to a fresh list whose full state is sent,
 * groups of vanished pods emptied.
 */
import type { IncomingMessage } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../server/logger.js";
import { httpGet, httpOpen, parseHttpClientConfig } from "../http-client.js";
import type { HttpClientConfig } from "../http-client.js";
import type { YamlObject } from "../yaml-object.js";
import { inClusterConnection, kubeconfigConnection, readOwnNamespace } from "./kubeconfig.js";
import type { InClusterOptions, KubeConnection } from "./kubeconfig.js";
import { emptyPodGroup, podIdentity, podTargetGroup } from "./kubernetes-pods.js";
import type { Discoverer, GroupSink, TargetGroup } from "./target-group.js";

/** The roles of Prometheus' Kubernetes discovery; this agent implements `pod` only. */
export type KubernetesRole = "pod" | "node" | "service" | "endpoints" | "endpointslice" | "ingress";

const ROLES: readonly string[] = ["pod", "node", "service", "endpoints", "endpointslice", "ingress"];

/** A `selectors` entry: label and field selectors passed to the API server for one role. */
export interface KubernetesSelector {
  role: KubernetesRole;
  label: string;
  field: string;
}

/** One `kubernetes_sd_configs` entry. */
export interface KubernetesSdConfig {
  role: "pod";
  apiServer?: string;
  kubeconfigFile?: string;
  /** No names and no own namespace: all namespaces. */
  namespaces: { names: string[]; ownNamespace: boolean };
  selectors: KubernetesSelector[];
  /** Accepted for compatibility; node metadata is not attached. */
  attachMetadata: { node: boolean };
  /** Used with `api_server` only. */
  httpClient: HttpClientConfig;
}

function isDefaultHttpClient(c: HttpClientConfig): boolean {
  const t = c.tls;
  const tlsSet = [t.caFile, t.certFile, t.keyFile, t.ca, t.cert, t.key, t.serverName].some((v) => v !== undefined) || t.insecureSkipVerify;
  return !c.basicAuth && !c.authorization && !tlsSet && c.followRedirects && c.enableHttp2;
}

// Splits a selector at the commas outside parentheses (label selectors' `in (a,b)`) and not
// escaped by a backslash (field selectors' `\,`).
function selectorTerms(s: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "\\") i++;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "," && depth === 0) {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms.map((t) => t.trim());
}

const KEY = String.raw`(?:[A-Za-z0-9][-A-Za-z0-9_.]*/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?`;
const VALUE = String.raw`(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;
const LABEL_TERM = new RegExp(
  String.raw`^(?:!?\s*${KEY}|${KEY}\s*(?:==|!=|=)\s*${VALUE}|${KEY}\s+(?:in|notin)\s*\(\s*${VALUE}(?:\s*,\s*${VALUE})*\s*\)|${KEY}\s*[<>]\s*-?\d+)$`,
);
const FIELD_TERM = /^[^=!,\s]+\s*(?:==|!=|=)(?:[^,\\]|\\.)*$/;

function checkSelector(sel: string, term: RegExp): string | undefined {
  if (sel.trim() === "") return undefined;
  const bad = selectorTerms(sel).find((t) => !term.test(t));
  return bad === undefined ? undefined : `invalid selector term ${JSON.stringify(bad)}`;
}

/** Parses one `kubernetes_sd_configs` entry with Prometheus' validation; only role `pod` is accepted. */
export function parseKubernetesSdConfig(y: YamlObject): KubernetesSdConfig {
  if (!y.has("role")) y.fail("role", "is required (this agent supports role pod)");
  const role = y.string("role", "");
  if (role !== "pod") {
    if (ROLES.includes(role)) y.fail("role", `role ${role} is not supported: only role pod is supported by this agent`);
    y.fail("role", `unknown Kubernetes SD role ${JSON.stringify(role)}: only role pod is supported by this agent`);
  }
  const apiServer = y.string("api_server") || undefined;
  if (apiServer !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(apiServer);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
      y.fail("api_server", `${JSON.stringify(apiServer)} is not an http or https URL`);
    }
  }
  const kubeconfigFile = y.string("kubeconfig_file") || undefined;
  const httpClient = parseHttpClientConfig(y);

  const ns = y.object("namespaces");
  const namespaces = { names: ns.strings("names").filter((n) => n !== ""), ownNamespace: ns.bool("own_namespace", false) };
  ns.done();

  const selectors: KubernetesSelector[] = [];
  for (const s of y.objects("selectors")) {
    const selRole = s.string("role", "");
    if (!ROLES.includes(selRole)) s.fail("role", `unknown Kubernetes SD role ${JSON.stringify(selRole)}`);
    if (selectors.some((x) => x.role === selRole)) s.fail("role", `duplicated selector role: ${selRole}`);
    if (selRole !== "pod") s.fail("role", "pod role supports only pod selectors");
    const label = s.string("label", "");
    const labelErr = checkSelector(label, LABEL_TERM);
    if (labelErr !== undefined) s.fail("label", labelErr);
    const field = s.string("field", "");
    const fieldErr = checkSelector(field, FIELD_TERM);
    if (fieldErr !== undefined) s.fail("field", fieldErr);
    s.done();
    selectors.push({ role: selRole as KubernetesRole, label, field });
  }

  const am = y.object("attach_metadata");
  const attachMetadata = { node: am.bool("node", false) };
  am.done();
  y.done();

  if (apiServer !== undefined && kubeconfigFile !== undefined) y.fail("kubeconfig_file", "cannot use 'kubeconfig_file' and 'api_server' simultaneously");
  if (!isDefaultHttpClient(httpClient)) {
    if (kubeconfigFile !== undefined) y.fail("kubeconfig_file", "cannot use a custom HTTP client configuration together with 'kubeconfig_file'");
    if (apiServer === undefined) y.fail("api_server", "to use custom HTTP client configuration please provide the 'api_server' URL explicitly");
  }
  if (namespaces.ownNamespace && apiServer !== undefined) ns.fail("own_namespace", "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously");
  if (namespaces.ownNamespace && kubeconfigFile !== undefined) ns.fail("own_namespace", "cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously");
  return { role: "pod", apiServer, kubeconfigFile, namespaces, selectors, attachMetadata, httpClient };
}

/** Tuning and test hooks of the discoverer. */
export interface KubernetesDiscoveryOptions {
  /** Service account paths and environment for the in-cluster configuration. */
  inCluster?: InClusterOptions;
  /** First retry delay after a failure, doubled per failure (default 1 s). */
  minBackoffMs?: number;
  /** Longest retry delay (default 30 s). */
  maxBackoffMs?: number;
  /** Deadline of one list request (default 60 s). */
  requestTimeoutMs?: number;
  /** Largest list page body (default 64 MiB). */
  maxListBytes?: number;
  /** Largest single watch event (default 16 MiB). */
  maxEventBytes?: number;
  /** Pods per list page (`limit`, default 500). */
  pageSize?: number;
}

/** The API server rejected or lost our resourceVersion: only a new list helps. */
class GoneError extends Error {
  override readonly name = "GoneError";
}

/**
 * A watch event that could not be read (over the size limit, not JSON). Watching again from the
 * same version would meet it again, so the next round lists instead and watches from after it.
 */
class DecodeError extends Error {
  override readonly name = "DecodeError";
}

const USER_AGENT = "phlare-agent";
// A watch that ends sooner than this without delivering anything counts as a failure.
const MIN_QUIET_WATCH_MS = 1000;

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The message of a `Status` object the API server sends with errors. */
function statusMessage(body: string): string {
  try {
    const s: unknown = JSON.parse(body);
    if (isObject(s) && typeof s.message === "string") return s.message;
  } catch {
    // not JSON: use the text
  }
  return body.slice(0, 512);
}

/** Where and what a discoverer watches, once its configuration is resolved. */
export interface KubernetesTarget {
  connection: KubeConnection;
  /** The namespaces watched; `undefined` stands for all of them. */
  namespaces: (string | undefined)[];
}

type Tuning = Required<Omit<KubernetesDiscoveryOptions, "inCluster">>;

/**
 * Discovers pods through the Kubernetes API. The connection (api_server, kubeconfig or in-cluster)
 * is resolved when `run` starts; when it cannot be (no kubeconfig, not in a cluster), `run` rejects
 * with a descriptive error, as Prometheus fails to create the discoverer. Everything after that
 * (API errors, dropped connections, expired watches) is logged and retried with backoff.
 */
export class KubernetesDiscoverer implements Discoverer {
  private readonly tuning: Tuning;
  private resolved: KubernetesTarget | undefined;

  constructor(
    private readonly cfg: KubernetesSdConfig,
    private readonly logger: Logger,
    private readonly opts: KubernetesDiscoveryOptions = {},
  ) {
    this.tuning = {
      minBackoffMs: opts.minBackoffMs ?? 1000,
      maxBackoffMs: opts.maxBackoffMs ?? 30_000,
      requestTimeoutMs: opts.requestTimeoutMs ?? 60_000,
      maxListBytes: opts.maxListBytes ?? 64 << 20,
      maxEventBytes: opts.maxEventBytes ?? 16 << 20,
      pageSize: opts.pageSize ?? 500,
    };
  }

  /** Resolves the API server connection and the namespaces; throws KubeConfigError when it cannot. */
  resolve(): KubernetesTarget {
    if (this.resolved !== undefined) return this.resolved;
    const cfg = this.cfg;
    let connection: KubeConnection;
    if (cfg.kubeconfigFile !== undefined) connection = kubeconfigConnection(cfg.kubeconfigFile);
    else if (cfg.apiServer !== undefined) connection = { server: cfg.apiServer.replace(/\/+$/, ""), http: cfg.httpClient, source: "api_server" };
    else connection = inClusterConnection(this.opts.inCluster);
    const names = [...cfg.namespaces.names];
    if (cfg.namespaces.ownNamespace && connection.source === "in-cluster") names.push(readOwnNamespace(this.opts.inCluster));
    this.resolved = { connection, namespaces: names.length === 0 ? [undefined] : [...new Set(names)] };
    return this.resolved;
  }

  /** Lists and watches every namespace until `signal` aborts. */
  async run(signal: AbortSignal, sink: GroupSink): Promise<void> {
    const { connection, namespaces } = this.resolve();
    this.logger.info("kubernetes discovery starting", { api_server: connection.server, via: connection.source });
    const send: GroupSink = (groups) => {
      if (!signal.aborted) sink(groups);
    };
    const sel = this.cfg.selectors.find((s) => s.role === "pod");
    const selector = { labelSelector: sel?.label ?? "", fieldSelector: sel?.field ?? "" };
    await Promise.all(
      namespaces.map((ns) => {
        const log = this.logger.with({ namespace: ns ?? "<all>" });
        return new PodReflector(connection, ns, selector, this.tuning, log, signal, send).run();
      }),
    );
  }
}

/** List-then-watch of the pods of one namespace (or all), like client-go's reflector. */
class PodReflector {
  /** Sources of the groups sent, to empty those a new list no longer has. */
  private readonly known = new Set<string>();
  private resourceVersion: string | undefined;
  private readonly headers = { accept: "application/json", "user-agent": USER_AGENT };

  constructor(
    private readonly conn: KubeConnection,
    private readonly namespace: string | undefined,
    private readonly selector: { labelSelector: string; fieldSelector: string },
    private readonly tuning: Tuning,
    private readonly log: Logger,
    private readonly signal: AbortSignal,
    private readonly send: GroupSink,
  ) {}

  private url(params: Record<string, string | undefined>): string {
    const ns = this.namespace;
    const path = ns === undefined ? "/api/v1/pods" : `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`;
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...params, ...this.selector })) {
      if (v !== undefined && v !== "") q.set(k, v);
    }
    const qs = q.toString();
    return `${this.conn.server}${path}${qs === "" ? "" : `?${qs}`}`;
  }

  async run(): Promise<void> {
    let failures = 0;
    while (!this.signal.aborted) {
      // Watch events received in this round; a round that received some resets the backoff.
      const round = { events: 0, start: Date.now() };
      try {
        this.resourceVersion ??= await this.list();
        await this.watch(this.resourceVersion, round);
        if (round.events === 0 && Date.now() - round.start < MIN_QUIET_WATCH_MS) throw new Error("watch closed by the server without any event");
        failures = 0;
        this.log.debug("watch ended, resuming", { resource_version: this.resourceVersion });
        continue;
      } catch (err) {
        if (this.signal.aborted) break;
        if (round.events > 0) failures = 0;
        if (err instanceof GoneError || err instanceof DecodeError) this.resourceVersion = undefined;
        if (err instanceof GoneError) {
          this.log.info("watch expired, listing again", { err: err.message });
          // The first expiry re-lists at once; repeated ones back off like any failure.
          if (failures++ === 0) continue;
        } else {
          failures++;
        }
        const delay = Math.min(this.tuning.maxBackoffMs, this.tuning.minBackoffMs * 2 ** Math.min(failures - 1, 30));
        this.log.warn("kubernetes pod discovery failed, retrying", { err: errMessage(err), retry_in_ms: delay });
        await sleep(delay, undefined, { signal: this.signal }).catch(() => {});
      }
    }
  }

  /** Lists all pods (page by page), sends them as one update and returns the list's resourceVersion. */
  private async list(): Promise<string> {
    let groups = new Map<string, TargetGroup>();
    let cont: string | undefined;
    let restarts = 0;
    let resourceVersion = "";
    do {
      const url = this.url({ limit: String(this.tuning.pageSize), continue: cont });
      const opts = { headers: this.headers, timeoutMs: this.tuning.requestTimeoutMs, maxBytes: this.tuning.maxListBytes, signal: this.signal };
      const res = await httpGet(url, this.conn.http, opts);
      if (res.status === 410 && cont !== undefined && restarts++ < 3) {
        // The continue token expired between pages: start over.
        groups = new Map();
        cont = undefined;
        continue;
      }
      if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}: ${statusMessage(res.body.toString("utf8"))}`);
      let body: unknown;
      try {
        body = JSON.parse(res.body.toString("utf8"));
      } catch (err) {
        throw new Error(`GET ${url}: invalid JSON: ${errMessage(err)}`, { cause: err });
      }
      const meta = isObject(body) ? body.metadata : undefined;
      if (!isObject(body) || !Array.isArray(body.items) || !isObject(meta)) throw new Error(`GET ${url}: not a PodList`);
      for (const item of body.items) {
        if (podIdentity(item) === undefined) continue;
        const g = podTargetGroup(item);
        groups.set(g.source, g);
      }
      resourceVersion = typeof meta.resourceVersion === "string" ? meta.resourceVersion : "";
      cont = typeof meta.continue === "string" && meta.continue !== "" ? meta.continue : undefined;
    } while (cont !== undefined);
    if (resourceVersion === "") throw new Error(`pod list of ${this.namespace ?? "all namespaces"} has no resourceVersion`);

    const update: TargetGroup[] = [...groups.values()];
    for (const source of this.known) {
      if (groups.has(source)) continue;
      const [, ns = "", name = ""] = source.split("/");
      update.push(emptyPodGroup(ns, name));
    }
    this.known.clear();
    for (const source of groups.keys()) this.known.add(source);
    this.send(update);
    return resourceVersion;
  }

  /**
   * Watches from `resourceVersion` until the server ends the watch (resolves) or it fails
   * (rejects; GoneError when the version is too old). Updates are sent per received chunk.
   */
  private async watch(resourceVersion: string, round: { events: number }): Promise<void> {
    // Like client-go, ask the server to end the watch after 5–10 minutes; a connection silent for
    // longer than that is dead, and the request timeout (an idle timeout here) ends it.
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    const url = this.url({ watch: "true", resourceVersion, allowWatchBookmarks: "true", timeoutSeconds: String(timeoutSeconds) });
    const res = await httpOpen(url, this.conn.http, { headers: this.headers, timeoutMs: (timeoutSeconds + 60) * 1000, signal: this.signal });
    const onAbort = (): void => void res.destroy();
    this.signal.addEventListener("abort", onAbort, { once: true });
    if (this.signal.aborted) res.destroy();
    const pending = new Map<string, TargetGroup>();
    const flush = (): void => {
      if (pending.size > 0) this.send([...pending.values()]);
      pending.clear();
    };
    try {
      if (res.statusCode === 410) throw new GoneError(`HTTP 410: ${statusMessage(await readSome(res))}`);
      if (res.statusCode !== 200) throw new Error(`GET ${url}: HTTP ${res.statusCode ?? 0}: ${statusMessage(await readSome(res))}`);
      const splitter = new LineSplitter(this.tuning.maxEventBytes);
      for await (const chunk of res) {
        for (const line of splitter.push(chunk as Buffer)) {
          this.apply(line, pending);
          round.events++;
        }
        flush();
      }
      const last = splitter.end();
      if (last !== undefined) {
        this.apply(last, pending);
        round.events++;
      }
    } finally {
      flush();
      this.signal.removeEventListener("abort", onAbort);
      res.destroy();
    }
  }

  private apply(line: Buffer, pending: Map<string, TargetGroup>): void {
    let event: unknown;
    try {
      event = JSON.parse(line.toString("utf8"));
    } catch (err) {
      throw new DecodeError(`invalid watch event: ${errMessage(err)}`, { cause: err });
    }
    if (!isObject(event) || typeof event.type !== "string") throw new DecodeError("invalid watch event: no type");
    const object = event.object;
    switch (event.type) {
      case "ADDED":
      case "MODIFIED":
      case "DELETED": {
        const id = podIdentity(object);
        if (id === undefined) throw new DecodeError(`invalid ${event.type} watch event: the object is not a pod`);
        const group = event.type === "DELETED" ? emptyPodGroup(id.namespace, id.name) : podTargetGroup(object);
        if (event.type === "DELETED") this.known.delete(group.source);
        else this.known.add(group.source);
        pending.set(group.source, group);
        if (id.resourceVersion !== "") this.resourceVersion = id.resourceVersion;
        return;
      }
      case "BOOKMARK": {
        const meta = isObject(object) ? object.metadata : undefined;
        if (isObject(meta) && typeof meta.resourceVersion === "string" && meta.resourceVersion !== "") this.resourceVersion = meta.resourceVersion;
        return;
      }
      case "ERROR": {
        const code = isObject(object) ? object.code : undefined;
        const msg = isObject(object) && typeof object.message === "string" ? object.message : JSON.stringify(object);
        if (code === 410) throw new GoneError(msg);
        throw new Error(`watch error${typeof code === "number" ? ` ${code}` : ""}: ${msg}`);
      }
      default:
        throw new DecodeError(`unknown watch event type ${JSON.stringify(event.type)}`);
    }
  }
}

/** Reads at most 64 KiB of an error response body. */
async function readSome(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    const buf = chunk as Buffer;
    chunks.push(buf);
    size += buf.length;
    if (size >= 64 << 10) break;
  }
  return Buffer.concat(chunks).subarray(0, 64 << 10).toString("utf8");
}

/** Splits a byte stream into newline-terminated lines, failing on a line over the limit. */
class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxLine: number) {}

  *push(chunk: Buffer): Generator<Buffer> {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      const piece = chunk.subarray(start, nl < 0 ? chunk.length : nl);
      this.size += piece.length;
      if (this.size > this.maxLine) throw new DecodeError(`watch event exceeds the limit of ${this.maxLine} bytes`);
      if (nl < 0) {
        if (piece.length > 0) this.parts.push(piece);
        return;
      }
      const line = this.parts.length === 0 ? piece : Buffer.concat([...this.parts, piece]);
      this.parts = [];
      this.size = 0;
      start = nl + 1;
      if (line.length > 0) yield line;
    }
  }

  /** The unterminated rest, if any. */
  end(): Buffer | undefined {
    if (this.size === 0) return undefined;
    const line = Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    return line.toString("utf8").trim() === "" ? undefined : line;
  }
}
