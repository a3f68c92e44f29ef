/** The agent module: scrapes the pprof endpoints of `scrape_configs` targets and pushes what it gets. */
import { RemoteDistributor } from "../distributor/remote.js";
import { need } from "../module-context.js";
import type { ModuleContext } from "../module-context.js";
import { Agent } from "./agent.js";
import { parseScrapeConfigs } from "./config.js";
import { registerAgentService } from "./service.js";

/** The URL the agent pushes to when no distributor runs in the process and `client.url` is empty. */
export function defaultClientUrl(ctx: ModuleContext): string {
  const s = ctx.config.server;
  const host = s.http_listen_address === "" ? "0.0.0.0" : s.http_listen_address;
  return `http://${host.includes(":") ? `[${host}]` : host}:${s.http_listen_port}${s.http_path_prefix}`;
}

/** Starts scraping (idle without scrape configs) and serves the targets API. */
export async function initAgent(ctx: ModuleContext): Promise<void> {
  const server = need(ctx, "server", "agent");
  const configs = parseScrapeConfigs(ctx.config.scrape_configs);
  const client = ctx.config.client;
  // With a distributor in this process the agent pushes to it directly, as Phlare's single binary does.
  const distributor = ctx.distributor ?? new RemoteDistributor(client.url === "" ? defaultClientUrl(ctx) : client.url, client.timeout);
  const logger = ctx.logger.with({ component: "agent" });
  const agent = new Agent(configs, { distributor, tenant: client.tenant_id, userAgent: `phlare/${ctx.version.version}`, logger });
  registerAgentService(server, agent);
  if (configs.length === 0) {
    logger.debug("no scrape_configs: the agent is idle");
  } else {
    logger.info("agent started", { jobs: configs.map((c) => c.jobName).join(",") });
  }
  ctx.agent = agent;
  agent.start();
  ctx.stops.push({ name: "agent", stop: () => agent.stop() });
}
