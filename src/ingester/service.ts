/**
 * ingester.v1.IngesterService over an IngesterApi: the push and label RPCs, and the streaming
 * merge RPCs remote queriers use (src/ingester/merge-service.ts).
 */
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import { FlushResponseSchema, IngesterService, ProfileTypesResponseSchema, SeriesResponseSchema } from "../gen/ingester/v1/ingester_pb.js";
import type { ProfileTypesRequest, SeriesRequest } from "../gen/ingester/v1/ingester_pb.js";
import { PushResponseSchema } from "../gen/push/v1/push_pb.js";
import type { PushRequest } from "../gen/push/v1/push_pb.js";
import { LabelNamesResponseSchema, LabelValuesResponseSchema } from "../gen/types/v1/types_pb.js";
import type { LabelNamesRequest, LabelValuesRequest } from "../gen/types/v1/types_pb.js";
import { sortLabels } from "../model/labels.js";
import { decodePprof, maybeGunzip } from "../model/pprof/index.js";
import type { IngestProfile } from "../model/query.js";
import { MAX_DECOMPRESSED_PROFILE_BYTES } from "../distributor/distributor.js";
import { fromPbLabels, toLabelQuery, toPbLabels, toPbProfileType } from "../server/convert.js";
import { rpcTenant } from "../server/server.js";
import type { IngesterApi } from "./api.js";
import { mergeHandlers } from "./merge-service.js";
import type { ReaderSource } from "./merge-service.js";

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Registers ingester.v1.IngesterService over `api`, the merge RPCs over `source`. */
export function registerIngesterService(router: ConnectRouter, api: IngesterApi, source: ReaderSource): void {
  router.service(IngesterService, {
    ...mergeHandlers(source),

    async push(req: PushRequest, ctx: HandlerContext) {
      const profiles: IngestProfile[] = [];
      for (const s of req.series) {
        // The distributor validated and normalized these; the ingester only decodes them.
        const labels = sortLabels(fromPbLabels(s.labels));
        for (const sample of s.samples) {
          profiles.push({
            id: UUID_RE.test(sample.ID) ? sample.ID : randomUUID(),
            labels,
            profile: decodePprof(maybeGunzip(sample.rawProfile, MAX_DECOMPRESSED_PROFILE_BYTES)),
            // The WAL keeps the bytes as they came: no second encode.
            raw: sample.rawProfile,
          });
        }
      }
      await api.push(rpcTenant(ctx), profiles);
      return create(PushResponseSchema, {});
    },

    async labelValues(req: LabelValuesRequest, ctx: HandlerContext) {
      const names = await api.labelValues(rpcTenant(ctx), req.name, toLabelQuery(req.matchers, req.start, req.end));
      return create(LabelValuesResponseSchema, { names: [...new Set(names)].sort() });
    },

    async labelNames(req: LabelNamesRequest, ctx: HandlerContext) {
      const names = await api.labelNames(rpcTenant(ctx), toLabelQuery(req.matchers, req.start, req.end));
      return create(LabelNamesResponseSchema, { names: [...new Set(names)].sort() });
    },

    async profileTypes(req: ProfileTypesRequest, ctx: HandlerContext) {
      const types = await api.profileTypes(rpcTenant(ctx), toLabelQuery([], req.start, req.end));
      return create(ProfileTypesResponseSchema, { profileTypes: types.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(toPbProfileType) });
    },

    async flush() {
      await api.flush();
      return create(FlushResponseSchema, {});
    },

    async series(req: SeriesRequest, ctx: HandlerContext) {
      const sets = await api.series(rpcTenant(ctx), toLabelQuery(req.matchers, req.start, req.end), req.labelNames);
      return create(SeriesResponseSchema, { labelsSet: sets.map(toPbLabels) });
    },
  });
}
