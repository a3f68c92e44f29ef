/**
 * Serves the registered RPCs on node's HTTP servers, like connect-node's adapter,
 * with one correction pass over error responses so that clients see what
 * Phlare's connect-go served: a request body that is not valid protobuf is
 * `invalid_argument` (the library reports `internal`), and Connect errors carry
 * the HTTP status connect-go 1.4 used (reference §2.1).
 */
import { Code, ConnectError, createConnectRouter } from "@connectrpc/connect";
import type { ConnectRouter, ConnectRouterOptions } from "@connectrpc/connect";
import type { UniversalServerResponse } from "@connectrpc/connect/protocol";
import { universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";
import type { NodeHandler, NodeRequest, NodeResponse } from "./http-server.js";

/** HTTP status per Connect error code, as connect-go 1.4 (Phlare's) answered. */
const CONNECT_GO_STATUS: Record<string, number> = {
  canceled: 408,
  unknown: 500,
  invalid_argument: 400,
  deadline_exceeded: 408,
  not_found: 404,
  already_exists: 409,
  permission_denied: 403,
  resource_exhausted: 429,
  failed_precondition: 412,
  aborted: 409,
  out_of_range: 400,
  unimplemented: 404,
  internal: 500,
  unavailable: 503,
  data_loss: 500,
  unauthenticated: 401,
};

const PARSE_ERROR = /^parse binary:/;

/** Options of the RPC adapter. */
export interface RpcAdapterOptions extends ConnectRouterOptions {
  routes: (router: ConnectRouter) => void;
  /** Serves every request that is not an RPC. */
  fallback: (req: NodeRequest, res: NodeResponse) => void;
  onError: (err: unknown) => void;
}

/** A node request handler serving the RPCs of `options.routes`. */
export function rpcAdapter(options: RpcAdapterOptions): NodeHandler {
  const router = createConnectRouter(options);
  options.routes(router);
  const paths = new Map(router.handlers.map((h) => [h.requestPath, h]));
  return (req, res) => {
    const handler = paths.get((req.url ?? "").split("?", 1)[0]!);
    if (!handler) {
      options.fallback(req, res);
      return;
    }
    handler(universalRequestFromNodeRequest(req, res, undefined, undefined))
      .then(correctErrors)
      .then(async (u) => {
        if (u.status >= 400) await drainUnread(req);
        return universalResponseToNodeResponse(u, res);
      })
      .catch((err: unknown) => {
        if (ConnectError.from(err).code !== Code.Aborted) options.onError(err);
      });
  };
}

// A rejected body (too large, say) may still be arriving. Answering and closing at once resets the
// connection under the client, which then never sees the error, so the rest is read and dropped
// first, within bounds.
const DRAIN_MAX_BYTES = 16 * 1024 * 1024;
const DRAIN_MAX_MS = 5000;

function drainUnread(req: NodeRequest): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = (): void => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", done);
      req.off("close", done);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > DRAIN_MAX_BYTES) done();
    };
    const timer = setTimeout(done, DRAIN_MAX_MS);
    req.on("data", onData);
    req.once("end", done);
    req.once("close", done);
    req.resume();
  });
}

/** Rewrites the code of binary parse errors and the status of Connect unary errors. */
async function correctErrors(u: UniversalServerResponse): Promise<UniversalServerResponse> {
  for (const h of [u.header, u.trailer]) {
    // gRPC and gRPC-Web carry the status in headers (trailers-only) or trailers.
    if (h?.get("grpc-status") === String(Code.Internal) && PARSE_ERROR.test(decodeURIComponent(h.get("grpc-message") ?? ""))) {
      h.set("grpc-status", String(Code.InvalidArgument));
    }
  }
  const contentType = u.header?.get("content-type") ?? "";
  if (u.status < 400 || !contentType.startsWith("application/json") || u.header?.has("content-encoding") || !u.body) return u;
  const chunks: Uint8Array[] = [];
  for await (const c of u.body) chunks.push(c);
  const bytes = Buffer.concat(chunks);
  let body: { code?: string; message?: string };
  try {
    body = JSON.parse(bytes.toString("utf8")) as { code?: string; message?: string };
  } catch {
    return { ...u, body: once(bytes) };
  }
  let out: Uint8Array = bytes;
  if (body.code === "internal" && PARSE_ERROR.test(body.message ?? "")) {
    body.code = "invalid_argument";
    out = Buffer.from(JSON.stringify(body));
    u.header?.set("content-length", String(out.byteLength));
  }
  return { ...u, status: CONNECT_GO_STATUS[body.code ?? ""] ?? u.status, body: once(out) };
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
