/**
 * The querier: asks the ingesters for recent data and the store-gateways for data
 * older than query_store_after, deduplicates and merges their answers.
 */
import { FunctionTree } from "../model/flamegraph/function-tree.js";
import { compareLabels, compareStrings, labelsKey } from "../model/labels.js";
import type { Labels } from "../model/labels.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import type { ProfileType } from "../model/profile-type.js";
import type { LabelQuery, SelectQuery } from "../model/query.js";
import type { IngesterApi } from "../ingester/api.js";
import { splitQueryToStores } from "./store-split.js";
import { PprofBuilder } from "../storage/query/pprof-builder.js";
import type { QuerierApi, SeriesOptions, SeriesResult } from "./api.js";
import { rangeSeries } from "./range-series.js";
import { mergeTotals } from "../storage/query/totals.js";

/** The query methods ingesters and store-gateways share. */
export type QueryBackend = Omit<IngesterApi, "push" | "flush">;

/** Where the querier finds data. */
export interface QuerierDeps {
  ingesters: () => QueryBackend[];
  /** Store-gateways; none means every query goes to the ingesters. */
  storeGateways: () => QueryBackend[];
  /** Data older than now − this is read from the store-gateways (ms). */
  queryStoreAfterMs: number;
  nowMs?: () => number;
}

/** The in-process querier. */
export class Querier implements QuerierApi {
  constructor(private readonly deps: QuerierDeps) {}

  async profileTypes(tenant: string, q: LabelQuery): Promise<ProfileType[]> {
    const byId = new Map<string, ProfileType>();
    for (const list of await this.all(q, (b, q2) => b.profileTypes(tenant, q2))) for (const t of list) if (!byId.has(t.id)) byId.set(t.id, t);
    return [...byId.values()].sort((a, b) => compareStrings(a.id, b.id));
  }

  async labelNames(tenant: string, q: LabelQuery): Promise<string[]> {
    return uniqueSorted(await this.all(q, (b, q2) => b.labelNames(tenant, q2)));
  }

  async labelValues(tenant: string, name: string, q: LabelQuery): Promise<string[]> {
    return uniqueSorted(await this.all(q, (b, q2) => b.labelValues(tenant, name, q2)));
  }

  async series(tenant: string, q: LabelQuery, labelNames: readonly string[]): Promise<Labels[]> {
    const seen = new Set<string>();
    const out: Labels[] = [];
    for (const list of await this.all(q, (b, q2) => b.series(tenant, q2, labelNames))) {
      for (const ls of list) {
        const key = labelsKey(ls);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(ls);
      }
    }
    return out.sort(compareLabels);
  }

  async selectMergeTree(tenant: string, q: SelectQuery): Promise<FunctionTree> {
    const trees = await this.split(q, (b, q2) => b.mergeTree(tenant, q2));
    if (trees.length === 1) return trees[0]!;
    const out = new FunctionTree();
    for (const t of trees) out.merge(t);
    return out;
  }

  async selectMergeProfile(tenant: string, q: SelectQuery): Promise<FlatProfile> {
    const parts = await this.split(q, (b, q2) => b.mergePprof(tenant, q2));
    const timeNanos = BigInt(q.endMs) * 1_000_000n;
    const durationNanos = BigInt(q.endMs - q.startMs) * 1_000_000n;
    const period = defaultPeriod(q.profileType);
    if (parts.length === 1) return { ...parts[0]!, timeNanos, durationNanos, period };
    const builder = new PprofBuilder();
    for (const p of parts) builder.addProfile(p);
    return builder.build(q.profileType, timeNanos, durationNanos, period);
  }

  async selectSeries(tenant: string, q: SelectQuery, opts: SeriesOptions): Promise<SeriesResult[]> {
    // Profiles are fetched from start − step: the first point sums (start − step, start].
    const fetch: SelectQuery = { ...q, startMs: q.startMs - opts.stepMs };
    const by = [...opts.groupBy].sort(compareStrings);
    const parts = await this.split(fetch, (b, q2) => b.profileTotals(tenant, q2, by));
    return rangeSeries(mergeTotals(parts), q.startMs, q.endMs, opts);
  }

  /**
   * Label queries: the ingesters always; the store-gateways too when the query has a
   * range reaching below the cutoff (Pyroscope's rule: no range, ingesters only).
   */
  private async all<T>(q: LabelQuery, f: (b: QueryBackend, q: LabelQuery) => Promise<T>): Promise<T[]> {
    const calls = this.deps.ingesters().map((i) => f(i, q));
    const stores = this.deps.storeGateways();
    if (stores.length > 0 && q.startMs !== undefined && q.endMs !== undefined) {
      const split = splitQueryToStores(q.startMs, q.endMs, this.now(), this.deps.queryStoreAfterMs);
      if (split.store) for (const s of stores) calls.push(f(s, { ...q, ...split.store }));
    }
    return Promise.all(calls);
  }

  /** Select queries: each side asked for its part of the range only. */
  private async split<T>(q: SelectQuery, f: (b: QueryBackend, q: SelectQuery) => Promise<T>): Promise<T[]> {
    const stores = this.deps.storeGateways();
    if (stores.length === 0) return Promise.all(this.deps.ingesters().map((i) => f(i, q)));
    const split = splitQueryToStores(q.startMs, q.endMs, this.now(), this.deps.queryStoreAfterMs);
    const calls: Promise<T>[] = [];
    if (split.ingesters) for (const i of this.deps.ingesters()) calls.push(f(i, { ...q, ...split.ingesters }));
    if (split.store) for (const s of stores) calls.push(f(s, { ...q, ...split.store }));
    return Promise.all(calls);
  }

  private now(): number {
    return this.deps.nowMs?.() ?? Date.now();
  }
}

/** The pprof `period` Phlare sets on merged profiles. */
export function defaultPeriod(t: ProfileType): number {
  if (t.name === "process_cpu") return 1_000_000_000;
  if (t.name === "memory") return 524_288;
  return 1;
}

function uniqueSorted(lists: string[][]): string[] {
  const set = new Set<string>();
  for (const l of lists) for (const s of l) set.add(s);
  return [...set].sort(compareStrings);
}
