/** The querier module: querier.v1 over the in-process ingesters (unless a frontend fronts it). */
import { need } from "../module-context.js";
import type { ModuleContext } from "../module-context.js";
import { registerPyroscopeRoutes } from "./pyroscope/routes.js";
import { Querier } from "./querier.js";
import { registerQuerierService } from "./service.js";

/** Creates the querier; serves querier.v1 and the /pyroscope query routes itself only when no query-frontend runs. */
export async function initQuerier(ctx: ModuleContext): Promise<void> {
  const server = need(ctx, "server", "querier");
  const ingester = ctx.ingester;
  if (!ingester) {
    throw new Error("the querier needs an ingester in the same process: run it with -target=querier,ingester (or -target=all)");
  }
  const querier = new Querier({
    ingesters: () => [ingester],
    storeGateways: () => (ctx.storeGateway ? [ctx.storeGateway] : []),
  });
  ctx.querier = querier;
  if (!ctx.running.has("query-frontend")) {
    const limits = need(ctx, "limits", "querier");
    server.rpc((r) => registerQuerierService(r, querier, limits));
    registerPyroscopeRoutes(server, { api: querier, limits });
  }
}
