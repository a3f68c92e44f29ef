/**
 * Load for cluster tests: clients pushing profiles without pause through a rotation of
 * distributors, and a reader querying through a rotation of query entry points, each counting
 * what was acknowledged and what failed. A rotation is what a Kubernetes Service gives: members
 * are taken out before they stop, and requests already sent finish.
 */
import { createClient } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { PusherService } from "../../src/gen/push/v1/push_pb.js";
import { QuerierService } from "../../src/gen/querier/v1/querier_pb.js";
import { CPU, cpuTotal, fgTotal } from "./api.js";
import type { Member } from "./cluster.js";

/** Members in service, and the requests each has in flight. */
export class Rotation {
  private readonly inFlight = new Map<Member, number>();
  private readonly out = new Set<Member>();
  private next = 0;

  constructor(private readonly members: Member[]) {}

  /** Runs `fn` against the next member in service. */
  async use<T>(fn: (m: Member) => Promise<T>): Promise<T> {
    const live = this.members.filter((m) => !this.out.has(m));
    if (live.length === 0) throw new Error("no member in service");
    const m = live[this.next++ % live.length]!;
    this.inFlight.set(m, (this.inFlight.get(m) ?? 0) + 1);
    try {
      return await fn(m);
    } finally {
      this.inFlight.set(m, this.inFlight.get(m)! - 1);
    }
  }

  /** Takes `m` out of service and waits for its requests in flight. */
  async drain(m: Member): Promise<void> {
    this.out.add(m);
    while ((this.inFlight.get(m) ?? 0) > 0) await new Promise((r) => setTimeout(r, 20));
  }

  /** Puts `m` back in service. */
  restore(m: Member): void {
    this.out.delete(m);
  }
}

const pushClients = new Map<string, Client<typeof PusherService>>();
const queryClients = new Map<string, Client<typeof QuerierService>>();

function pushClient(url: string): Client<typeof PusherService> {
  let c = pushClients.get(url);
  if (!c) pushClients.set(url, (c = createClient(PusherService, createConnectTransport({ baseUrl: url, httpVersion: "1.1" }))));
  return c;
}

/** A querier.v1 client for `url`. */
export function queryClient(url: string): Client<typeof QuerierService> {
  let c = queryClients.get(url);
  if (!c) queryClients.set(url, (c = createClient(QuerierService, createConnectTransport({ baseUrl: url, httpVersion: "1.1" }))));
  return c;
}

/** The service_name of the load's series. */
export const LOAD_SERVICE = "cluster-load";

/** Clients pushing CPU profiles of series {service_name=cluster-load, client=<i>} back to back. */
export class PushLoad {
  /** Sum of the nanoseconds of every acknowledged profile. */
  acked = 0;
  ackedCount = 0;
  readonly failures: string[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(rotation: Rotation, clients: number) {
    this.loops = Array.from({ length: clients }, (_, i) => this.loop(rotation, i));
  }

  private async loop(rotation: Rotation, client: number): Promise<void> {
    let last = 0;
    let seq = 0;
    while (this.running) {
      // Strictly increasing per series: a series must never go back in time.
      const ts = Math.max(Date.now(), last + 1);
      last = ts;
      const ns = 1_000 + (seq++ % 997);
      try {
        await rotation.use((m) => pushClient(m.url).push({ series: [cpuTotal({ __name__: "process_cpu", service_name: LOAD_SERVICE, client: String(client) }, ns, ts)] }));
        this.acked += ns;
        this.ackedCount++;
      } catch (err) {
        this.failures.push(`client ${client}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Stops pushing and waits for the pushes in flight. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

/** The total of every profile of the load's series, through `url`. */
export async function loadTotal(url: string, sinceMs: number): Promise<number> {
  const r = await queryClient(url).selectMergeStacktraces({
    profileTypeID: CPU,
    labelSelector: `{service_name="${LOAD_SERVICE}"}`,
    start: BigInt(sinceMs),
    end: BigInt(Date.now() + 60_000),
  });
  return fgTotal(r);
}

/** A reader querying the load's series back to back, counting failures. */
export class QueryLoad {
  queries = 0;
  readonly failures: string[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(rotation: Rotation, sinceMs: number) {
    this.loop = (async () => {
      while (this.running) {
        try {
          await rotation.use((m) => loadTotal(m.url, sinceMs));
          this.queries++;
        } catch (err) {
          this.failures.push(err instanceof Error ? err.message : String(err));
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
  }

  /** Stops querying and waits for the query in flight. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
