/** The query-frontend module: the public querier.v1 entry in front of the querier. */
import { need } from "../module-context.js";
import type { ModuleContext } from "../module-context.js";
import { registerPyroscopeRoutes } from "../querier/pyroscope/routes.js";
import { registerQuerierService } from "../querier/service.js";
import { schedulerQuerierFor } from "../query-scheduler/module.js";
import { QueryFrontend } from "./frontend.js";

/** Creates the frontend and registers querier.v1.QuerierService and the /pyroscope query routes over it. */
export async function initQueryFrontend(ctx: ModuleContext): Promise<void> {
  const server = need(ctx, "server", "query-frontend");
  // Through the query-schedulers when they are configured, else the querier of this process.
  const querier = (await schedulerQuerierFor(ctx)) ?? ctx.querier;
  if (!querier) {
    throw new Error(
      "the query-frontend needs a querier: set -query-frontend.scheduler-address, or run it with -target=query-frontend,querier,ingester (or -target=all)",
    );
  }
  const limits = need(ctx, "limits", "query-frontend");
  const frontend = new QueryFrontend({ querier, limits });
  ctx.frontend = frontend;
  server.rpc((r) => registerQuerierService(r, frontend, limits));
  registerPyroscopeRoutes(server, { api: frontend, limits });
}
