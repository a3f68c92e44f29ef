/**
 * An ingester or a store-gateway in another process, as the querier reads it: the label RPCs and
 * the client side of the bidi merge protocol (src/ingester/merge-service.ts). Both services have
 * the same method names and messages, so one class serves both.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import type { CallOptions, Client, Transport } from "@connectrpc/connect";
import { IngesterService } from "../gen/ingester/v1/ingester_pb.js";
import type {
  MergeProfilesLabelsRequestSchema,
  MergeProfilesLabelsResponse,
  MergeProfilesPprofRequestSchema,
  MergeProfilesPprofResponse,
  MergeProfilesStacktracesRequestSchema,
  MergeProfilesStacktracesResponse,
  ProfileSets,
  SelectProfilesRequestSchema,
} from "../gen/ingester/v1/ingester_pb.js";
import { StoreGatewayService } from "../gen/storegateway/v1/storegateway_pb.js";
import { FunctionTree } from "../model/flamegraph/function-tree.js";
import { unmarshalTree } from "../model/flamegraph/tree-bytes.js";
import { labelsKey, sortLabels } from "../model/labels.js";
import type { Labels } from "../model/labels.js";
import { decodePprof } from "../model/pprof/decode.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import type { ProfileType } from "../model/profile-type.js";
import type { LabelQuery, ProfileTotals, SelectQuery } from "../model/query.js";
import { selectorString } from "../model/selector.js";
import { fromPbLabels, fromPbProfileType, toPbProfileType } from "../server/convert.js";
import { totalsOfRows } from "../storage/query/totals.js";

/** One batch of candidate profiles, in protocol order. */
export interface CandidateBatch {
  timeMs: Float64Array;
  /** labelsKey of each profile's series. */
  keys: string[];
}

/** One source's side of a running merge. */
export interface MergeSession<R> {
  /** The next batch, or undefined once the source listed every candidate. */
  next(): Promise<CandidateBatch | undefined>;
  /** The keep-mask of the batch `next` gave last. */
  reply(mask: boolean[]): void;
  /** The merge of the kept profiles (after `next` gave undefined). */
  result(): Promise<R>;
  /** Ends the call early. */
  cancel(): void;
}

/** A remote source of profiles: an ingester or a store-gateway. */
export interface MergeSource {
  /** Its address, for errors. */
  readonly addr: string;
  profileTypes(tenant: string, q: LabelQuery, signal?: AbortSignal): Promise<ProfileType[]>;
  labelNames(tenant: string, q: LabelQuery, signal?: AbortSignal): Promise<string[]>;
  labelValues(tenant: string, name: string, q: LabelQuery, signal?: AbortSignal): Promise<string[]>;
  series(tenant: string, q: LabelQuery, names: readonly string[], signal?: AbortSignal): Promise<Labels[]>;
  mergeTree(tenant: string, q: SelectQuery, signal: AbortSignal): MergeSession<FunctionTree>;
  mergeTotals(tenant: string, q: SelectQuery, by: readonly string[], signal: AbortSignal): MergeSession<ProfileTotals>;
  mergePprof(tenant: string, q: SelectQuery, signal: AbortSignal): MergeSession<FlatProfile>;
}

type SourceClient = Client<typeof IngesterService> | Client<typeof StoreGatewayService>;

/** A MergeSource over a connect transport to an ingester (`kind` "ingester") or a store-gateway. */
export class RemoteSource implements MergeSource {
  private readonly client: SourceClient;

  constructor(
    readonly addr: string,
    transport: Transport,
    kind: "ingester" | "store-gateway",
  ) {
    this.client = kind === "ingester" ? createClient(IngesterService, transport) : createClient(StoreGatewayService, transport);
  }

  async profileTypes(tenant: string, q: LabelQuery, signal?: AbortSignal): Promise<ProfileType[]> {
    const r = await this.client.profileTypes(range(q), opts(tenant, signal));
    return r.profileTypes.map(fromPbProfileType);
  }

  async labelNames(tenant: string, q: LabelQuery, signal?: AbortSignal): Promise<string[]> {
    return (await this.client.labelNames({ matchers: selectors(q), ...range(q) }, opts(tenant, signal))).names;
  }

  async labelValues(tenant: string, name: string, q: LabelQuery, signal?: AbortSignal): Promise<string[]> {
    return (await this.client.labelValues({ name, matchers: selectors(q), ...range(q) }, opts(tenant, signal))).names;
  }

  async series(tenant: string, q: LabelQuery, names: readonly string[], signal?: AbortSignal): Promise<Labels[]> {
    const r = await this.client.series({ matchers: selectors(q), labelNames: [...names], ...range(q) }, opts(tenant, signal));
    return r.labelsSet.map((ls) => sortLabels(fromPbLabels(ls.labels)));
  }

  mergeTree(tenant: string, q: SelectQuery, signal: AbortSignal): MergeSession<FunctionTree> {
    return new Session<MessageInitShape<typeof MergeProfilesStacktracesRequestSchema>, MergeProfilesStacktracesResponse, FunctionTree>(
      (reqs) => this.client.mergeProfilesStacktraces(reqs, opts(tenant, signal)),
      { request: selectRequest(q) },
      (mask) => ({ profiles: mask }),
      (resp) => {
        const r = resp.result;
        if (!r) throw new Error(`${this.addr}: merge answer without a result`);
        return r.treeBytes.length === 0 ? new FunctionTree() : unmarshalTree(r.treeBytes);
      },
    );
  }

  mergeTotals(tenant: string, q: SelectQuery, by: readonly string[], signal: AbortSignal): MergeSession<ProfileTotals> {
    return new Session<MessageInitShape<typeof MergeProfilesLabelsRequestSchema>, MergeProfilesLabelsResponse, ProfileTotals>(
      (reqs) => this.client.mergeProfilesLabels(reqs, opts(tenant, signal)),
      { request: selectRequest(q), by: [...by] },
      (mask) => ({ profiles: mask }),
      (resp) => {
        const groups: Labels[] = [];
        const rows: { g: number; t: number; v: number }[] = [];
        for (const s of resp.series) {
          const g = groups.length;
          groups.push(sortLabels(fromPbLabels(s.labels)));
          for (const p of s.points) rows.push({ g, t: Number(p.timestamp), v: p.value });
        }
        return totalsOfRows(groups, rows);
      },
    );
  }

  mergePprof(tenant: string, q: SelectQuery, signal: AbortSignal): MergeSession<FlatProfile> {
    return new Session<MessageInitShape<typeof MergeProfilesPprofRequestSchema>, MergeProfilesPprofResponse, FlatProfile>(
      (reqs) => this.client.mergeProfilesPprof(reqs, opts(tenant, signal)),
      { request: selectRequest(q) },
      (mask) => ({ profiles: mask }),
      (resp) => decodePprof(resp.result),
    );
  }
}

function opts(tenant: string, signal?: AbortSignal): CallOptions {
  return { headers: { "X-Scope-OrgID": tenant }, ...(signal ? { signal } : {}) };
}

function range(q: LabelQuery): { start: bigint; end: bigint } {
  return { start: BigInt(q.startMs ?? 0), end: BigInt(q.endMs ?? 0) };
}

function selectors(q: LabelQuery): string[] {
  return q.selectors.map((m) => selectorString(m));
}

function selectRequest(q: SelectQuery): MessageInitShape<typeof SelectProfilesRequestSchema> {
  return { labelSelector: selectorString(q.matchers), type: toPbProfileType(q.profileType), start: BigInt(q.startMs), end: BigInt(q.endMs) };
}

/** Requests of a call written as the protocol goes. */
class RequestQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;
  private ended = false;

  push(v: T): void {
    this.items.push(v);
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  // An async generator: the transport may call return() and throw() on it.
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      while (this.items.length > 0) yield this.items.shift() as T;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}

/** The common response shape: batches, then one message with the result. */
interface MergeResponse {
  selectedProfiles?: ProfileSets | undefined;
}

class Session<Req, Resp extends MergeResponse, R> implements MergeSession<R> {
  private readonly queue = new RequestQueue<Req>();
  private readonly responses: AsyncIterator<Resp>;

  constructor(
    call: (reqs: AsyncIterable<Req>) => AsyncIterable<Resp>,
    first: Req,
    private readonly maskMessage: (mask: boolean[]) => Req,
    private readonly decode: (resp: Resp) => R,
  ) {
    this.queue.push(first);
    this.responses = call(this.queue)[Symbol.asyncIterator]();
  }

  async next(): Promise<CandidateBatch | undefined> {
    const r = await this.responses.next();
    if (r.done) throw new Error("the merge stream ended before the last batch");
    const sets = r.value.selectedProfiles;
    if (!sets || sets.profiles.length === 0) return undefined;
    const keys = sets.labelsSets.map((ls) => labelsKey(sortLabels(fromPbLabels(ls.labels))));
    const n = sets.profiles.length;
    const timeMs = new Float64Array(n);
    const out: string[] = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const p = sets.profiles[i]!;
      const key = keys[p.labelIndex];
      if (key === undefined) throw new Error(`merge batch refers to label set ${p.labelIndex} of ${keys.length}`);
      timeMs[i] = Number(p.timestamp);
      out[i] = key;
    }
    return { timeMs, keys: out };
  }

  reply(mask: boolean[]): void {
    this.queue.push(this.maskMessage(mask));
  }

  async result(): Promise<R> {
    this.queue.end();
    const r = await this.responses.next();
    if (r.done) throw new Error("the merge stream ended without a result");
    const out = this.decode(r.value);
    // Drain, so the call completes cleanly.
    while (!(await this.responses.next()).done);
    return out;
  }

  cancel(): void {
    this.queue.end();
    void this.responses.return?.();
  }
}
