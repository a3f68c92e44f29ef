/**
 * Query-string parameters of the Pyroscope HTTP routes, read into domain values. Every
 * malformed value is an InvalidArgumentError naming the parameter (HTTP 400), where
 * Phlare ignored some (max-nodes) and answered 500 for others.
 */
import { parseAttime } from "../../model/attime.js";
import { InvalidArgumentError } from "../../model/errors.js";
import { LabelName } from "../../model/labels.js";
import { parseProfileType } from "../../model/profile-type.js";
import type { ProfileType } from "../../model/profile-type.js";
import type { LabelQuery } from "../../model/query.js";
import { createMatcher, METRIC_NAME_LABEL, parseSelector } from "../../model/selector.js";
import type { Matcher } from "../../model/selector.js";
import type { Aggregation } from "../api.js";

/** A render query `<profileTypeID>{<matchers>}` split into its two parts. */
export interface RenderQuery {
  profileType: ProfileType;
  matchers: Matcher[];
}

/** Output formats of /pyroscope/render. */
export type RenderFormat = "json" | "collapsed" | "dot";

/** Reads the selector in parameter `param`; its metric name must be a profile type ID. */
export function parseRenderQuery(params: URLSearchParams, param: string): RenderQuery {
  const q = params.get(param) ?? "";
  if (q.trim() === "") throw new InvalidArgumentError("invalid_query", `'${param}' is required`);
  let matchers: Matcher[];
  try {
    matchers = parseSelector(q);
  } catch (err) {
    throw new InvalidArgumentError("invalid_query", `failed to parse '${param}': ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const name = matchers.find((m) => m.name === METRIC_NAME_LABEL);
  if (!name || name.type !== "=") {
    throw new InvalidArgumentError(
      "invalid_query",
      `'${param}' must select a profile type by name, as in process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="app"}`,
    );
  }
  let profileType: ProfileType;
  try {
    profileType = parseProfileType(name.value);
  } catch (err) {
    throw new InvalidArgumentError("invalid_query", `'${param}': ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return { profileType, matchers: matchers.filter((m) => m !== name) };
}

/**
 * Reads the range [from, until] (attime syntax; missing means now). An empty or
 * backwards range is refused, as current Pyroscope refuses it.
 */
export function parseRange(params: URLSearchParams, nowMs: number, fromParam = "from", untilParam = "until"): { startMs: number; endMs: number } {
  const startMs = parseAttime(params.get(fromParam), nowMs, `'${fromParam}'`);
  const endMs = parseAttime(params.get(untilParam), nowMs, `'${untilParam}'`);
  if (endMs <= startMs) {
    throw new InvalidArgumentError(
      "invalid_request",
      `invalid time range: '${untilParam}' (${iso(endMs)}) must be after '${fromParam}' (${iso(startMs)})`,
    );
  }
  return { startMs, endMs };
}

/** `max-nodes` or `maxNodes` (the latter wins when both are set); 0 when absent. */
export function parseMaxNodes(params: URLSearchParams): number {
  let n = 0;
  for (const key of ["max-nodes", "maxNodes"]) {
    const v = params.get(key);
    if (v === null || v.trim() === "") continue;
    if (!/^\+?\d+$/.test(v.trim())) throw new InvalidArgumentError("invalid_request", `'${key}' must be a non-negative integer, got ${JSON.stringify(v)}`);
    const parsed = Number(v.trim());
    if (!Number.isSafeInteger(parsed)) throw new InvalidArgumentError("invalid_request", `'${key}' ${v} is out of range`);
    if (parsed !== 0) n = parsed;
  }
  return n;
}

/** `aggregation`: `sum` (the default) or `avg`. */
export function parseAggregation(params: URLSearchParams): Aggregation {
  const v = params.get("aggregation");
  if (v === null || v === "" || v === "sum") return "sum";
  if (v === "avg") return "average";
  throw new InvalidArgumentError("invalid_request", `'aggregation' must be sum or avg, got ${JSON.stringify(v)}`);
}

/** `format`: json (the default), collapsed or dot. */
export function parseFormat(params: URLSearchParams): RenderFormat {
  const v = params.get("format");
  if (v === null || v === "" || v === "json") return "json";
  if (v === "collapsed" || v === "dot") return v;
  throw new InvalidArgumentError("invalid_request", `'format' must be json, collapsed or dot, got ${JSON.stringify(v)}`);
}

/**
 * The filter of the label routes: the selectors in `query` and every `match[]` (a series
 * matching any of them counts) and an optional `from`/`until` range. A metric name that
 * is a profile type ID selects by `__profile_type__`, so a render query works here too.
 */
export function parseLabelQuery(params: URLSearchParams, nowMs: number): LabelQuery {
  const selectors: Matcher[][] = [];
  for (const [key, values] of [["query", params.getAll("query")], ["match[]", params.getAll("match[]")]] as const) {
    for (const v of values) {
      if (v.trim() === "") continue;
      try {
        selectors.push(parseSelector(v).map(profileTypeByName));
      } catch (err) {
        throw new InvalidArgumentError("invalid_query", `failed to parse '${key}': ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    }
  }
  const q: LabelQuery = { selectors };
  const from = params.get("from");
  const until = params.get("until");
  if (from !== null && from.trim() !== "") q.startMs = parseAttime(from, nowMs, "'from'");
  if (until !== null && until.trim() !== "") q.endMs = parseAttime(until, nowMs, "'until'");
  if (q.startMs !== undefined && q.endMs !== undefined && q.endMs < q.startMs) {
    throw new InvalidArgumentError("invalid_request", `invalid time range: 'until' (${iso(q.endMs)}) is before 'from' (${iso(q.startMs)})`);
  }
  return q;
}

function profileTypeByName(m: Matcher): Matcher {
  if (m.name !== METRIC_NAME_LABEL || m.type !== "=" || !m.value.includes(":")) return m;
  return createMatcher("=", LabelName.ProfileType, m.value);
}

function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}
