/**
 * push.v1.PusherService over a DistributorApi.
 */
import { create } from "@bufbuild/protobuf";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import { PusherService, PushResponseSchema } from "../gen/push/v1/push_pb.js";
import type { PushRequest } from "../gen/push/v1/push_pb.js";
import { fromPbLabels } from "../server/convert.js";
import { rpcTenant } from "../server/server.js";
import type { DistributorApi, PushInput } from "./api.js";

/** The domain form of a PushRequest. */
export function toPushInput(req: PushRequest): PushInput {
  return {
    series: req.series.map((s) => ({
      labels: fromPbLabels(s.labels),
      samples: s.samples.map((x) => ({ rawProfile: x.rawProfile, id: x.ID })),
    })),
  };
}

/** Registers push.v1.PusherService over `api`. */
export function registerPusherService(router: ConnectRouter, api: DistributorApi): void {
  router.service(PusherService, {
    async push(req: PushRequest, ctx: HandlerContext) {
      await api.push(rpcTenant(ctx), toPushInput(req));
      return create(PushResponseSchema, {});
    },
  });
}
