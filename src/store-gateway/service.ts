/**
 * storegateway.v1.StoreGatewayService over a store-gateway: the merge protocol queriers read
 * with, and the label RPCs over the blocks it owns.
 */
import { create } from "@bufbuild/protobuf";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import { ProfileTypesResponseSchema, SeriesResponseSchema } from "../gen/ingester/v1/ingester_pb.js";
import type { ProfileTypesRequest, SeriesRequest } from "../gen/ingester/v1/ingester_pb.js";
import { StoreGatewayService } from "../gen/storegateway/v1/storegateway_pb.js";
import { LabelNamesResponseSchema, LabelValuesResponseSchema } from "../gen/types/v1/types_pb.js";
import type { LabelNamesRequest, LabelValuesRequest } from "../gen/types/v1/types_pb.js";
import { compareStrings } from "../model/labels.js";
import { mergeHandlers } from "../ingester/merge-service.js";
import { toLabelQuery, toPbLabels, toPbProfileType } from "../server/convert.js";
import { rpcTenant } from "../server/server.js";
import type { StoreGateway } from "./store-gateway.js";

/** Registers storegateway.v1.StoreGatewayService over `gw`. */
export function registerStoreGatewayService(router: ConnectRouter, gw: StoreGateway): void {
  router.service(StoreGatewayService, {
    ...mergeHandlers(async (tenant) => gw.view(tenant).reader),

    async labelValues(req: LabelValuesRequest, ctx: HandlerContext) {
      const names = await gw.labelValues(rpcTenant(ctx), req.name, toLabelQuery(req.matchers, req.start, req.end));
      return create(LabelValuesResponseSchema, { names });
    },

    async labelNames(req: LabelNamesRequest, ctx: HandlerContext) {
      const names = await gw.labelNames(rpcTenant(ctx), toLabelQuery(req.matchers, req.start, req.end));
      return create(LabelNamesResponseSchema, { names });
    },

    async profileTypes(req: ProfileTypesRequest, ctx: HandlerContext) {
      const types = await gw.profileTypes(rpcTenant(ctx), toLabelQuery([], req.start, req.end));
      return create(ProfileTypesResponseSchema, { profileTypes: types.sort((a, b) => compareStrings(a.id, b.id)).map(toPbProfileType) });
    },

    async series(req: SeriesRequest, ctx: HandlerContext) {
      const sets = await gw.series(rpcTenant(ctx), toLabelQuery(req.matchers, req.start, req.end), req.labelNames);
      return create(SeriesResponseSchema, { labelsSet: sets.map(toPbLabels) });
    },
  });
}
