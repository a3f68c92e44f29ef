/**
 * Connect transports to other Phlare processes, one per address, over HTTP/2 (h2c): the merge
 * RPCs are bidi streams, and one multiplexed connection per peer serves every call.
 */
import type { Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";

/** Transports by `host:port`, created on first use. */
export class TransportPool {
  private readonly transports = new Map<string, Transport>();

  /** The transport to `addr` (host:port). */
  get(addr: string): Transport {
    let t = this.transports.get(addr);
    if (!t) {
      t = createConnectTransport({
        baseUrl: `http://${addr}`,
        httpVersion: "2",
        useBinaryFormat: true,
        // A dead peer must fail calls fast: quorum decides what a failure means.
        pingIntervalMs: 5_000,
        pingTimeoutMs: 5_000,
        idleConnectionTimeoutMs: 60_000,
      });
      this.transports.set(addr, t);
    }
    return t;
  }
}
