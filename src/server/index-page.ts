/** The HTML index page at `/admin`: what runs here and links to every status page. */
import type { ModuleContext } from "../module-context.js";

/** Renders the index page. */
export function indexPage(ctx: ModuleContext): string {
  const links: [string, string][] = [
    ["/ready", "Readiness"],
    ["/metrics", "Metrics"],
    ["/api/v1/status/buildinfo", "Build information"],
    ["/api/v1/status/config", "Current config"],
    ["/api/v1/status/config/diff", "Config: changes from the defaults"],
    ["/api/v1/status/config/default", "Config: defaults"],
  ];
  if (ctx.config.runtime_config.file !== "") links.push(["/runtime_config", "Runtime config (per-tenant overrides)"]);
  if (ctx.running.has("agent")) links.push(["/api/v1/targets", "Agent: scrape targets"]);
  // Every process reads the ingester ring; the others are there when their component runs.
  if (ctx.running.has("ring")) links.push(["/ring", "Ingester ring"]);
  if (ctx.running.has("distributor")) links.push(["/distributor/ring", "Distributor ring"]);
  if (ctx.running.has("store-gateway")) links.push(["/store-gateway/ring", "Store-gateway ring"], ["/store-gateway/tenants", "Store-gateway: tenants and blocks"]);
  if (ctx.running.has("compactor")) links.push(["/compactor/ring", "Compactor ring"]);
  links.push(["/debug/pprof/heap", "This process's heap profile (pprof)"]);
  const modules = [...ctx.running].filter((m) => !["server", "overrides", "runtime-config", "ring"].includes(m)).sort();
  const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  // Absolute links: the page is served at both "<prefix>" and "<prefix>/", and a relative
  // link resolves differently from each.
  const prefix = ctx.config.server.http_path_prefix.replace(/\/+$/, "");
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Phlare</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:48rem}code{background:#eee;padding:0 .2rem}</style></head>
<body>
<h1>Phlare</h1>
<p>Version ${esc(ctx.version.version)} · modules: ${modules.map((m) => `<code>${esc(m)}</code>`).join(" ")}</p>
<h2>Status</h2>
<ul>
${links.map(([href, label]) => `<li><a href="${esc(prefix + href)}">${esc(label)}</a></li>`).join("\n")}
</ul>
<h2>APIs</h2>
<ul>
<li><code>POST /push.v1.PusherService/Push</code> — push pprof profiles (Connect, gRPC, gRPC-Web)</li>
<li><code>POST /querier.v1.QuerierService/*</code> — profile types, labels, series, flame graphs, pprof, time series, diff</li>
</ul>
</body>
</html>
`;
}
