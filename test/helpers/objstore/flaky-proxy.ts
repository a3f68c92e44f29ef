/**
 * An HTTP proxy in front of a real object-storage server that fails requests on demand: it answers
 * with a chosen status (503, 429, 403, …) or drops the connection, and forwards everything else
 * untouched (Host included, so signed S3 requests still verify).
 */
import { createServer, request } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the proxy does to an intercepted request. */
export type InjectedFailure = { status: number } | "reset";

/** A running proxy. */
export interface FlakyProxy {
  /** Base URL of the proxy, to use as the endpoint. */
  readonly endpoint: string;
  /** Fails the next `count` requests with `failure`, then forwards again. */
  failNext(count: number, failure: InjectedFailure): void;
  /** Requests received since start or the last resetCounts(). */
  requests(): number;
  /** Requests failed on purpose since start or the last resetCounts(). */
  injected(): number;
  resetCounts(): void;
  close(): Promise<void>;
}

const S3_ERROR_CODES: Record<number, string> = {
  403: "AccessDenied",
  408: "RequestTimeout",
  429: "SlowDown",
  500: "InternalError",
  503: "ServiceUnavailable",
};

function reject(req: IncomingMessage, res: ServerResponse, failure: InjectedFailure): void {
  if (failure === "reset") {
    req.socket.destroy();
    return;
  }
  // Drain the body first so the client sees the answer, not a write error.
  req.resume();
  req.on("end", () => {
    const code = S3_ERROR_CODES[failure.status] ?? "InjectedFailure";
    const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected by the test proxy</Message></Error>`;
    res.writeHead(failure.status, { "Content-Type": "application/xml", "Content-Length": Buffer.byteLength(body), Connection: "close" });
    res.end(body);
  });
}

/** Starts a proxy to `target` (http://host:port) on a free port. */
export async function startFlakyProxy(target: string): Promise<FlakyProxy> {
  const upstream = new URL(target);
  let pending: Array<{ count: number; failure: InjectedFailure }> = [];
  let seen = 0;
  let failed = 0;

  const server = createServer((req, res) => {
    seen++;
    const next = pending[0];
    if (next !== undefined) {
      next.count--;
      if (next.count <= 0) pending = pending.slice(1);
      failed++;
      reject(req, res, next.failure);
      return;
    }
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    failNext(count, failure) {
      pending.push({ count, failure });
    },
    requests: () => seen,
    injected: () => failed,
    resetCounts() {
      seen = 0;
      failed = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
