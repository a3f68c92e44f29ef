/**
 * querier.v1.QuerierService over a QuerierApi (the frontend in front of a querier,
 * or the querier alone): protobuf in, domain calls, protobuf out. The calls are also
 * run by method name for the query-scheduler's querier worker, so both paths share
 * one translation.
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import {
  LabelNamesRequestSchema,
  LabelNamesResponseSchema,
  LabelValuesRequestSchema,
  LabelValuesResponseSchema,
} from "../gen/types/v1/types_pb.js";
import type { LabelNamesRequest, LabelNamesResponse, LabelValuesRequest, LabelValuesResponse } from "../gen/types/v1/types_pb.js";
import { TimeSeriesAggregationType } from "../gen/types/v1/types_pb.js";
import { ProfileSchema } from "../gen/google/v1/profile_pb.js";
import type { Profile } from "../gen/google/v1/profile_pb.js";
import {
  DiffRequestSchema,
  DiffResponseSchema,
  PprofProfileSchema,
  ProfileFormat,
  ProfileTypesRequestSchema,
  ProfileTypesResponseSchema,
  QuerierService,
  SelectMergeProfileRequestSchema,
  SelectMergeStacktracesRequestSchema,
  SelectMergeStacktracesResponseSchema,
  SelectSeriesRequestSchema,
  SelectSeriesResponseSchema,
  SeriesRequestSchema,
  SeriesResponseSchema,
} from "../gen/querier/v1/querier_pb.js";
import type {
  DiffRequest,
  DiffResponse,
  ProfileTypesRequest,
  ProfileTypesResponse,
  SelectMergeProfileRequest,
  SelectMergeStacktracesRequest,
  SelectMergeStacktracesResponse,
  SelectSeriesRequest,
  SelectSeriesResponse,
  SeriesRequest,
  SeriesResponse,
} from "../gen/querier/v1/querier_pb.js";
import type { Limits } from "../config/limits.js";
import { InvalidArgumentError, UnimplementedError } from "../model/errors.js";
import { buildFlameGraph, buildFlameGraphDiff, marshalTree } from "../model/flamegraph/index.js";
import {
  toLabelQuery,
  toPbFlameGraph,
  toPbFlameGraphDiff,
  toPbLabels,
  toPbProfile,
  toPbProfileType,
  toPbSeries,
  toSelectQuery,
} from "../server/convert.js";
import { rpcTenant } from "../server/server.js";
import { DIFF_MAX_NODES_DEFAULT } from "./api.js";
import type { QuerierApi } from "./api.js";
import { renderDot } from "./pyroscope/dot.js";

/** The node budget of a flame graph or tree: from the request's max_nodes, or `fallback` (else the default) when it is unset or 0. */
export type MaxNodesRule = (tenant: string, requested: bigint | undefined, fallback?: number) => number;

/** The public rule: the tenant's max_flamegraph_nodes_default, and max_flamegraph_nodes_max as a bound. */
export function limitsMaxNodes(limits: (tenant: string) => Limits): MaxNodesRule {
  return (tenant, requested, fallback) => {
    const l = limits(tenant);
    const n = requested === undefined ? 0 : Number(requested);
    if (n === 0) return fallback ?? l.max_flamegraph_nodes_default;
    if (l.max_flamegraph_nodes_max > 0 && n > l.max_flamegraph_nodes_max) {
      throw new InvalidArgumentError("invalid_query", `max_nodes (${n}) exceeds the limit (${l.max_flamegraph_nodes_max})`);
    }
    return n;
  };
}

/**
 * The rule behind a query-frontend, which enforced the limits already: an unset max_nodes
 * keeps every node (0), so that the frontend merges whole trees and truncates once.
 */
export const requestedMaxNodes: MaxNodesRule = (_tenant, requested, fallback) =>
  requested === undefined || requested === 0n ? (fallback ?? 0) : Number(requested);

/** The querier.v1 calls in protobuf messages, for one tenant per call. */
export interface QuerierCalls {
  profileTypes(tenant: string, req: ProfileTypesRequest): Promise<ProfileTypesResponse>;
  labelNames(tenant: string, req: LabelNamesRequest): Promise<LabelNamesResponse>;
  labelValues(tenant: string, req: LabelValuesRequest): Promise<LabelValuesResponse>;
  series(tenant: string, req: SeriesRequest): Promise<SeriesResponse>;
  selectMergeStacktraces(tenant: string, req: SelectMergeStacktracesRequest): Promise<SelectMergeStacktracesResponse>;
  selectMergeProfile(tenant: string, req: SelectMergeProfileRequest): Promise<Profile>;
  selectSeries(tenant: string, req: SelectSeriesRequest): Promise<SelectSeriesResponse>;
  diff(tenant: string, req: DiffRequest): Promise<DiffResponse>;
}

/** The querier.v1 calls over `api`, with `maxNodes` deciding flame-graph sizes. */
export function createQuerierCalls(api: QuerierApi, maxNodes: MaxNodesRule): QuerierCalls {
  return {
    async profileTypes(tenant, req) {
      const types = await api.profileTypes(tenant, toLabelQuery([], req.start, req.end));
      return create(ProfileTypesResponseSchema, { profileTypes: types.map(toPbProfileType) });
    },

    async labelNames(tenant, req) {
      const names = await api.labelNames(tenant, toLabelQuery(req.matchers, req.start, req.end));
      return create(LabelNamesResponseSchema, { names });
    },

    async labelValues(tenant, req) {
      if (req.name === "") throw new InvalidArgumentError("invalid_request", "label name is required");
      const names = await api.labelValues(tenant, req.name, toLabelQuery(req.matchers, req.start, req.end));
      return create(LabelValuesResponseSchema, { names });
    },

    async series(tenant, req) {
      const sets = await api.series(tenant, toLabelQuery(req.matchers, req.start, req.end), req.labelNames);
      return create(SeriesResponseSchema, { labelsSet: sets.map(toPbLabels) });
    },

    async selectMergeStacktraces(tenant, req) {
      const q = toSelectQuery(req.profileTypeID, req.labelSelector, req.start, req.end);
      const n = maxNodes(tenant, req.maxNodes);
      switch (req.format) {
        case ProfileFormat.PPROF: {
          const profile = toPbProfile(await api.selectMergeProfile(tenant, q));
          return create(SelectMergeStacktracesResponseSchema, { pprof: create(PprofProfileSchema, { profile }) });
        }
        case ProfileFormat.DOT:
          // A call graph is read by people: it keeps 100 functions unless max_nodes says otherwise.
          return create(SelectMergeStacktracesResponseSchema, {
            dot: renderDot(await api.selectMergeTree(tenant, q), q.profileType, req.maxNodes === undefined ? 0 : Number(req.maxNodes)),
          });
        case ProfileFormat.TREE:
          return create(SelectMergeStacktracesResponseSchema, { tree: marshalTree(await api.selectMergeTree(tenant, q), n) });
        default:
          return create(SelectMergeStacktracesResponseSchema, { flamegraph: toPbFlameGraph(buildFlameGraph(await api.selectMergeTree(tenant, q), n)) });
      }
    },

    async selectMergeProfile(tenant, req) {
      const q = toSelectQuery(req.profileTypeID, req.labelSelector, req.start, req.end);
      return toPbProfile(await api.selectMergeProfile(tenant, q));
    },

    async selectSeries(tenant, req) {
      const q = toSelectQuery(req.profileTypeID, req.labelSelector, req.start, req.end);
      if (q.startMs > q.endMs) throw new InvalidArgumentError("invalid_request", "start must be before end");
      if (!(req.step > 0)) throw new InvalidArgumentError("invalid_request", req.step === 0 ? "step must be non-zero" : `step must be positive, got ${req.step}`);
      const series = await api.selectSeries(tenant, q, {
        stepMs: Math.max(1, Math.round(req.step * 1000)),
        groupBy: req.groupBy,
        aggregation: req.aggregation === TimeSeriesAggregationType.AVERAGE ? "average" : "sum",
        limit: req.limit === undefined ? 0 : Number(req.limit),
      });
      return create(SelectSeriesResponseSchema, { series: series.map(toPbSeries) });
    },

    async diff(tenant, req) {
      if (!req.left || !req.right) throw new InvalidArgumentError("invalid_request", "left and right queries are both required");
      const left = toSelectQuery(req.left.profileTypeID, req.left.labelSelector, req.left.start, req.left.end);
      const right = toSelectQuery(req.right.profileTypeID, req.right.labelSelector, req.right.start, req.right.end);
      const n = maxNodes(tenant, req.left.maxNodes, DIFF_MAX_NODES_DEFAULT);
      const [l, r] = await Promise.all([api.selectMergeTree(tenant, left), api.selectMergeTree(tenant, right)]);
      return create(DiffResponseSchema, { flamegraph: toPbFlameGraphDiff(buildFlameGraphDiff(l, r, n)) });
    },
  };
}

/**
 * Runs one querier.v1 call given as its method name ("SelectMergeStacktraces") and its
 * request's protobuf bytes; resolves to the response's protobuf bytes.
 */
export async function dispatchQuerierCall(calls: QuerierCalls, tenant: string, method: string, request: Uint8Array): Promise<Uint8Array> {
  switch (method) {
    case "ProfileTypes":
      return toBinary(ProfileTypesResponseSchema, await calls.profileTypes(tenant, fromBinary(ProfileTypesRequestSchema, request)));
    case "LabelNames":
      return toBinary(LabelNamesResponseSchema, await calls.labelNames(tenant, fromBinary(LabelNamesRequestSchema, request)));
    case "LabelValues":
      return toBinary(LabelValuesResponseSchema, await calls.labelValues(tenant, fromBinary(LabelValuesRequestSchema, request)));
    case "Series":
      return toBinary(SeriesResponseSchema, await calls.series(tenant, fromBinary(SeriesRequestSchema, request)));
    case "SelectMergeStacktraces":
      return toBinary(
        SelectMergeStacktracesResponseSchema,
        await calls.selectMergeStacktraces(tenant, fromBinary(SelectMergeStacktracesRequestSchema, request)),
      );
    case "SelectMergeProfile":
      return toBinary(ProfileSchema, await calls.selectMergeProfile(tenant, fromBinary(SelectMergeProfileRequestSchema, request)));
    case "SelectSeries":
      return toBinary(SelectSeriesResponseSchema, await calls.selectSeries(tenant, fromBinary(SelectSeriesRequestSchema, request)));
    case "Diff":
      return toBinary(DiffResponseSchema, await calls.diff(tenant, fromBinary(DiffRequestSchema, request)));
    default:
      throw new UnimplementedError(`querier.v1.QuerierService has no method ${JSON.stringify(method)} that a querier runs`);
  }
}

/** Registers querier.v1.QuerierService over `api`. */
export function registerQuerierService(router: ConnectRouter, api: QuerierApi, limits: (tenant: string) => Limits): void {
  const calls = createQuerierCalls(api, limitsMaxNodes(limits));
  router.service(QuerierService, {
    profileTypes: (req: ProfileTypesRequest, ctx: HandlerContext) => calls.profileTypes(rpcTenant(ctx), req),
    labelNames: (req: LabelNamesRequest, ctx: HandlerContext) => calls.labelNames(rpcTenant(ctx), req),
    labelValues: (req: LabelValuesRequest, ctx: HandlerContext) => calls.labelValues(rpcTenant(ctx), req),
    series: (req: SeriesRequest, ctx: HandlerContext) => calls.series(rpcTenant(ctx), req),
    selectMergeStacktraces: (req: SelectMergeStacktracesRequest, ctx: HandlerContext) => calls.selectMergeStacktraces(rpcTenant(ctx), req),
    selectMergeProfile: (req: SelectMergeProfileRequest, ctx: HandlerContext) => calls.selectMergeProfile(rpcTenant(ctx), req),
    selectSeries: (req: SelectSeriesRequest, ctx: HandlerContext) => calls.selectSeries(rpcTenant(ctx), req),
    diff: (req: DiffRequest, ctx: HandlerContext) => calls.diff(rpcTenant(ctx), req),
  });
}
