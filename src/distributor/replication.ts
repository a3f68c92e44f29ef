/**
 * Writing profiles to their replicas: each series goes to the RF ingesters the ring gives for
 * its token; a push succeeds once every series was acknowledged (durably, by the ingesters' WALs)
 * by a quorum of its replicas, and fails as soon as one series cannot reach its quorum any more.
 * Calls still running after the answer go on, so that the last replica gets its copy too.
 */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { IngesterService } from "../gen/ingester/v1/ingester_pb.js";
import { PushRequestSchema } from "../gen/push/v1/push_pb.js";
import type { IngesterApi } from "../ingester/api.js";
import { encodePprof } from "../model/pprof/encode.js";
import type { IngestProfile } from "../model/query.js";
import type { RingReader } from "../ring/ring.js";
import { Write } from "../ring/ring.js";
import { tokenHash } from "../ring/token-hash.js";
import { toPbLabelPairs } from "../server/convert.js";
import type { TransportPool } from "../server/client-pool.js";

/** Where pushes go: `push` of an ingester, local or remote. */
export type Pusher = Pick<IngesterApi, "push">;

// Every replica gets the same bytes: encode each normalized profile once.
const encoded = new WeakMap<IngestProfile, Uint8Array>();

/** The profile as the ingester RPC carries it: normalized pprof, encoded once. */
function bytesOf(p: IngestProfile): Uint8Array {
  let b = encoded.get(p);
  if (!b) {
    b = encodePprof(p.profile);
    encoded.set(p, b);
  }
  return b;
}

/** An ingester in another process, for pushes. */
export class RemoteIngesterPusher implements Pusher {
  private readonly client: Client<typeof IngesterService>;

  constructor(
    pool: TransportPool,
    addr: string,
    private readonly timeoutMs: number,
  ) {
    this.client = createClient(IngesterService, pool.get(addr));
  }

  async push(tenant: string, profiles: IngestProfile[]): Promise<void> {
    const req = create(PushRequestSchema, {
      series: profiles.map((p) => ({ labels: toPbLabelPairs(p.labels), samples: [{ rawProfile: bytesOf(p), ID: p.id }] })),
    });
    await this.client.push(req, { headers: { "X-Scope-OrgID": tenant }, timeoutMs: this.timeoutMs });
  }
}

/** Pushes through the ring with replication and quorum. */
export class ReplicatedPusher implements Pusher {
  private readonly clients = new Map<string, Pusher>();

  constructor(
    private readonly ring: RingReader,
    private readonly clientFor: (addr: string) => Pusher,
  ) {}

  push(tenant: string, profiles: IngestProfile[]): Promise<void> {
    const perAddr = new Map<string, number[]>();
    const need = new Int32Array(profiles.length);
    const budget = new Int32Array(profiles.length);
    for (let i = 0; i < profiles.length; i++) {
      let set;
      try {
        set = this.ring.get(tokenHash(tenant, profiles[i]!.labels), Write);
      } catch (err) {
        return Promise.reject(new ConnectError(err instanceof Error ? err.message : String(err), Code.Unavailable));
      }
      need[i] = set.instances.length - set.maxErrors;
      budget[i] = set.maxErrors;
      for (const inst of set.instances) {
        let list = perAddr.get(inst.addr);
        if (!list) perAddr.set(inst.addr, (list = []));
        list.push(i);
      }
    }
    let pending = 0;
    for (let i = 0; i < need.length; i++) if (need[i]! > 0) pending++;
    return new Promise<void>((resolve, reject) => {
      let done = pending === 0;
      if (done) resolve();
      for (const [addr, idx] of perAddr) {
        this.client(addr)
          .push(tenant, idx.map((i) => profiles[i]!))
          .then(
            () => {
              if (done) return;
              for (const i of idx) if (need[i]! > 0 && --need[i]! === 0) pending--;
              if (pending === 0) {
                done = true;
                resolve();
              }
            },
            (err: unknown) => {
              if (done) return;
              for (const i of idx) {
                if (--budget[i]! < 0) {
                  done = true;
                  reject(err);
                  return;
                }
              }
            },
          );
      }
    });
  }

  private client(addr: string): Pusher {
    let c = this.clients.get(addr);
    if (!c) {
      c = this.clientFor(addr);
      this.clients.set(addr, c);
    }
    return c;
  }
}
