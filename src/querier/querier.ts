/**
 * The querier: asks every ingester, deduplicates and merges their answers.
 */
import { FunctionTree } from "../model/flamegraph/function-tree.js";
import { compareLabels, compareStrings, labelsKey } from "../model/labels.js";
import type { Labels } from "../model/labels.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import type { ProfileType } from "../model/profile-type.js";
import type { LabelQuery, SelectQuery } from "../model/query.js";
import type { IngesterApi } from "../ingester/api.js";
import { PprofBuilder } from "../storage/query/pprof-builder.js";
import type { QuerierApi, SeriesOptions, SeriesResult } from "./api.js";
import { rangeSeries } from "./range-series.js";
import { mergeTotals } from "../storage/query/totals.js";

/** The in-process querier over a set of ingesters. */
export class Querier implements QuerierApi {
  constructor(private readonly ingesters: () => IngesterApi[]) {}

  async profileTypes(tenant: string, q: LabelQuery): Promise<ProfileType[]> {
    const byId = new Map<string, ProfileType>();
    for (const list of await this.all((i) => i.profileTypes(tenant, q))) for (const t of list) if (!byId.has(t.id)) byId.set(t.id, t);
    return [...byId.values()].sort((a, b) => compareStrings(a.id, b.id));
  }

  async labelNames(tenant: string, q: LabelQuery): Promise<string[]> {
    return uniqueSorted(await this.all((i) => i.labelNames(tenant, q)));
  }

  async labelValues(tenant: string, name: string, q: LabelQuery): Promise<string[]> {
    return uniqueSorted(await this.all((i) => i.labelValues(tenant, name, q)));
  }

  async series(tenant: string, q: LabelQuery, labelNames: readonly string[]): Promise<Labels[]> {
    const seen = new Set<string>();
    const out: Labels[] = [];
    for (const list of await this.all((i) => i.series(tenant, q, labelNames))) {
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
    const trees = await this.all((i) => i.mergeTree(tenant, q));
    if (trees.length === 1) return trees[0]!;
    const out = new FunctionTree();
    for (const t of trees) out.merge(t);
    return out;
  }

  async selectMergeProfile(tenant: string, q: SelectQuery): Promise<FlatProfile> {
    const parts = await this.all((i) => i.mergePprof(tenant, q));
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
    const parts = await this.all((i) => i.profileTotals(tenant, fetch, by));
    return rangeSeries(mergeTotals(parts), q.startMs, q.endMs, opts);
  }

  private async all<T>(f: (i: IngesterApi) => Promise<T>): Promise<T[]> {
    return Promise.all(this.ingesters().map(f));
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
