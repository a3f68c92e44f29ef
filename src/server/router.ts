/**
 * Plain HTTP routes (everything that is not an RPC): a tiny router with path
 * parameters, a request wrapper that reads bodies with a size limit and undoes
 * Content-Encoding: gzip, and response writing with optional gzip.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { InvalidArgumentError, LimitExceededError } from "../model/errors.js";
import type { NodeRequest, NodeResponse } from "./http-server.js";

/** A plain-route request. */
export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  /** Path parameters of the matched route, e.g. {tenant} in /store-gateway/tenant/{tenant}/blocks. */
  readonly params: Record<string, string>;
  header(name: string): string | undefined;
  /** The whole body, gunzipped if Content-Encoding says gzip; LimitExceededError("body_too_large") past maxBytes. */
  body(maxBytes: number): Promise<Uint8Array>;
  /** The request's tenant; throws UnauthenticatedError when multitenancy is on and the header is missing. */
  tenant(): string;
}

/** A plain-route response. */
export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/** A plain-route handler. */
export type RouteHandler = (req: HttpRequest) => Promise<HttpResponse>;

interface Route {
  methods: readonly string[];
  segments: string[];
  prefix: boolean;
  handler: RouteHandler;
  name: string;
}

/** Routes by method and path. */
export class Router {
  private readonly routes: Route[] = [];

  /**
   * Adds a route. `path` may contain `{param}` segments; with `prefix` it also
   * matches every path below it.
   */
  add(methods: readonly string[], path: string, handler: RouteHandler, opts: { prefix?: boolean } = {}): void {
    this.routes.push({ methods, segments: path.split("/").filter((s) => s !== ""), prefix: opts.prefix ?? false, handler, name: path });
  }

  /** The route for a request, or undefined (`methodNotAllowed` when only the method is wrong). */
  match(method: string, path: string): { handler: RouteHandler; params: Record<string, string>; name: string } | { methodNotAllowed: true } | undefined {
    const parts = path.split("/").filter((s) => s !== "");
    let wrongMethod = false;
    for (const r of this.routes) {
      const params = matchSegments(r, parts);
      if (!params) continue;
      if (!r.methods.includes(method)) {
        wrongMethod = true;
        continue;
      }
      return { handler: r.handler, params, name: r.name };
    }
    return wrongMethod ? { methodNotAllowed: true } : undefined;
  }
}

function matchSegments(r: Route, parts: string[]): Record<string, string> | undefined {
  if (r.prefix ? parts.length < r.segments.length : parts.length !== r.segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < r.segments.length; i++) {
    const seg = r.segments[i]!;
    if (seg.startsWith("{") && seg.endsWith("}")) {
      try {
        params[seg.slice(1, -1)] = decodeURIComponent(parts[i]!);
      } catch {
        return undefined;
      }
    } else if (seg !== parts[i]) return undefined;
  }
  return params;
}

/** Reads a node request body up to `maxBytes`, then gunzips it when Content-Encoding is gzip. */
export async function readBody(req: NodeRequest, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers["content-length"] ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw new LimitExceededError("body_too_large", `request body is ${declared} bytes, limit is ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      req.resume();
      throw new LimitExceededError("body_too_large", `request body is larger than the limit of ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks, size);
  const encoding = String(req.headers["content-encoding"] ?? "").toLowerCase();
  if (encoding === "gzip" || encoding === "x-gzip") {
    try {
      return gunzipSync(raw, { maxOutputLength: maxBytes });
    } catch (err) {
      if (err instanceof RangeError || (err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
        throw new LimitExceededError("body_too_large", `decompressed request body is larger than the limit of ${maxBytes} bytes`);
      }
      throw new InvalidArgumentError("invalid_request", `request body is not valid gzip: ${(err as Error).message}`);
    }
  }
  return raw;
}

/** Writes `r` to a node response, gzipped when the client accepts it and it is worth it. */
export function writeResponse(req: NodeRequest, res: NodeResponse, r: HttpResponse): void {
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  let body: Uint8Array | string = r.body ?? "";
  const bytes = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
  const accepts = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
  if (accepts && bytes >= 1024 && headers["content-encoding"] === undefined) {
    body = gzipSync(body);
    headers["content-encoding"] = "gzip";
    headers["vary"] = "Accept-Encoding";
  }
  headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
  res.writeHead(r.status, headers);
  res.end(body);
}
