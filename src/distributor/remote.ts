/**
 * A DistributorApi in another process: push.v1.PusherService/Push over Connect (binary protobuf),
 * with the tenant in X-Scope-OrgID. Used by an agent that runs without a distributor.
 */
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { PusherService, PushRequestSchema } from "../gen/push/v1/push_pb.js";
import { toPbLabelPairs } from "../server/convert.js";
import type { DistributorApi, PushInput } from "./api.js";

/** A client for a remote distributor at `baseUrl` (e.g. "http://phlare:4100"). */
export class RemoteDistributor implements DistributorApi {
  private readonly client: Client<typeof PusherService>;

  constructor(
    baseUrl: string,
    private readonly timeoutMs: number,
  ) {
    this.client = createClient(PusherService, createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true }));
  }

  /** Pushes and resolves once the remote distributor accepted the profiles. */
  async push(tenant: string, input: PushInput): Promise<void> {
    const req = create(PushRequestSchema, {
      series: input.series.map((s) => ({
        labels: toPbLabelPairs(s.labels),
        samples: s.samples.map((x) => ({ rawProfile: x.rawProfile, ID: x.id })),
      })),
    });
    // A failure is a ConnectError whose message carries the code, e.g. "[invalid_argument] ...".
    await this.client.push(req, { headers: { "X-Scope-OrgID": tenant }, timeoutMs: this.timeoutMs });
  }
}
