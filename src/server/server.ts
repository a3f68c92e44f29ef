/**
 * The HTTP front door: RPCs (Connect, gRPC, gRPC-Web through connect-node) and
 * plain routes on one port, with the tenant, error and metrics handling they share.
 */
import { Code, ConnectError, createContextKey } from "@connectrpc/connect";
import type { ConnectRouter, HandlerContext, Interceptor } from "@connectrpc/connect";
import { compressionGzip } from "@connectrpc/connect-node";
import { listenHttp } from "./http-server.js";
import type { HttpServer, HttpServerOptions, NodeRequest, NodeResponse } from "./http-server.js";
import { httpStatusOf, toConnectError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { ServerMetrics } from "./metrics.js";
import { readBody, Router, writeResponse } from "./router.js";
import { rpcAdapter } from "./rpc-adapter.js";
import type { HttpRequest, HttpResponse, RouteHandler } from "./router.js";
import { resolveTenant, TENANT_HEADER } from "./tenant.js";

/** Context key under which RPC handlers find the request's tenant. */
export const tenantKey = createContextKey<string>("", { description: "tenant" });

/** Options of the front door. */
export interface ServerOptions extends HttpServerOptions {
  host: string;
  port: number;
  /** Prefix of every route (`-server.path-prefix`), "" for none. */
  pathPrefix: string;
  multitenancy: boolean;
  /** Largest accepted RPC message, bytes. */
  rpcMaxBytes: number;
  gracefulShutdownMs: number;
}

/** RPC services that are served without a tenant. */
// The scheduler's messages carry their tenant: a querier worker's stream serves every tenant.
const TENANTLESS_SERVICES = new Set(["agent.v1.AgentService", "grpc.health.v1.Health", "scheduler.v1.SchedulerService"]);

/** The server every module registers its routes with. */
export class PhlareServer {
  readonly router = new Router();
  private readonly rpcRegistrations: ((r: ConnectRouter) => void)[] = [];
  private http: HttpServer | undefined;

  constructor(
    readonly options: ServerOptions,
    readonly metrics: ServerMetrics,
    private readonly logger: Logger,
  ) {}

  /** Registers RPC services; must be called before start(). */
  rpc(register: (r: ConnectRouter) => void): void {
    this.rpcRegistrations.push(register);
  }

  /** Registers a plain route. */
  route(methods: readonly string[], path: string, handler: RouteHandler, opts?: { prefix?: boolean }): void {
    this.router.add(methods, path, handler, opts);
  }

  /** Listens; returns the bound port. */
  async start(): Promise<number> {
    const errorsInterceptor: Interceptor = (next) => async (req) => {
      try {
        if (!TENANTLESS_SERVICES.has(req.service.typeName)) {
          req.contextValues.set(tenantKey, resolveTenant(req.header.get(TENANT_HEADER), this.options.multitenancy));
        }
        return await next(req);
      } catch (err) {
        const ce = toConnectError(err);
        if (ce.code === Code.Internal || ce.code === Code.Unknown) {
          this.logger.error("rpc failed", { method: req.method.name, err: err instanceof Error ? err.stack : String(err) });
        }
        throw ce;
      }
    };
    const rpcHandler = rpcAdapter({
      routes: (r) => {
        for (const reg of this.rpcRegistrations) reg(r);
      },
      acceptCompression: [compressionGzip],
      readMaxBytes: this.options.rpcMaxBytes,
      jsonOptions: { ignoreUnknownFields: true },
      interceptors: [errorsInterceptor],
      fallback: (req, res) => void this.servePlain(req, res),
      onError: (err) => this.logger.error("rpc response failed", { err: err instanceof Error ? err.message : String(err) }),
    });
    const prefix = this.options.pathPrefix.replace(/\/+$/, "");
    this.http = await listenHttp(
      this.options.host,
      this.options.port,
      (req, res) => {
        const started = process.hrtime.bigint();
        const path = (req.url ?? "/").split("?")[0]!;
        res.on("finish", () => {
          const route = routeLabel(path, prefix);
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          this.metrics.requestDuration.observe({ method: req.method ?? "", route, status_code: String(res.statusCode), ws: "false" }, seconds);
        });
        if (prefix !== "") {
          if (path !== prefix && !path.startsWith(`${prefix}/`)) {
            writeResponse(req, res, { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "404 page not found\n" });
            return;
          }
          req.url = req.url!.slice(prefix.length) || "/";
        }
        rpcHandler(req, res);
      },
      this.options,
    );
    return this.http.port;
  }

  /** Stops listening, letting in-flight requests finish for the graceful-shutdown period. */
  async stop(): Promise<void> {
    await this.http?.close(this.options.gracefulShutdownMs);
    this.http = undefined;
  }

  private async servePlain(req: NodeRequest, res: NodeResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = req.method ?? "GET";
    const m = this.router.match(method === "HEAD" ? "GET" : method, url.pathname);
    let r: HttpResponse;
    if (m === undefined) {
      r = text(404, "404 page not found\n");
    } else if ("methodNotAllowed" in m) {
      r = text(405, `method ${method} not allowed\n`);
    } else {
      const request: HttpRequest = {
        method,
        url,
        params: m.params,
        header: (name) => {
          const v = req.headers[name.toLowerCase()];
          return Array.isArray(v) ? v.join(", ") : v;
        },
        body: (maxBytes) => readBody(req, maxBytes),
        tenant: () => resolveTenant(request.header(TENANT_HEADER), this.options.multitenancy),
      };
      try {
        r = await m.handler(request);
      } catch (err) {
        const status = httpStatusOf(err);
        if (status >= 500) this.logger.error("request failed", { path: url.pathname, err: err instanceof Error ? err.stack : String(err) });
        r = text(status, `${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
    if (res.headersSent) return;
    if (method === "HEAD") r = { ...r, body: "" };
    writeResponse(req, res, r);
  }
}

/** A plain-text response. */
export function text(status: number, body: string): HttpResponse {
  return { status, headers: { "content-type": "text/plain; charset=utf-8" }, body };
}

/** A JSON response. */
export function json(status: number, value: unknown): HttpResponse {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(value) };
}

/** The tenant of an RPC, set by the server's interceptor. */
export function rpcTenant(ctx: HandlerContext): string {
  const t = ctx.values.get(tenantKey);
  if (t === "") throw new ConnectError("no tenant resolved for this request", Code.Internal);
  return t;
}

/** Bounded-cardinality route label for the request histogram. */
function routeLabel(path: string, prefix: string): string {
  const p = prefix !== "" && path.startsWith(prefix) ? path.slice(prefix.length) : path;
  if (/^\/[a-z0-9_.]+\.[A-Za-z0-9]+\/[A-Za-z0-9]+$/.test(p)) return p;
  const known = ["/ingest", "/pyroscope/ingest", "/pyroscope/render", "/pyroscope/render-diff", "/pyroscope/label-values", "/pyroscope/labels", "/ready", "/metrics", "/api/v1/status/buildinfo", "/api/v1/status/config", "/api/v1/tenant_limits", "/runtime_config", "/api/v1/targets", "/debug/pprof/profile", "/debug/pprof/heap", "/debug/pprof/allocs"];
  if (known.includes(p)) return p;
  if (p.startsWith("/ui")) return "/ui";
  if (p.startsWith("/api/v1/status/config")) return "/api/v1/status/config";
  return "other";
}

