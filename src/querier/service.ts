/**
 * querier.v1.QuerierService over a QuerierApi (the frontend in front of a querier,
 * or the querier alone): protobuf in, domain calls, protobuf out.
 */
import { create } from "@bufbuild/protobuf";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import { LabelNamesResponseSchema, LabelValuesResponseSchema } from "../gen/types/v1/types_pb.js";
import type { LabelNamesRequest, LabelValuesRequest } from "../gen/types/v1/types_pb.js";
import { TimeSeriesAggregationType } from "../gen/types/v1/types_pb.js";
import {
  DiffResponseSchema,
  PprofProfileSchema,
  ProfileFormat,
  ProfileTypesResponseSchema,
  QuerierService,
  SelectMergeStacktracesResponseSchema,
  SelectSeriesResponseSchema,
  SeriesResponseSchema,
} from "../gen/querier/v1/querier_pb.js";
import type {
  DiffRequest,
  ProfileTypesRequest,
  SelectMergeProfileRequest,
  SelectMergeStacktracesRequest,
  SelectSeriesRequest,
  SeriesRequest,
} from "../gen/querier/v1/querier_pb.js";
import type { Limits } from "../config/limits.js";
import { InvalidArgumentError } from "../model/errors.js";
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

/** Registers querier.v1.QuerierService over `api`. */
export function registerQuerierService(router: ConnectRouter, api: QuerierApi, limits: (tenant: string) => Limits): void {
  const maxNodes = (tenant: string, requested: bigint | undefined, fallback?: number): number => {
    const l = limits(tenant);
    const n = requested === undefined ? 0 : Number(requested);
    if (n === 0) return fallback ?? l.max_flamegraph_nodes_default;
    if (l.max_flamegraph_nodes_max > 0 && n > l.max_flamegraph_nodes_max) {
      throw new InvalidArgumentError("invalid_query", `max_nodes (${n}) exceeds the limit (${l.max_flamegraph_nodes_max})`);
    }
    return n;
  };

  router.service(QuerierService, {
    async profileTypes(req: ProfileTypesRequest, ctx: HandlerContext) {
      const types = await api.profileTypes(rpcTenant(ctx), toLabelQuery([], req.start, req.end));
      return create(ProfileTypesResponseSchema, { profileTypes: types.map(toPbProfileType) });
    },

    async labelNames(req: LabelNamesRequest, ctx: HandlerContext) {
      const names = await api.labelNames(rpcTenant(ctx), toLabelQuery(req.matchers, req.start, req.end));
      return create(LabelNamesResponseSchema, { names });
    },

    async labelValues(req: LabelValuesRequest, ctx: HandlerContext) {
      if (req.name === "") throw new InvalidArgumentError("invalid_request", "label name is required");
      const names = await api.labelValues(rpcTenant(ctx), req.name, toLabelQuery(req.matchers, req.start, req.end));
      return create(LabelValuesResponseSchema, { names });
    },

    async series(req: SeriesRequest, ctx: HandlerContext) {
      const sets = await api.series(rpcTenant(ctx), toLabelQuery(req.matchers, req.start, req.end), req.labelNames);
      return create(SeriesResponseSchema, { labelsSet: sets.map(toPbLabels) });
    },

    async selectMergeStacktraces(req: SelectMergeStacktracesRequest, ctx: HandlerContext) {
      const tenant = rpcTenant(ctx);
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

    async selectMergeProfile(req: SelectMergeProfileRequest, ctx: HandlerContext) {
      const tenant = rpcTenant(ctx);
      const q = toSelectQuery(req.profileTypeID, req.labelSelector, req.start, req.end);
      return toPbProfile(await api.selectMergeProfile(tenant, q));
    },

    async selectSeries(req: SelectSeriesRequest, ctx: HandlerContext) {
      const tenant = rpcTenant(ctx);
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

    async diff(req: DiffRequest, ctx: HandlerContext) {
      const tenant = rpcTenant(ctx);
      if (!req.left || !req.right) throw new InvalidArgumentError("invalid_request", "left and right queries are both required");
      const left = toSelectQuery(req.left.profileTypeID, req.left.labelSelector, req.left.start, req.left.end);
      const right = toSelectQuery(req.right.profileTypeID, req.right.labelSelector, req.right.start, req.right.end);
      const n = maxNodes(tenant, req.left.maxNodes, DIFF_MAX_NODES_DEFAULT);
      const [l, r] = await Promise.all([api.selectMergeTree(tenant, left), api.selectMergeTree(tenant, right)]);
      return create(DiffResponseSchema, { flamegraph: toPbFlameGraphDiff(buildFlameGraphDiff(l, r, n)) });
    },
  });
}
