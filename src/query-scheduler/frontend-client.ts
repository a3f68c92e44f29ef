/**
 * The querier as a query-frontend sees it in microservices mode: each QuerierApi call
 * becomes one querier.v1 request, enqueued on a query-scheduler, run by some querier
 * worker and decoded back into domain types. The mapping mirrors createQuerierCalls in
 * src/querier/service.ts, so both sides read a request the same way.
 *
 * Flame-graph trees travel whole (format TREE without max_nodes): the frontend merges
 * the trees of split queries and truncates once, exactly as in one process.
 *
 * With several schedulers, calls go round-robin; a scheduler that is unavailable
 * (unreachable, or shutting down) is skipped for the next one, each tried once per call.
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { codeFromString } from "@connectrpc/connect/protocol-connect";
import {
  ProfileFormat,
  ProfileTypesRequestSchema,
  ProfileTypesResponseSchema,
  SelectMergeProfileRequestSchema,
  SelectMergeStacktracesRequestSchema,
  SelectMergeStacktracesResponseSchema,
  SelectSeriesRequestSchema,
  SelectSeriesResponseSchema,
  SeriesRequestSchema,
  SeriesResponseSchema,
} from "../gen/querier/v1/querier_pb.js";
import type { Series as PbSeries } from "../gen/types/v1/types_pb.js";
import {
  LabelNamesRequestSchema,
  LabelNamesResponseSchema,
  LabelValuesRequestSchema,
  LabelValuesResponseSchema,
  TimeSeriesAggregationType,
} from "../gen/types/v1/types_pb.js";
import type { EnqueueResponse } from "../gen/scheduler/v1/scheduler_pb.js";
import { InvalidArgumentError, LimitExceededError, NotFoundError, UnauthenticatedError, UnimplementedError } from "../model/errors.js";
import type { FunctionTree } from "../model/flamegraph/function-tree.js";
import { unmarshalTree } from "../model/flamegraph/index.js";
import type { Labels } from "../model/labels.js";
import { decodePprof } from "../model/pprof/index.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import type { ProfileType } from "../model/profile-type.js";
import type { LabelQuery, SelectQuery } from "../model/query.js";
import { selectorString } from "../model/selector.js";
import type { Matcher } from "../model/selector.js";
import type { QuerierApi, SeriesOptions, SeriesResult } from "../querier/api.js";
import { fromPbLabels, fromPbProfileType } from "../server/convert.js";
import { TENANT_HEADER } from "../server/tenant.js";
import type { SchedulerDiscovery } from "./discovery.js";
import { connectScheduler } from "./remote.js";
import type { SchedulerConnection } from "./remote.js";

/** What the client needs. */
export interface SchedulerQuerierClientOptions {
  /** The schedulers, kept current. */
  discovery: SchedulerDiscovery;
  /** Deadline of one call (queue time included), milliseconds; 0 = none. */
  timeoutMs?: number;
  /** Opens a connection to a target (tests swap it). */
  connect?: (target: string) => SchedulerConnection;
}

interface Conn {
  connection: SchedulerConnection;
  inflight: number;
  /** No longer a target: closed once its last call settles. */
  retired: boolean;
}

// Attempts per query, the first included.
const MAX_ATTEMPTS = 3;
// Failures of the path, not of the query: another attempt may well succeed.
const RETRIED = new Set([Code.Canceled, Code.Aborted]);

/** A QuerierApi whose calls run on querier workers through query-schedulers. */
export class SchedulerQuerierClient implements QuerierApi {
  private readonly conns = new Map<string, Conn>();
  private cursor = 0;
  private closed = false;

  constructor(private readonly options: SchedulerQuerierClientOptions) {
    options.discovery.subscribe((targets) => this.retireExcept(new Set(targets)));
  }

  async profileTypes(tenant: string, q: LabelQuery): Promise<ProfileType[]> {
    const req = { start: msBig(q.startMs), end: msBig(q.endMs) };
    const res = await this.call(tenant, "ProfileTypes", ProfileTypesRequestSchema, req, ProfileTypesResponseSchema);
    return res.profileTypes.map(fromPbProfileType);
  }

  async labelNames(tenant: string, q: LabelQuery): Promise<string[]> {
    const req = { matchers: selectorsOf(q), start: msBig(q.startMs), end: msBig(q.endMs) };
    return (await this.call(tenant, "LabelNames", LabelNamesRequestSchema, req, LabelNamesResponseSchema)).names;
  }

  async labelValues(tenant: string, name: string, q: LabelQuery): Promise<string[]> {
    const req = { name, matchers: selectorsOf(q), start: msBig(q.startMs), end: msBig(q.endMs) };
    return (await this.call(tenant, "LabelValues", LabelValuesRequestSchema, req, LabelValuesResponseSchema)).names;
  }

  async series(tenant: string, q: LabelQuery, labelNames: readonly string[]): Promise<Labels[]> {
    const req = { matchers: selectorsOf(q), labelNames: [...labelNames], start: msBig(q.startMs), end: msBig(q.endMs) };
    const res = await this.call(tenant, "Series", SeriesRequestSchema, req, SeriesResponseSchema);
    return res.labelsSet.map((ls) => fromPbLabels(ls.labels));
  }

  async selectMergeTree(tenant: string, q: SelectQuery): Promise<FunctionTree> {
    const req = { ...selectFields(q), format: ProfileFormat.TREE };
    const res = await this.call(tenant, "SelectMergeStacktraces", SelectMergeStacktracesRequestSchema, req, SelectMergeStacktracesResponseSchema);
    return unmarshalTree(res.tree);
  }

  async selectMergeProfile(tenant: string, q: SelectQuery): Promise<FlatProfile> {
    // The response is a google.v1.Profile: its bytes are a pprof, which the model decodes itself.
    return decodePprof(await this.callRaw(tenant, "SelectMergeProfile", toBinary(SelectMergeProfileRequestSchema, create(SelectMergeProfileRequestSchema, selectFields(q)))));
  }

  async selectSeries(tenant: string, q: SelectQuery, opts: SeriesOptions): Promise<SeriesResult[]> {
    const req = {
      ...selectFields(q),
      groupBy: [...opts.groupBy],
      // The service turns seconds back into round(step · 1000) ms: exact for whole milliseconds.
      step: opts.stepMs / 1000,
      aggregation: opts.aggregation === "average" ? TimeSeriesAggregationType.AVERAGE : TimeSeriesAggregationType.SUM,
      ...(opts.limit > 0 ? { limit: BigInt(opts.limit) } : {}),
    };
    const res = await this.call(tenant, "SelectSeries", SelectSeriesRequestSchema, req, SelectSeriesResponseSchema);
    return res.series.map(fromPbSeries);
  }

  /** Closes every scheduler connection; calls made afterwards fail. */
  close(): void {
    this.closed = true;
    for (const c of this.conns.values()) c.connection.close();
    this.conns.clear();
  }

  private async call<I extends DescMessage, O extends DescMessage>(
    tenant: string,
    method: string,
    input: I,
    init: MessageInitShape<I>,
    output: O,
  ): Promise<MessageShape<O>> {
    return fromBinary(output, await this.callRaw(tenant, method, toBinary(input, create(input, init))));
  }

  /**
   * Enqueues one call; a query cancelled on its way (a connection between components reset
   * under it, or a stream refused by a component shutting down) runs again, up to MAX_ATTEMPTS times in all, as Cortex's query-frontend retries.
   * A querier dying mid-query stays an error (unavailable): the query may be what killed it.
   */
  private async callRaw(tenant: string, method: string, payload: Uint8Array): Promise<Uint8Array> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.callOnce(tenant, method, payload);
      } catch (err) {
        const retried = err instanceof ConnectError && (RETRIED.has(err.code) || refusedStream(err));
        if (attempt >= MAX_ATTEMPTS || !retried || this.closed) throw err;
      }
    }
  }

  /** Enqueues one call, failing over between schedulers; the response bytes or the call's error. */
  private async callOnce(tenant: string, method: string, payload: Uint8Array): Promise<Uint8Array> {
    if (this.closed) throw new ConnectError("the query-scheduler client is closed", Code.Unavailable);
    const targets = this.options.discovery.targets();
    if (targets.length === 0) throw new ConnectError("no query-scheduler address is known", Code.Unavailable);
    const first = this.cursor++ % targets.length;
    let lastErr: unknown;
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(first + i) % targets.length]!;
      let res: EnqueueResponse;
      try {
        res = await this.enqueue(target, tenant, method, payload);
      } catch (err) {
        const ce = ConnectError.from(err);
        if (ce.code !== Code.Unavailable && !refusedStream(ce)) throw domainError(ce.code, ce.rawMessage);
        lastErr = err;
        continue;
      }
      const r = res.result?.result;
      if (r?.case === "response") return r.value;
      if (r?.case === "error") throw domainError(codeFromString(r.value.code) ?? Code.Unknown, r.value.message);
      throw new ConnectError(`query-scheduler ${target} sent an empty result`, Code.Internal);
    }
    throw lastErr;
  }

  private async enqueue(target: string, tenant: string, method: string, payload: Uint8Array): Promise<EnqueueResponse> {
    let conn = this.conns.get(target);
    if (!conn) {
      conn = { connection: (this.options.connect ?? connectScheduler)(target), inflight: 0, retired: false };
      this.conns.set(target, conn);
    }
    conn.inflight++;
    try {
      // The tenant header is redundant for a tenantless scheduler service, and lets one that
      // still resolves tenants (multitenancy on) accept the call.
      return await conn.connection.client.enqueue(
        { tenant, request: { method, payload } },
        { headers: { [TENANT_HEADER]: tenant }, ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}) },
      );
    } finally {
      conn.inflight--;
      if (conn.retired && conn.inflight === 0) conn.connection.close();
    }
  }

  private retireExcept(targets: ReadonlySet<string>): void {
    for (const [target, conn] of this.conns) {
      if (targets.has(target)) continue;
      this.conns.delete(target);
      conn.retired = true;
      if (conn.inflight === 0) conn.connection.close();
    }
  }
}

/**
 * Whether a scheduler refused the stream before running anything (HTTP/2 REFUSED_STREAM, as a
 * server closing its connections answers a stream opened after its GOAWAY): Node reports it as
 * a stream error that connect calls internal, but the next scheduler can take the call.
 */
function refusedStream(err: ConnectError): boolean {
  return err.rawMessage.includes("REFUSED_STREAM") || (err.cause instanceof Error && err.cause.message.includes("REFUSED_STREAM"));
}

/**
 * The error a frontend rethrows for a code: the model's class where one exists (so plain HTTP
 * routes print the bare message), a ConnectError otherwise.
 */
export function domainError(code: Code, message: string): Error {
  switch (code) {
    case Code.InvalidArgument:
      return new InvalidArgumentError("invalid_query", message);
    case Code.ResourceExhausted:
      return new LimitExceededError("too_many_requests", message);
    case Code.NotFound:
      return new NotFoundError(message);
    case Code.Unauthenticated:
      return new UnauthenticatedError(message);
    case Code.Unimplemented:
      return new UnimplementedError(message);
    default:
      return new ConnectError(message, code);
  }
}

/** An optional millisecond bound as a protobuf int64 (0 = unbounded, as toLabelQuery reads it). */
function msBig(ms: number | undefined): bigint {
  return ms === undefined ? 0n : BigInt(Math.floor(ms));
}

function selectorsOf(q: LabelQuery): string[] {
  return q.selectors.map(selectorOf);
}

function selectorOf(matchers: readonly Matcher[]): string {
  return matchers.length === 0 ? "{}" : selectorString(matchers);
}

function selectFields(q: SelectQuery): { profileTypeID: string; labelSelector: string; start: bigint; end: bigint } {
  return { profileTypeID: q.profileType.id, labelSelector: selectorOf(q.matchers), start: BigInt(Math.floor(q.startMs)), end: BigInt(Math.floor(q.endMs)) };
}

function fromPbSeries(s: PbSeries): SeriesResult {
  return { labels: fromPbLabels(s.labels), timestampsMs: s.points.map((p) => Number(p.timestamp)), values: s.points.map((p) => p.value) };
}
