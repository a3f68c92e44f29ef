/**
 * One TCP port for HTTP/1.1 and cleartext HTTP/2 (h2c): gRPC clients and Go's h2c
 * clients speak HTTP/2 with prior knowledge, everything else HTTP/1.1. The first
 * bytes of a connection decide which server gets it.
 */
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { AddressInfo } from "node:net";
import type { connectNodeAdapter } from "@connectrpc/connect-node";

/** The handler type connect-node produces, for HTTP/1.1 and HTTP/2 alike. */
export type NodeHandler = ReturnType<typeof connectNodeAdapter>;
/** A request of either HTTP version. */
export type NodeRequest = Parameters<NodeHandler>[0];
/** A response of either HTTP version. */
export type NodeResponse = Parameters<NodeHandler>[1];

/** Timeouts of the HTTP server, milliseconds (0 = none). */
export interface HttpServerOptions {
  readTimeoutMs: number;
  writeTimeoutMs: number;
  idleTimeoutMs: number;
}

/** A listening server. */
export interface HttpServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** Stops accepting, waits for in-flight requests up to `graceMs`, then closes the rest. */
  close(graceMs: number): Promise<void>;
}

const H2_PREFACE = "PRI * HTTP/2.0";

/** Starts serving `handler` on host:port for HTTP/1.1 and h2c. */
export async function listenHttp(host: string, port: number, handler: NodeHandler, opts: HttpServerOptions): Promise<HttpServer> {
  let closing = false;
  let inFlight = 0;
  // Counts requests, so that close() waits for them; once closing, HTTP/1.1 answers end their connection.
  const counted = ((req: NodeRequest, res: NodeResponse) => {
    inFlight++;
    res.once("close", () => inFlight--);
    if (closing && req.httpVersionMajor === 1) res.setHeader("connection", "close");
    return handler(req, res);
  }) as NodeHandler;
  // Idle keep-alive sockets are the client's to close first (Node's agent drops them after 5 s):
  // a server closing them at the same moment a client reuses one makes that request fail.
  const h1 = http.createServer({ requestTimeout: opts.readTimeoutMs, keepAliveTimeout: opts.idleTimeoutMs > 0 ? opts.idleTimeoutMs : 120_000 }, counted as http.RequestListener);
  h1.headersTimeout = Math.min(opts.readTimeoutMs || 60_000, 60_000);
  const h2 = http2.createServer({ settings: { maxConcurrentStreams: 1000 } }, counted as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void);
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  const sockets = new Set<net.Socket>();
  const mux = net.createServer((sock) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    if (opts.idleTimeoutMs > 0) sock.setTimeout(opts.idleTimeoutMs, () => sock.destroy());
    sock.once("data", (buf) => {
      sock.pause();
      sock.unshift(buf);
      const target = buf.subarray(0, H2_PREFACE.length).toString("latin1") === H2_PREFACE ? h2 : h1;
      target.emit("connection", sock);
      process.nextTick(() => sock.resume());
    });
    sock.on("error", () => sock.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    mux.once("error", reject);
    mux.listen(port, host || undefined, () => {
      mux.off("error", reject);
      resolve();
    });
  });
  const bound = (mux.address() as AddressInfo).port;
  return {
    port: bound,
    close: async (graceMs) => {
      closing = true;
      const closed = new Promise<void>((resolve) => mux.close(() => resolve()));
      h1.closeIdleConnections();
      // GOAWAY: h2 clients open no new streams here; the open ones finish.
      for (const s of sessions) s.close();
      const deadline = Date.now() + graceMs;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const s of sockets) s.end();
      const cut = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, 100);
      await closed;
      clearTimeout(cut);
    },
  };
}
