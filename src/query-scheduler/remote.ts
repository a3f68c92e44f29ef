/**
 * A connect client of one query-scheduler: binary protobuf over one HTTP/2 connection
 * (cleartext, prior knowledge), which carries every Enqueue and QuerierLoop stream to it.
 */
import { createClient } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { createConnectTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { SchedulerService } from "../gen/scheduler/v1/scheduler_pb.js";
import { targetUrl } from "./discovery.js";

// PINGs keep a querier's idle streams from the server's idle-socket timeout (2 minutes by
// default) and notice a scheduler host that vanished without closing its connections.
const PING_INTERVAL_MS = 30_000;

/** The client of one scheduler target ("host:port"). */
export interface SchedulerConnection {
  readonly target: string;
  readonly client: Client<typeof SchedulerService>;
  /** Closes the connection and every stream on it. */
  close(): void;
}

/** Opens (lazily, on the first call) a connection to the scheduler at `target`. */
export function connectScheduler(target: string): SchedulerConnection {
  const baseUrl = targetUrl(target);
  const sessionManager = new Http2SessionManager(baseUrl, { pingIntervalMs: PING_INTERVAL_MS });
  const transport = createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true, sessionManager });
  return {
    target,
    client: createClient(SchedulerService, transport),
    close: () => sessionManager.abort(),
  };
}
