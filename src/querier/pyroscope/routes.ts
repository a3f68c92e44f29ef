/**
 * The Pyroscope HTTP query routes, registered once per process over the public query
 * entry (the query-frontend when it runs, else the querier); each answers for the
 * tenant of its request.
 */
import type { PhlareServer } from "../../server/server.js";
import { handleLabelNames, handleLabelValues } from "./labels.js";
import { handleRender, handleRenderDiff } from "./render.js";
import type { RenderDeps } from "./render.js";

/** Paths of the routes, as served (below `-server.path-prefix`). */
export const PYROSCOPE_ROUTES = {
  render: "/pyroscope/render",
  renderDiff: "/pyroscope/render-diff",
  labelValues: "/pyroscope/label-values",
  labels: "/pyroscope/labels",
} as const;

/** Registers /pyroscope/render, /render-diff, /label-values and /labels on `server`. */
export function registerPyroscopeRoutes(server: Pick<PhlareServer, "route">, deps: RenderDeps): void {
  server.route(["GET"], PYROSCOPE_ROUTES.render, (req) => handleRender(req, deps));
  server.route(["GET"], PYROSCOPE_ROUTES.renderDiff, (req) => handleRenderDiff(req, deps));
  server.route(["GET"], PYROSCOPE_ROUTES.labelValues, (req) => handleLabelValues(req, deps));
  server.route(["GET"], PYROSCOPE_ROUTES.labels, (req) => handleLabelNames(req, deps));
}
