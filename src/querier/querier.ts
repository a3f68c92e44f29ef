/**
 * The querier: reads a tenant's data from the ingesters (head and local blocks)
 * and the store-gateways (blocks in object storage) as one set, each block
 * counted once: the store-gateways say which blocks they answer for (their own
 * and every block compacted into them), and the ingesters leave those out. No
 * profile is counted twice, and none is missed while a block moves from an
 * ingester's disk to the bucket or into a compacted block.
 */
import { FunctionTree } from "../model/flamegraph/function-tree.js";
import { compareLabels, compareStrings, labelsKey } from "../model/labels.js";
import type { Labels } from "../model/labels.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import type { ProfileType } from "../model/profile-type.js";
import type { LabelQuery, SelectQuery } from "../model/query.js";
import type { BlockReader } from "../storage/block-reader.js";
import { MultiReader } from "../storage/query/multi-reader.js";
import { PprofBuilder } from "../storage/query/pprof-builder.js";
import type { QuerierApi, SeriesOptions, SeriesResult } from "./api.js";
import { rangeSeries } from "./range-series.js";

/** An ingester as the querier reads it. */
export interface IngesterSource {
  /** The tenant's head and local blocks minus `exclude`; undefined when it holds nothing of the tenant. */
  view(tenant: string, exclude: ReadonlySet<string>): Promise<BlockReader | undefined>;
}

/** A store-gateway as the querier reads it. */
export interface StoreSource {
  /** The tenant's bucket blocks as of now and the block IDs whose data they hold. */
  view(tenant: string): { covered: ReadonlySet<string>; reader: BlockReader };
}

/** Where the querier finds data in its own process. */
export interface QuerierDeps {
  ingesters: () => IngesterSource[];
  /** Store-gateways; none means the ingesters hold everything there is. */
  storeGateways: () => StoreSource[];
}

/** What a query reads: every source of the tenant's data as one. */
export type QueryReader = Omit<BlockReader, "minTimeMs" | "maxTimeMs" | "selectProfiles">;

/** Gives, per query, one reader over every source of a tenant's data. */
export type ReaderFactory = (tenant: string) => Promise<QueryReader>;

/** The querier: label queries, merges and time series over whatever `reader` gives. */
export class Querier implements QuerierApi {
  private readonly reader: ReaderFactory;

  /** Over in-process components (`QuerierDeps`) or any reader factory (remote sources). */
  constructor(deps: QuerierDeps | ReaderFactory) {
    this.reader = typeof deps === "function" ? deps : localReader(deps);
  }

  async profileTypes(tenant: string, q: LabelQuery): Promise<ProfileType[]> {
    const byId = new Map<string, ProfileType>();
    for (const t of await (await this.reader(tenant)).profileTypes(q)) byId.set(t.id, t);
    return [...byId.values()].sort((a, b) => compareStrings(a.id, b.id));
  }

  async labelNames(tenant: string, q: LabelQuery): Promise<string[]> {
    return uniqueSorted([await (await this.reader(tenant)).labelNames(q)]);
  }

  async labelValues(tenant: string, name: string, q: LabelQuery): Promise<string[]> {
    return uniqueSorted([await (await this.reader(tenant)).labelValues(name, q)]);
  }

  async series(tenant: string, q: LabelQuery, labelNames: readonly string[]): Promise<Labels[]> {
    const seen = new Map<string, Labels>();
    for (const ls of await (await this.reader(tenant)).series(q, labelNames)) seen.set(labelsKey(ls), ls);
    return [...seen.values()].sort(compareLabels);
  }

  async selectMergeTree(tenant: string, q: SelectQuery): Promise<FunctionTree> {
    const tree = new FunctionTree();
    await (await this.reader(tenant)).mergeTree(q, tree);
    return tree;
  }

  async selectMergeProfile(tenant: string, q: SelectQuery): Promise<FlatProfile> {
    const builder = new PprofBuilder();
    await (await this.reader(tenant)).mergePprof(q, builder);
    return builder.build(q.profileType, BigInt(q.endMs) * 1_000_000n, BigInt(q.endMs - q.startMs) * 1_000_000n, defaultPeriod(q.profileType));
  }

  async selectSeries(tenant: string, q: SelectQuery, opts: SeriesOptions): Promise<SeriesResult[]> {
    // Profiles are fetched from start − step: the first point sums (start − step, start].
    const fetch: SelectQuery = { ...q, startMs: q.startMs - opts.stepMs };
    const by = [...opts.groupBy].sort(compareStrings);
    return rangeSeries(await (await this.reader(tenant)).profileTotals(fetch, by), q.startMs, q.endMs, opts);
  }

}

/** One reader over in-process sources for one query, each block in exactly one of them. */
function localReader(deps: QuerierDeps): ReaderFactory {
  return async (tenant) => {
    const stores = deps.storeGateways().map((s) => s.view(tenant));
    const covered = new Set<string>();
    for (const s of stores) for (const id of s.covered) covered.add(id);
    const ingesters = await Promise.all(deps.ingesters().map((i) => i.view(tenant, covered)));
    const readers: BlockReader[] = [...stores.map((s) => s.reader)];
    for (const r of ingesters) if (r) readers.push(r);
    return new MultiReader(() => readers);
  };
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
