/**
 * The query-frontend: the public entry of queries. It enforces the tenant's
 * max_query_lookback (clamping) and max_query_length (rejecting), splits long
 * flame-graph and series queries by split_queries_by_interval, runs the pieces
 * with at most max_query_parallelism at once, and merges their results.
 */
import type { Limits } from "../config/limits.js";
import { formatGoDuration, formatModelDuration } from "../config/duration.js";
import { InvalidArgumentError } from "../model/errors.js";
import { FunctionTree } from "../model/flamegraph/function-tree.js";
import { compareLabels, labelsKey } from "../model/labels.js";
import type { Labels } from "../model/labels.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import type { ProfileType } from "../model/profile-type.js";
import type { LabelQuery, SelectQuery } from "../model/query.js";
import type { QuerierApi, SeriesOptions, SeriesResult } from "../querier/api.js";
import { PprofBuilder } from "../storage/query/pprof-builder.js";
import { defaultPeriod } from "../querier/querier.js";

/** What the frontend needs. */
export interface FrontendDeps {
  querier: QuerierApi;
  limits: (tenant: string) => Limits;
  nowMs?: () => number;
}

/** The query-frontend, itself a QuerierApi. */
export class QueryFrontend implements QuerierApi {
  constructor(private readonly deps: FrontendDeps) {}

  profileTypes(tenant: string, q: LabelQuery): Promise<ProfileType[]> {
    return this.deps.querier.profileTypes(tenant, q);
  }

  labelNames(tenant: string, q: LabelQuery): Promise<string[]> {
    return this.deps.querier.labelNames(tenant, q);
  }

  labelValues(tenant: string, name: string, q: LabelQuery): Promise<string[]> {
    return this.deps.querier.labelValues(tenant, name, q);
  }

  series(tenant: string, q: LabelQuery, labelNames: readonly string[]): Promise<Labels[]> {
    return this.deps.querier.series(tenant, q, labelNames);
  }

  async selectMergeTree(tenant: string, q: SelectQuery): Promise<FunctionTree> {
    const r = this.validate(tenant, q);
    if (!r) return new FunctionTree();
    const parts = splitRange(r.startMs, r.endMs, this.deps.limits(tenant).split_queries_by_interval, 1);
    if (parts.length === 1) return this.deps.querier.selectMergeTree(tenant, r);
    const trees = await this.parallel(tenant, parts.map(([s, e]) => () => this.deps.querier.selectMergeTree(tenant, { ...r, startMs: s, endMs: e })));
    const out = new FunctionTree();
    for (const t of trees) out.merge(t);
    return out;
  }

  async selectMergeProfile(tenant: string, q: SelectQuery): Promise<FlatProfile> {
    const r = this.validate(tenant, q);
    if (!r) {
      return new PprofBuilder().build(q.profileType, BigInt(q.endMs) * 1_000_000n, BigInt(q.endMs - q.startMs) * 1_000_000n, defaultPeriod(q.profileType));
    }
    const p = await this.deps.querier.selectMergeProfile(tenant, r);
    // Time and duration describe the range asked for, not the clamped one.
    return { ...p, timeNanos: BigInt(q.endMs) * 1_000_000n, durationNanos: BigInt(q.endMs - q.startMs) * 1_000_000n };
  }

  async selectSeries(tenant: string, q: SelectQuery, opts: SeriesOptions): Promise<SeriesResult[]> {
    const r = this.validate(tenant, q);
    if (!r) return [];
    // Keep the point grid of the original query: a clamped start moves to the next step.
    const startMs = q.startMs + Math.ceil((r.startMs - q.startMs) / opts.stepMs) * opts.stepMs;
    if (startMs > r.endMs) return [];
    const parts = splitRange(startMs, r.endMs, this.deps.limits(tenant).split_queries_by_interval, opts.stepMs);
    if (parts.length === 1) return this.deps.querier.selectSeries(tenant, { ...r, startMs }, opts);
    const results = await this.parallel(
      tenant,
      parts.map(([s, e]) => () => this.deps.querier.selectSeries(tenant, { ...r, startMs: s, endMs: e }, { ...opts, limit: 0 })),
    );
    return concatSeries(results, opts.limit);
  }

  /** The query clamped to the lookback window, or undefined when nothing of it is visible. */
  private validate(tenant: string, q: SelectQuery): SelectQuery | undefined {
    if (q.startMs > q.endMs) throw new InvalidArgumentError("invalid_request", "start must be before end");
    const l = this.deps.limits(tenant);
    let startMs = q.startMs;
    if (l.max_query_lookback > 0) {
      const minStart = (this.deps.nowMs?.() ?? Date.now()) - l.max_query_lookback;
      if (q.endMs < minStart) return undefined;
      if (startMs < minStart) startMs = minStart;
    }
    const length = q.endMs - startMs;
    if (l.max_query_length > 0 && length > l.max_query_length) {
      throw new InvalidArgumentError(
        "query_limit",
        `the query time range exceeds the limit (query length: ${formatGoDuration(length)}, limit: ${formatModelDuration(l.max_query_length)})`,
      );
    }
    return { ...q, startMs };
  }

  private async parallel<T>(tenant: string, tasks: (() => Promise<T>)[]): Promise<T[]> {
    const limit = this.deps.limits(tenant).max_query_parallelism;
    if (limit <= 0 || limit >= tasks.length) return Promise.all(tasks.map((t) => t()));
    const out: T[] = new Array(tasks.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]!();
      }
    };
    await Promise.all(Array.from({ length: limit }, worker));
    return out;
  }
}

/**
 * Splits [startMs, endMs] at multiples of `intervalMs` into inclusive pieces whose
 * starts stay on the grid start + k·gridMs (so series points line up).
 */
export function splitRange(startMs: number, endMs: number, intervalMs: number, gridMs: number): [number, number][] {
  if (intervalMs <= 0 || endMs - startMs < intervalMs) return [[startMs, endMs]];
  const out: [number, number][] = [];
  let s = startMs;
  while (s <= endMs) {
    const boundary = (Math.floor(s / intervalMs) + 1) * intervalMs;
    // The next piece starts at the first grid point at or after the boundary.
    let next = startMs + Math.ceil((boundary - startMs) / gridMs) * gridMs;
    if (next <= s) next = s + gridMs;
    out.push([s, Math.min(endMs, next - 1)]);
    s = next;
  }
  return out;
}

/** Joins the series of consecutive time pieces, then applies the top-N limit. */
function concatSeries(pieces: SeriesResult[][], limit: number): SeriesResult[] {
  const byKey = new Map<string, SeriesResult>();
  for (const piece of pieces) {
    for (const s of piece) {
      const key = labelsKey(s.labels);
      const acc = byKey.get(key);
      if (!acc) byKey.set(key, { labels: s.labels, timestampsMs: [...s.timestampsMs], values: [...s.values] });
      else {
        acc.timestampsMs.push(...s.timestampsMs);
        acc.values.push(...s.values);
      }
    }
  }
  let out = [...byKey.values()];
  if (limit > 0 && out.length > limit) {
    const sum = (s: SeriesResult): number => s.values.reduce((a, b) => a + b, 0);
    out = out.sort((a, b) => sum(b) - sum(a)).slice(0, limit);
  }
  return out.sort((a, b) => compareLabels(a.labels, b.labels));
}
