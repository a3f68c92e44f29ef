/**
 * A small Kubernetes API server for pods: a real HTTP(S) server on 127.0.0.1 holding pods in
 * memory and speaking the API's wire format for what pod discovery uses: PodList (with `limit`
 * and `continue`), watches as chunked newline-delimited JSON events replayed from a
 * resourceVersion, bookmarks, 410 Gone for compacted versions, label and field selectors of the
 * simple `k=v` / `k!=v` forms, and bearer token authentication.
 */
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import http from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";

/** A container of a pod spec. */
export interface KubeContainer {
  name: string;
  image?: string;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
}

/** A container status. */
export interface KubeContainerStatus {
  name: string;
  containerID?: string;
  image?: string;
  ready?: boolean;
}

/** A Pod object shaped like the API server's (the fields discovery reads, and a few more). */
export interface KubePod {
  kind?: string;
  apiVersion?: string;
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
  };
  spec: { nodeName?: string; containers: KubeContainer[]; initContainers?: KubeContainer[]; restartPolicy?: string };
  status: {
    phase?: string;
    podIP?: string;
    podIPs?: { ip: string }[];
    hostIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: KubeContainerStatus[];
    initContainerStatuses?: KubeContainerStatus[];
  };
}

/** What `makePod` needs; everything but the name has a default. */
export interface PodSpec {
  name: string;
  namespace?: string;
  ip?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  containers?: KubeContainer[];
  initContainers?: KubeContainer[];
  phase?: string;
  ready?: boolean;
  nodeName?: string;
  hostIP?: string;
  controller?: { kind: string; name: string };
}

/** A running pod as the API server would return it, with container statuses matching the spec. */
export function makePod(p: PodSpec): KubePod {
  const containers = p.containers ?? [{ name: "app", image: "example/app:1.0", ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }] }];
  const statuses = (cs: KubeContainer[]): KubeContainerStatus[] =>
    cs.map((c) => ({ name: c.name, image: c.image, ready: p.ready ?? true, containerID: `containerd://${c.name}-${p.name}` }));
  return {
    metadata: {
      name: p.name,
      namespace: p.namespace ?? "default",
      labels: p.labels,
      annotations: p.annotations,
      ownerReferences: p.controller && [
        { apiVersion: "apps/v1", kind: p.controller.kind, name: p.controller.name, uid: randomUUID(), controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: { nodeName: p.nodeName ?? "node-1", containers, initContainers: p.initContainers, restartPolicy: "Always" },
    status: {
      phase: p.phase ?? "Running",
      podIP: p.ip,
      podIPs: p.ip === undefined ? undefined : [{ ip: p.ip }],
      hostIP: p.hostIP ?? "10.0.0.1",
      conditions: [
        { type: "Initialized", status: "True" },
        { type: "Ready", status: p.ready === false ? "False" : "True" },
      ],
      containerStatuses: statuses(containers),
      initContainerStatuses: p.initContainers && statuses(p.initContainers),
    },
  };
}

/** One request as the server saw it. */
export interface KubeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  watch: boolean;
  authorization: string | undefined;
  /** CN of the client certificate, when TLS asked for one and got it. */
  clientCert: string | undefined;
}

/** How the server is set up. */
export interface KubeApiOptions {
  /** Requests must carry `Authorization: Bearer <token>`; changeable later through `token`. */
  token?: string;
  /** Serve HTTPS with this key pair; `ca` makes it ask for (and verify) client certificates. */
  tls?: { cert: string; key: string; ca?: string };
  /** How a watch from a compacted resourceVersion fails: an ERROR event (default) or HTTP 410. */
  goneAs?: "event" | "http";
}

type Matcher = (pod: KubePod) => boolean;

interface HistoryEvent {
  rv: number;
  type: "ADDED" | "MODIFIED" | "DELETED";
  pod: KubePod;
  prev: KubePod | undefined;
}

interface Watch {
  res: ServerResponse;
  namespace: string | undefined;
  matches: Matcher;
  bookmarks: boolean;
  timer: NodeJS.Timeout | undefined;
}

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });
}

function parseSelector(sel: string, field: (key: string) => (pod: KubePod) => string | undefined): Matcher {
  const terms = sel
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "")
    .map((t): Matcher => {
      let m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(t);
      if (m) {
        const [, key = "", op, value] = m;
        const get = field(key);
        return op === "!=" ? (p) => get(p) !== value : (p) => get(p) === value;
      }
      m = /^(!?)([^=!\s()]+)$/.exec(t);
      if (m) {
        const [, not, key = ""] = m;
        const get = field(key);
        return not === "!" ? (p) => get(p) === undefined : (p) => get(p) !== undefined;
      }
      throw new Error(`unsupported selector term ${JSON.stringify(t)}`);
    });
  return (pod) => terms.every((t) => t(pod));
}

const FIELDS: Record<string, (p: KubePod) => string | undefined> = {
  "metadata.name": (p) => p.metadata.name,
  "metadata.namespace": (p) => p.metadata.namespace,
  "spec.nodeName": (p) => p.spec.nodeName ?? "",
  "status.phase": (p) => p.status.phase ?? "",
  "status.podIP": (p) => p.status.podIP ?? "",
};

/** An in-memory pod API server; see the file comment. */
export class KubeApiServer {
  /** Every request, in arrival order. */
  readonly requests: KubeRequest[] = [];
  /** Emits "request" (a KubeRequest), "watch-open" and "watch-close". */
  readonly events = new EventEmitter();
  /** The bearer token required, if any; may be changed at any time (rotation). */
  token: string | undefined;
  private readonly server: http.Server;
  private readonly pods = new Map<string, KubePod>();
  private history: HistoryEvent[] = [];
  private rv = 100;
  private compactedBelow = 0;
  private readonly watches = new Set<Watch>();
  private failures: number[] = [];

  constructor(private readonly opts: KubeApiOptions = {}) {
    this.token = opts.token;
    const handler = (req: IncomingMessage, res: ServerResponse): void => this.handle(req, res);
    this.server = opts.tls
      ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca, requestCert: opts.tls.ca !== undefined, rejectUnauthorized: false }, handler)
      : http.createServer(handler);
  }

  /** Listens on a free 127.0.0.1 port; returns the base URL. */
  start(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => {
        const { port } = this.server.address() as AddressInfo;
        resolve(`${this.opts.tls ? "https" : "http"}://127.0.0.1:${port}`);
      });
    });
  }

  /** Ends open watches and closes the server. */
  async stop(): Promise<void> {
    for (const w of this.watches) this.closeWatch(w, true);
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** The number of watch connections open now. */
  get openWatches(): number {
    return this.watches.size;
  }

  /** The current resourceVersion. */
  get resourceVersion(): string {
    return String(this.rv);
  }

  /** The next `count` requests (any kind) fail with `status`. */
  failNext(count: number, code = 500): void {
    for (let i = 0; i < count; i++) this.failures.push(code);
  }

  /**
   * Adds or replaces a pod (ADDED or MODIFIED, as watchers with label selectors see it). With
   * `notify: false` the change is not recorded for watches, as if its event was compacted away:
   * follow it with `expireWatches()` so clients must list again to see it.
   */
  put(pod: KubePod, opts: { notify?: boolean } = {}): KubePod {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const prev = this.pods.get(key);
    const stored = structuredClone(pod);
    delete stored.kind;
    delete stored.apiVersion;
    stored.metadata.uid = prev?.metadata.uid ?? stored.metadata.uid ?? randomUUID();
    stored.metadata.creationTimestamp = prev?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, "Z");
    stored.metadata.resourceVersion = String(++this.rv);
    this.pods.set(key, stored);
    if (opts.notify !== false) this.record({ rv: this.rv, type: prev ? "MODIFIED" : "ADDED", pod: stored, prev });
    return structuredClone(stored);
  }

  /** Deletes a pod (DELETED); see `put` for `notify`. Returns whether it existed. */
  delete(namespace: string, name: string, opts: { notify?: boolean } = {}): boolean {
    const key = `${namespace}/${name}`;
    const prev = this.pods.get(key);
    if (!prev) return false;
    this.pods.delete(key);
    const gone = structuredClone(prev);
    gone.metadata.resourceVersion = String(++this.rv);
    if (opts.notify !== false) this.record({ rv: this.rv, type: "DELETED", pod: gone, prev });
    return true;
  }

  /**
   * Compacts the event history: every resourceVersion before now becomes too old. Open watches
   * get an ERROR event with code 410 (or, with `goneAs: "http"`, are just ended), and a watch
   * from an older version fails with 410 Gone.
   */
  expireWatches(): void {
    this.rv++;
    this.compactedBelow = this.rv;
    this.history = [];
    for (const w of this.watches) {
      if (this.opts.goneAs !== "http") w.res.write(`${JSON.stringify({ type: "ERROR", object: JSON.parse(this.goneStatus()) })}\n`);
      this.closeWatch(w, false);
    }
  }

  /** Ends every open watch normally, as the API server does when a watch times out. */
  endWatches(): void {
    for (const w of this.watches) this.closeWatch(w, false);
  }

  /** Sends a BOOKMARK with the current resourceVersion to watches that allow bookmarks. */
  bookmark(): void {
    for (const w of this.watches) {
      if (w.bookmarks) w.res.write(`${JSON.stringify({ type: "BOOKMARK", object: { kind: "Pod", apiVersion: "v1", metadata: { resourceVersion: String(this.rv) } } })}\n`);
    }
  }

  private goneStatus(): string {
    return status(410, "Expired", `too old resource version: compacted below ${this.compactedBelow}`);
  }

  private record(ev: HistoryEvent): void {
    this.history.push(ev);
    for (const w of this.watches) this.deliver(w, ev);
  }

  private deliver(w: Watch, ev: HistoryEvent): void {
    if (w.namespace !== undefined && ev.pod.metadata.namespace !== w.namespace) return;
    const before = ev.prev !== undefined && w.matches(ev.prev);
    const now = ev.type !== "DELETED" && w.matches(ev.pod);
    let type: string;
    if (ev.type === "DELETED") type = before ? "DELETED" : "";
    else if (now) type = before ? "MODIFIED" : "ADDED";
    else type = before ? "DELETED" : "";
    if (type === "") return;
    w.res.write(`${JSON.stringify({ type, object: { kind: "Pod", apiVersion: "v1", ...ev.pod } })}\n`);
  }

  private closeWatch(w: Watch, destroy: boolean): void {
    if (!this.watches.delete(w)) return;
    clearTimeout(w.timer);
    if (destroy) w.res.destroy();
    else w.res.end();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://localhost");
    const peer = (req.socket as Partial<TLSSocket>).getPeerCertificate?.();
    const cn = peer?.subject?.CN;
    const entry: KubeRequest = {
      method: req.method ?? "",
      path: url.pathname,
      query: url.searchParams,
      watch: url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1",
      authorization: req.headers.authorization,
      clientCert: typeof cn === "string" ? cn : Array.isArray(cn) ? cn.join(",") : undefined,
    };
    this.requests.push(entry);
    this.events.emit("request", entry);
    const reply = (code: number, body: string): void => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(body);
    };
    const failure = this.failures.shift();
    if (failure !== undefined) return reply(failure, status(failure, "InternalError", `injected failure ${failure}`));
    if (this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`) return reply(401, status(401, "Unauthorized", "Unauthorized"));
    const m = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?pods$/.exec(url.pathname);
    if (req.method !== "GET" || !m) return reply(404, status(404, "NotFound", `the server could not find the requested resource (${req.method} ${url.pathname})`));
    const namespace = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
    let matches: Matcher;
    try {
      const labels = parseSelector(url.searchParams.get("labelSelector") ?? "", (k) => (p) => p.metadata.labels?.[k]);
      const fields = parseSelector(url.searchParams.get("fieldSelector") ?? "", (k) => {
        const f = FIELDS[k];
        if (!f) throw new Error(`field label not supported: ${k}`);
        return f;
      });
      matches = (p) => labels(p) && fields(p);
    } catch (err) {
      return reply(400, status(400, "BadRequest", err instanceof Error ? err.message : String(err)));
    }
    if (entry.watch) this.watch(url.searchParams, namespace, matches, res);
    else this.list(url.searchParams, namespace, matches, reply);
  }

  private list(q: URLSearchParams, namespace: string | undefined, matches: Matcher, reply: (code: number, body: string) => void): void {
    let offset = 0;
    let rv = this.rv;
    const cont = q.get("continue");
    if (cont) {
      const token = JSON.parse(Buffer.from(cont, "base64url").toString("utf8")) as { o: number; rv: number };
      if (token.rv < this.compactedBelow) return reply(410, status(410, "Expired", "The provided continue parameter is too old"));
      offset = token.o;
      rv = token.rv;
    }
    const all = [...this.pods.values()]
      .filter((p) => (namespace === undefined || p.metadata.namespace === namespace) && matches(p))
      .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
    const limit = Number(q.get("limit") ?? "0");
    const end = limit > 0 ? Math.min(all.length, offset + limit) : all.length;
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (end < all.length) {
      metadata.continue = Buffer.from(JSON.stringify({ o: end, rv })).toString("base64url");
      metadata.remainingItemCount = all.length - end;
    }
    reply(200, JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata, items: all.slice(offset, end) }));
  }

  private watch(q: URLSearchParams, namespace: string | undefined, matches: Matcher, res: ServerResponse): void {
    const from = q.get("resourceVersion") ?? "";
    const fromRv = from === "" || from === "0" ? undefined : Number(from);
    if (fromRv !== undefined && !Number.isSafeInteger(fromRv)) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(status(400, "BadRequest", `invalid resourceVersion ${from}`));
      return;
    }
    const gone = fromRv !== undefined && fromRv < this.compactedBelow;
    if (gone && this.opts.goneAs === "http") {
      res.writeHead(410, { "content-type": "application/json" });
      res.end(this.goneStatus());
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-cache, private" });
    res.flushHeaders();
    if (gone) {
      res.end(`${JSON.stringify({ type: "ERROR", object: JSON.parse(this.goneStatus()) })}\n`);
      return;
    }
    const w: Watch = { res, namespace, matches, bookmarks: q.get("allowWatchBookmarks") === "true", timer: undefined };
    const timeout = Number(q.get("timeoutSeconds") ?? "0");
    if (timeout > 0) w.timer = setTimeout(() => this.closeWatch(w, false), timeout * 1000).unref();
    this.watches.add(w);
    res.on("close", () => {
      this.closeWatch(w, false);
      this.events.emit("watch-close");
    });
    if (fromRv === undefined) {
      // No version: the current state as synthetic ADDED events, then changes.
      for (const pod of this.pods.values()) this.deliver(w, { rv: this.rv, type: "ADDED", pod, prev: undefined });
    } else {
      for (const ev of this.history) if (ev.rv > fromRv) this.deliver(w, ev);
    }
    this.events.emit("watch-open");
  }
}
