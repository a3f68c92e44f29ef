/**
 * GET /pyroscope/render and /pyroscope/render-diff over a QuerierApi: the flame graph
 * (flamebearer JSON, folded text or a DOT call graph) of a selection, with its
 * timeline, and the diff flame graph of two selections.
 */
import type { Limits } from "../../config/limits.js";
import { InvalidArgumentError } from "../../model/errors.js";
import { buildFlameGraph, buildFlameGraphDiff } from "../../model/flamegraph/index.js";
import type { Labels } from "../../model/labels.js";
import type { ProfileType } from "../../model/profile-type.js";
import type { SelectQuery } from "../../model/query.js";
import type { HttpRequest, HttpResponse } from "../../server/router.js";
import { json, text } from "../../server/server.js";
import type { QuerierApi, SeriesOptions, SeriesResult } from "../api.js";
import { DIFF_MAX_NODES_DEFAULT } from "../api.js";
import { collapsedText } from "./collapsed.js";
import { renderDot } from "./dot.js";
import { diffFlamebearer, singleFlamebearer } from "./flamebearer.js";
import { parseAggregation, parseFormat, parseMaxNodes, parseRange, parseRenderQuery } from "./params.js";
import { calcPointIntervalSec } from "./point-interval.js";
import { buildTimeline } from "./timeline.js";
import type { FlamebearerTimeline } from "./timeline.js";

/** What the render routes read. */
export interface RenderDeps {
  api: QuerierApi;
  limits: (tenant: string) => Limits;
  /** The clock `now` in from/until means; Date.now when absent. */
  nowMs?: () => number;
}

/** The group key of series without the groupBy label, as Pyroscope writes it. */
export const NO_GROUP_KEY = "*";

/** GET /pyroscope/render. */
export async function handleRender(req: HttpRequest, deps: RenderDeps): Promise<HttpResponse> {
  const tenant = req.tenant();
  const p = req.url.searchParams;
  const { profileType, matchers } = parseRenderQuery(p, "query");
  const { startMs, endMs } = parseRange(p, (deps.nowMs ?? Date.now)());
  const format = parseFormat(p);
  const aggregation = parseAggregation(p);
  const requestedNodes = checkMaxNodes(parseMaxNodes(p), deps.limits(tenant));
  const q: SelectQuery = { profileType, matchers, startMs, endMs };

  if (format === "dot") return text(200, renderDot(await deps.api.selectMergeTree(tenant, q), profileType, requestedNodes));
  if (format === "collapsed") return text(200, collapsedText(await deps.api.selectMergeTree(tenant, q)));

  const groupBy = [...new Set(p.getAll("groupBy").filter((g) => g !== ""))];
  const stepSec = calcPointIntervalSec(startMs, endMs);
  const opts: SeriesOptions = { stepMs: stepSec * 1000, groupBy: [], aggregation, limit: 0 };
  // The whole selection's timeline is its own query: with several groups Pyroscope
  // leaves it empty, and an average cannot be rebuilt from per-group averages.
  const [tree, totals, grouped] = await Promise.all([
    deps.api.selectMergeTree(tenant, q),
    deps.api.selectSeries(tenant, q, opts),
    groupBy.length > 0 ? deps.api.selectSeries(tenant, q, { ...opts, groupBy }) : Promise.resolve(undefined),
  ]);
  const maxNodes = requestedNodes > 0 ? requestedNodes : deps.limits(tenant).max_flamegraph_nodes_default;
  const timeline = buildTimeline(totals.length === 1 ? totals[0] : undefined, startMs, endMs, stepSec);
  const groups = grouped ? groupTimelines(grouped, groupBy, startMs, endMs, stepSec) : null;
  return json(200, singleFlamebearer(buildFlameGraph(tree, maxNodes), profileType, timeline, groups));
}

/** GET /pyroscope/render-diff. */
export async function handleRenderDiff(req: HttpRequest, deps: RenderDeps): Promise<HttpResponse> {
  const tenant = req.tenant();
  const p = req.url.searchParams;
  const nowMs = (deps.nowMs ?? Date.now)();
  const left = parseRenderQuery(p, "leftQuery");
  const right = parseRenderQuery(p, "rightQuery");
  if (!sameProfileType(left.profileType, right.profileType)) {
    throw new InvalidArgumentError(
      "invalid_query",
      `profile types must match: 'leftQuery' selects ${left.profileType.id}, 'rightQuery' selects ${right.profileType.id}`,
    );
  }
  const leftRange = parseRange(p, nowMs, "leftFrom", "leftUntil");
  const rightRange = parseRange(p, nowMs, "rightFrom", "rightUntil");
  const requestedNodes = checkMaxNodes(parseMaxNodes(p), deps.limits(tenant));
  const [l, r] = await Promise.all([
    deps.api.selectMergeTree(tenant, { ...left, ...leftRange }),
    deps.api.selectMergeTree(tenant, { ...right, ...rightRange }),
  ]);
  const diff = buildFlameGraphDiff(l, r, requestedNodes > 0 ? requestedNodes : DIFF_MAX_NODES_DEFAULT);
  return json(200, diffFlamebearer(diff, left.profileType));
}

/** `n`, unless it is beyond the tenant's max_flamegraph_nodes_max (0 = no bound). */
function checkMaxNodes(n: number, limits: Limits): number {
  if (limits.max_flamegraph_nodes_max > 0 && n > limits.max_flamegraph_nodes_max) {
    throw new InvalidArgumentError("invalid_query", `max-nodes (${n}) exceeds the limit (${limits.max_flamegraph_nodes_max})`);
  }
  return n;
}

/** Equal in the five parts of the ID; a trailing `:delta` does not make another type. */
function sameProfileType(a: ProfileType, b: ProfileType): boolean {
  return a.name === b.name && a.sampleType === b.sampleType && a.sampleUnit === b.sampleUnit && a.periodType === b.periodType && a.periodUnit === b.periodUnit;
}

/**
 * One timeline per group. With one groupBy label the key is its value (`*` for series
 * without it), as Pyroscope keys groups; with several, the key lists each as
 * `name=value` joined by commas.
 */
function groupTimelines(series: SeriesResult[], groupBy: string[], startMs: number, endMs: number, stepSec: number): Record<string, FlamebearerTimeline> {
  const out: Record<string, FlamebearerTimeline> = {};
  for (const s of series) out[groupKey(s.labels, groupBy)] = buildTimeline(s, startMs, endMs, stepSec);
  return out;
}

function groupKey(labels: Labels, groupBy: string[]): string {
  const value = (name: string): string => labels.find((l) => l.name === name)?.value ?? NO_GROUP_KEY;
  if (groupBy.length === 1) return value(groupBy[0]!);
  return groupBy.map((name) => `${name}=${value(name)}`).join(",");
}
