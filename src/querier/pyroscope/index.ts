/**
 * The Pyroscope-compatible HTTP query API (/pyroscope/render, /render-diff,
 * /label-values, /labels) and the encodings it answers with.
 */
export { registerPyroscopeRoutes, PYROSCOPE_ROUTES } from "./routes.js";
export { handleRender, handleRenderDiff, NO_GROUP_KEY } from "./render.js";
export type { RenderDeps } from "./render.js";
export { handleLabelNames, handleLabelValues } from "./labels.js";
export type { LabelDeps } from "./labels.js";
export { singleFlamebearer, diffFlamebearer, flamebearerMetadata, CPU_SAMPLE_RATE, DEFAULT_SAMPLE_RATE } from "./flamebearer.js";
export type { FlamebearerData, FlamebearerMetadata, FlamebearerProfile } from "./flamebearer.js";
export { buildTimeline } from "./timeline.js";
export type { FlamebearerTimeline } from "./timeline.js";
export { calcPointIntervalSec, roundIntervalMs, TIMELINE_RESOLUTION, MIN_POINT_INTERVAL_SEC } from "./point-interval.js";
export { collapsedText, intString } from "./collapsed.js";
export { renderDot, composeDot, DOT_MAX_NODES_DEFAULT } from "./dot.js";
export { buildCallGraph, defaultCallGraphOptions } from "./call-graph.js";
export type { CallGraph, CallGraphEdge, CallGraphNode, CallGraphOptions } from "./call-graph.js";
export { valueFormatter, percentage, heatColor, dotEscape } from "./dot-format.js";
export { parseRenderQuery, parseRange, parseMaxNodes, parseAggregation, parseFormat, parseLabelQuery } from "./params.js";
export type { RenderQuery, RenderFormat } from "./params.js";
