/**
 * The server, runtime-config and overrides modules, and the routes every
 * process serves: /ready, /metrics, build info, config dumps and the index page.
 */
import { RuntimeConfigWatcher } from "../config/runtime-config.js";
import { configDiffYaml, configYaml, defaultsYaml, overridesYaml } from "../config/dump.js";
import { need } from "../module-context.js";
import type { ModuleContext } from "../module-context.js";
import { debugPprofRoutes } from "./debug-pprof.js";
import { indexPage } from "./index-page.js";
import { registerUi } from "./ui.js";
import { createServerMetrics } from "./metrics.js";
import { json, PhlareServer, text } from "./server.js";

/** Largest accepted RPC message: the push body limit of Pyroscope (256 MiB). */
const RPC_MAX_BYTES = 256 * 1024 * 1024;

/** Creates the HTTP server and registers the process-wide routes. */
export async function initServer(ctx: ModuleContext): Promise<void> {
  const c = ctx.config.server;
  const metrics = createServerMetrics(c.register_instrumentation);
  const server = new PhlareServer(
    {
      host: c.http_listen_address,
      port: c.http_listen_port,
      pathPrefix: c.http_path_prefix,
      multitenancy: ctx.config.multitenancy_enabled,
      rpcMaxBytes: RPC_MAX_BYTES,
      readTimeoutMs: c.http_server_read_timeout,
      writeTimeoutMs: c.http_server_write_timeout,
      idleTimeoutMs: c.http_server_idle_timeout,
      gracefulShutdownMs: c.graceful_shutdown_timeout,
    },
    metrics,
    ctx.logger.with({ component: "server" }),
  );
  ctx.server = server;

  server.route(["GET"], "/ready", async () => {
    if (!ctx.ready) return text(503, "Some services are not Running:\nStarting: [phlare]\n");
    try {
      for (const check of ctx.readyChecks) await check();
    } catch (err) {
      return text(503, `${err instanceof Error ? err.message : String(err)}\n`);
    }
    return text(200, "ready\n");
  });
  if (c.register_instrumentation) {
    server.route(["GET"], "/metrics", async () => ({
      status: 200,
      headers: { "content-type": metrics.registry.contentType },
      body: await metrics.registry.metrics(),
    }));
  }
  for (const [path, handler] of debugPprofRoutes(c.http_server_write_timeout)) server.route(["GET"], path, handler);
  server.route(["GET"], "/api/v1/status/buildinfo", async () =>
    json(200, {
      status: "success",
      data: {
        version: ctx.version.version,
        revision: ctx.version.revision,
        branch: ctx.version.branch,
        buildUser: ctx.version.buildUser,
        buildDate: ctx.version.buildDate,
        goVersion: ctx.version.runtimeVersion,
      },
    }),
  );
  const yaml = (body: string): { status: number; headers: Record<string, string>; body: string } => ({
    status: 200,
    headers: { "content-type": "text/plain; charset=utf-8" },
    body,
  });
  server.route(["GET"], "/api/v1/status/config", async () => yaml(configYaml(ctx.config)));
  server.route(["GET"], "/api/v1/status/config/diff", async () => yaml(configDiffYaml(ctx.config)));
  server.route(["GET"], "/api/v1/status/config/default", async () => yaml(defaultsYaml()));
  // The status pages' index lives at /admin, as in Pyroscope; / belongs to the web UI.
  server.route(["GET"], "/admin", async () => ({
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8" },
    body: indexPage(ctx),
  }));
  registerUi(server, c.http_path_prefix);
}

/** Loads the runtime-config file (when set) and serves it. */
export async function initRuntimeConfig(ctx: ModuleContext): Promise<void> {
  const server = need(ctx, "server", "runtime-config");
  const logger = ctx.logger.with({ component: "runtime-config" });
  const watcher = new RuntimeConfigWatcher({
    file: ctx.config.runtime_config.file,
    periodMs: ctx.config.runtime_config.period,
    defaults: ctx.config.limits,
    onError: (err) => logger.error("reloading runtime config failed; keeping the previous overrides", { err: err.message }),
  });
  await watcher.start();
  watcher.onChange(() => logger.info("runtime config reloaded"));
  ctx.runtimeConfig = watcher;
  ctx.stops.push({ name: "runtime-config", stop: async () => watcher.stop() });
  if (ctx.config.runtime_config.file === "") return;
  server.route(["GET"], "/runtime_config", async (req) => ({
    status: 200,
    headers: { "content-type": "text/plain; charset=utf-8" },
    body: overridesYaml(watcher.overrides(), watcher.defaultLimits(), req.url.searchParams.get("mode") === "diff" ? "diff" : "all"),
  }));
  server.route(["GET"], "/api/v1/tenant_limits", async (req) => {
    const l = watcher.limitsFor(req.tenant());
    return json(200, {
      ingestion_rate: l.ingestion_rate_mb,
      ingestion_burst_size: Math.trunc(l.ingestion_burst_size_mb),
      max_global_series_per_user: l.max_global_series_per_tenant,
    });
  });
}

/** Makes every tenant's limits available to the components. */
export async function initOverrides(ctx: ModuleContext): Promise<void> {
  const watcher = need(ctx, "runtimeConfig", "overrides");
  ctx.limits = (tenant) => watcher.limitsFor(tenant);
}
