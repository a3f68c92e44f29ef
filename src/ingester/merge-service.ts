/**
 * The server side of the bidi merge protocol (ingester.v1 and storegateway.v1 MergeProfiles*),
 * over any source of BlockReaders:
 *
 *   client ─ first message: SelectProfilesRequest (+ by / max_nodes)
 *   server ─ batches of ~4096 selected profiles (labels + time), sorted by (time, labels); a
 *            batch never ends inside a run of one (time, series) key
 *   client ─ after each batch, a keep-mask of the same length (replica deduplication)
 *   server ─ an empty batch, then the merge of the kept profiles only
 *
 * A source holding one profile in several blocks (replica blocks not compacted yet, or a block
 * both in the head's flush queue and on disk) lists it once, by profile ID, and merges it once.
 */
import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import {
  MergeProfilesLabelsResponseSchema,
  MergeProfilesPprofResponseSchema,
  MergeProfilesStacktracesResponseSchema,
  StacktracesMergeFormat,
} from "../gen/ingester/v1/ingester_pb.js";
import type {
  MergeProfilesLabelsRequest,
  MergeProfilesLabelsResponse,
  MergeProfilesPprofRequest,
  MergeProfilesPprofResponse,
  MergeProfilesStacktracesRequest,
  MergeProfilesStacktracesResponse,
  ProfileSets,
  SelectProfilesRequest,
} from "../gen/ingester/v1/ingester_pb.js";
import { PointSchema, SeriesSchema } from "../gen/types/v1/types_pb.js";
import type { Series } from "../gen/types/v1/types_pb.js";
import { InvalidArgumentError } from "../model/errors.js";
import { FunctionTree } from "../model/flamegraph/function-tree.js";
import { marshalTree } from "../model/flamegraph/tree-bytes.js";
import { compareStrings, labelsKey } from "../model/labels.js";
import { encodePprof } from "../model/pprof/encode.js";
import { profileTypeId } from "../model/profile-type.js";
import type { SelectedProfile, SelectQuery } from "../model/query.js";
import { parseSelector } from "../model/selector.js";
import { fromPbProfileType, msOf, toPbLabels } from "../server/convert.js";
import { rpcTenant } from "../server/server.js";
import type { BlockReader } from "../storage/block-reader.js";
import { PprofBuilder } from "../storage/query/pprof-builder.js";

/** Most profiles in one batch (Phlare's). */
export const MERGE_BATCH_SIZE = 4096;

/** A selected profile with its sort key: every server and the querier order profiles alike. */
export interface KeyedProfile extends SelectedProfile {
  key: string;
}

/** The order of the protocol's batches: time, then series labels. */
export function compareKeyed(a: { timeMs: number; key: string }, b: { timeMs: number; key: string }): number {
  return a.timeMs - b.timeMs || compareStrings(a.key, b.key);
}

/** Where a server finds a tenant's data for one query; undefined when it holds none. */
export type ReaderSource = (tenant: string, q: SelectQuery) => Promise<BlockReader | undefined>;

/** The three merge handlers of a service over `source`. */
export function mergeHandlers(source: ReaderSource): {
  mergeProfilesStacktraces: (reqs: AsyncIterable<MergeProfilesStacktracesRequest>, ctx: HandlerContext) => AsyncIterable<MergeProfilesStacktracesResponse>;
  mergeProfilesLabels: (reqs: AsyncIterable<MergeProfilesLabelsRequest>, ctx: HandlerContext) => AsyncIterable<MergeProfilesLabelsResponse>;
  mergeProfilesPprof: (reqs: AsyncIterable<MergeProfilesPprofRequest>, ctx: HandlerContext) => AsyncIterable<MergeProfilesPprofResponse>;
} {
  return {
    async *mergeProfilesStacktraces(reqs, ctx) {
      const s = await Selection.open(reqs, source, rpcTenant(ctx));
      for await (const batch of s.exchange()) yield create(MergeProfilesStacktracesResponseSchema, { selectedProfiles: batch });
      const tree = new FunctionTree();
      if (s.reader && s.q.keep!.size > 0) await s.reader.mergeTree(s.q, tree);
      // Not truncated: the querier merges every source's tree and truncates once, like a local merge.
      yield create(MergeProfilesStacktracesResponseSchema, {
        result: { format: StacktracesMergeFormat.MERGE_FORMAT_TREE, treeBytes: marshalTree(tree, 0) },
      });
    },

    async *mergeProfilesLabels(reqs, ctx) {
      const s = await Selection.open(reqs, source, rpcTenant(ctx));
      for await (const batch of s.exchange()) yield create(MergeProfilesLabelsResponseSchema, { selectedProfiles: batch });
      const series: Series[] = [];
      if (s.reader && s.q.keep!.size > 0) {
        const by = [...s.first.by].sort(compareStrings);
        const totals = await s.reader.profileTotals(s.q, by);
        for (const g of totals.groups) series.push(create(SeriesSchema, { labels: toPbLabels(g).labels, points: [] }));
        for (let i = 0; i < totals.timeMs.length; i++) {
          series[totals.group[i]!]!.points.push(create(PointSchema, { value: totals.value[i]!, timestamp: BigInt(totals.timeMs[i]!) }));
        }
      }
      yield create(MergeProfilesLabelsResponseSchema, { series: series.filter((x) => x.points.length > 0) });
    },

    async *mergeProfilesPprof(reqs, ctx) {
      const s = await Selection.open(reqs, source, rpcTenant(ctx));
      for await (const batch of s.exchange()) yield create(MergeProfilesPprofResponseSchema, { selectedProfiles: batch });
      const builder = new PprofBuilder();
      if (s.reader && s.q.keep!.size > 0) await s.reader.mergePprof(s.q, builder);
      const q = s.q;
      const p = builder.build(q.profileType, BigInt(q.endMs) * 1_000_000n, BigInt(q.endMs - q.startMs) * 1_000_000n, 0);
      yield create(MergeProfilesPprofResponseSchema, { result: encodePprof(p) });
    },
  };
}

/** What every merge request carries. */
interface MergeRequest {
  request?: SelectProfilesRequest | undefined;
  profiles: boolean[];
  by?: string[];
}

/** One server-side selection: the candidates, the exchange of batches and masks, the kept IDs. */
class Selection<R extends MergeRequest> {
  private constructor(
    private readonly reqs: AsyncIterator<R>,
    readonly first: R & { by: string[] },
    readonly q: SelectQuery,
    readonly reader: BlockReader | undefined,
  ) {}

  static async open<R extends MergeRequest>(reqs: AsyncIterable<R>, source: ReaderSource, tenant: string): Promise<Selection<R>> {
    const it = reqs[Symbol.asyncIterator]();
    const first = await it.next();
    if (first.done || !first.value.request) throw new InvalidArgumentError("invalid_request", "the first message must carry the select request");
    const q = toQuery(first.value.request);
    return new Selection(it, { ...first.value, by: first.value.by ?? [] }, q, await source(tenant, q));
  }

  /** Yields the batches; after each, reads the client's mask into `q.keep`; ends with the empty batch. */
  async *exchange(): AsyncGenerator<ProfileSets> {
    const keep = new Set<string>();
    const all = this.reader ? candidates(await this.reader.selectProfiles(this.q)) : [];
    for (let start = 0; start < all.length; ) {
      // Never between two profiles of one (time, series) key: the querier counts a key's
      // profiles per source within one batch.
      let end = Math.min(start + MERGE_BATCH_SIZE, all.length);
      while (end < all.length && compareKeyed(all[end - 1]!, all[end]!) === 0) end++;
      const batch = all.slice(start, end);
      start = end;
      yield profileSets(batch);
      const next = await this.reqs.next();
      if (next.done) throw new InvalidArgumentError("invalid_request", "the stream ended before the keep-mask of a batch");
      const mask = next.value.profiles;
      if (mask.length !== batch.length) {
        throw new InvalidArgumentError("invalid_request", `keep-mask of ${mask.length} for a batch of ${batch.length} profiles`);
      }
      for (let i = 0; i < batch.length; i++) if (mask[i]) keep.add(batch[i]!.id);
    }
    this.q.keep = keep;
    yield { $typeName: "ingester.v1.ProfileSets", labelsSets: [], profiles: [] };
  }
}

/** The select request as a query (no keep set yet). */
function toQuery(r: SelectProfilesRequest): SelectQuery {
  if (!r.type) throw new InvalidArgumentError("invalid_request", "the select request has no profile type");
  const t = fromPbProfileType(r.type);
  const profileType = { ...t, id: profileTypeId(t.name, t.sampleType, t.sampleUnit, t.periodType, t.periodUnit) };
  const q: SelectQuery = {
    profileType,
    matchers: r.labelSelector.trim() === "" ? [] : parseSelector(r.labelSelector),
    startMs: msOf(r.start, "start"),
    endMs: msOf(r.end, "end"),
  };
  return q;
}

/** Each profile once (by ID), in protocol order. */
function candidates(list: SelectedProfile[]): KeyedProfile[] {
  const seen = new Set<string>();
  const out: KeyedProfile[] = [];
  for (const p of list) {
    if (seen.has(p.id)) continue;
    seen.add(p.id);
    out.push({ ...p, key: labelsKey(p.labels) });
  }
  return out.sort(compareKeyed);
}

function profileSets(batch: readonly KeyedProfile[]): ProfileSets {
  const index = new Map<string, number>();
  const sets: ProfileSets = { $typeName: "ingester.v1.ProfileSets", labelsSets: [], profiles: [] };
  for (const p of batch) {
    let i = index.get(p.key);
    if (i === undefined) {
      i = sets.labelsSets.length;
      index.set(p.key, i);
      sets.labelsSets.push(toPbLabels(p.labels));
    }
    sets.profiles.push({ $typeName: "ingester.v1.SeriesProfile", labelIndex: i, timestamp: BigInt(p.timeMs) });
  }
  return sets;
}
