/**
 * `storage.backend: swift`: the native OpenStack Swift API over fetch. One token per bucket, refreshed
 * when Swift answers 401; JSON listings paged with `marker`. `connect_timeout` bounds the wait for
 * response headers (together with `request_timeout`), `request_timeout` the silence between body chunks.
 * A single Swift object holds at most 5 GiB (no segmented uploads here).
 */
import { Readable } from "node:stream";
import { NotFoundError } from "../model/errors.js";
import type { Logger } from "../server/logger.js";
import { deleteIgnoringMissing, existsByAttributes, plainBytes, readRange, validateKey, validatePrefix } from "./bucket.js";
import type { BodySource, Bucket, ListOptions, ListResult, ObjectAttributes } from "./bucket.js";
import type { SwiftConfig } from "./config.js";
import { createRetrier, defaultRetryOptions, isConnectionError, isTransientStatus } from "./retry.js";
import type { Retrier, RetryOptions } from "./retry.js";
import { SwiftHttpError, swiftAuthenticate, validateSwiftConfig } from "./swift-auth.js";
import type { SwiftResponse, SwiftSession } from "./swift-auth.js";

/** Settings of the Swift bucket beyond its config. */
export interface SwiftBucketOptions {
  config: SwiftConfig;
  /** Replaces the policy derived from `max_retries` (tests). */
  retry?: RetryOptions;
  logger?: Logger;
  /** Entries per listing request (Swift's default cap is 10000). */
  listPageSize?: number;
}

/** A request that saw no progress for too long. */
class SwiftTimeoutError extends Error {
  override readonly name = "TimeoutError";
}

type RequestBody = Uint8Array | (() => Readable | AsyncIterable<Uint8Array>);

interface SwiftListEntry {
  name?: string;
  subdir?: string;
  bytes?: number;
  last_modified?: string;
}

/** Whether a failure of one Swift request is worth retrying. */
export function isTransientSwiftError(err: unknown): boolean {
  if (err instanceof SwiftHttpError) return isTransientStatus(err.status);
  return isConnectionError(err);
}

function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

// Swift's listing times are UTC without a zone designator: 2024-01-02T03:04:05.678900.
function parseSwiftTime(text: string | undefined): Date {
  if (text === undefined) return new Date(0);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
}

/** Creates a Swift bucket client; the container must exist. */
export function createSwiftBucket(options: SwiftBucketOptions): Bucket {
  validateSwiftConfig(options.config);
  return new SwiftBucket(options);
}

class SwiftBucket implements Bucket {
  readonly kind = "swift";
  readonly #cfg: SwiftConfig;
  readonly #retrier: Retrier;
  readonly #pageSize: number;
  #session: Promise<SwiftSession> | undefined;

  constructor(options: SwiftBucketOptions) {
    this.#cfg = options.config;
    this.#pageSize = Math.max(1, options.listPageSize ?? 10_000);
    this.#retrier = createRetrier({
      ...(options.retry ?? { ...defaultRetryOptions(), maxAttempts: options.config.max_retries + 1 }),
      isTransient: isTransientSwiftError,
      logger: options.logger?.with({ backend: "swift", container: options.config.container_name }),
    });
  }

  // fetch with Phlare's two timeouts: headers within connect+request timeout, then no gap between
  // body chunks (either way) longer than the request timeout.
  async #send(url: string, method: string, headers: Record<string, string>, body?: RequestBody): Promise<SwiftResponse> {
    const connectMs = this.#cfg.connect_timeout;
    const idleMs = this.#cfg.request_timeout;
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number): void => {
      clearTimeout(timer);
      if (ms > 0) timer = setTimeout(() => ac.abort(new SwiftTimeoutError(`swift ${method} made no progress for ${ms} ms`)), ms);
    };
    arm(connectMs + idleMs);
    try {
      const init: RequestInit & { duplex?: "half" } = { method, headers, signal: ac.signal };
      if (body instanceof Uint8Array) {
        init.body = body;
      } else if (body !== undefined) {
        const source = body();
        const watched = (async function* () {
          for await (const chunk of source) {
            arm(connectMs + idleMs);
            yield typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Uint8Array);
          }
        })();
        // Node's fetch streams a ReadableStream body as chunked transfer encoding; Swift accepts that.
        init.body = Readable.toWeb(Readable.from(watched)) as unknown as ReadableStream<Uint8Array>;
        init.duplex = "half";
      }
      const res = await fetch(url, init);
      arm(idleMs);
      const chunks: Uint8Array[] = [];
      if (res.body !== null) {
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          arm(idleMs);
        }
      }
      return { status: res.status, headers: res.headers, body: plainBytes(chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks)) };
    } finally {
      clearTimeout(timer);
    }
  }

  #auth(): Promise<SwiftSession> {
    if (this.#session === undefined) {
      const session = swiftAuthenticate(this.#cfg, (url, method, headers, body) => this.#send(url, method, headers, body));
      this.#session = session;
      session.catch(() => {
        if (this.#session === session) this.#session = undefined;
      });
    }
    return this.#session;
  }

  /** One attempt at a request on the container (key "" for the container itself), re-authenticating once on 401. */
  async #request(
    method: string,
    key: string,
    opts: { query?: Record<string, string>; headers?: Record<string, string>; body?: RequestBody } = {},
  ): Promise<SwiftResponse> {
    for (let reauth = false; ; reauth = true) {
      const session = await this.#auth();
      const query = opts.query !== undefined ? `?${new URLSearchParams(opts.query).toString()}` : "";
      const path = `${session.storageUrl}/${encodeURIComponent(this.#cfg.container_name)}${key !== "" ? `/${encodeKey(key)}` : ""}`;
      const res = await this.#send(`${path}${query}`, method, { ...opts.headers, "X-Auth-Token": session.token }, opts.body);
      if (res.status !== 401 || reauth) return res;
      // The token expired or was revoked: drop it (unless another request already did) and log in again.
      if (this.#session !== undefined && (await this.#session.catch(() => undefined)) === session) this.#session = undefined;
    }
  }

  #check(res: SwiftResponse, what: string, key: string, ok: number[]): SwiftResponse {
    if (ok.includes(res.status)) return res;
    if (res.status === 404) throw new NotFoundError(`object ${key} not found in swift container ${this.#cfg.container_name}`);
    throw new SwiftHttpError(res.status, `swift ${what} ${key}: HTTP ${res.status}`);
  }

  async #run<T>(what: string, key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.#retrier.run(`${what} ${key}`, fn);
    } catch (err) {
      if (err instanceof NotFoundError) throw err;
      throw new Error(`swift ${what} ${key}`, { cause: err });
    }
  }

  async get(key: string): Promise<Uint8Array> {
    validateKey(key);
    return this.#run("get", key, async () => this.#check(await this.#request("GET", key), "get", key, [200]).body);
  }

  getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    return readRange(this, key, offset, length, (last) => this.#run("get range", key, async () => {
      const res = await this.#request("GET", key, { headers: { Range: `bytes=${offset}-${last}` } });
      // 416: the object exists and the offset is at or past its end.
      if (res.status === 416) return new Uint8Array();
      this.#check(res, "get range", key, [200, 206]);
      // A 200 carries the whole object (a server may ignore Range): cut the range out here.
      return res.status === 200 ? res.body.subarray(offset, offset + length) : res.body;
    }));
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    validateKey(key);
    await this.#run("put", key, async () => {
      this.#check(await this.#request("PUT", key, { body, headers: { "Content-Type": "application/octet-stream" } }), "put", key, [201]);
    });
  }

  async upload(key: string, open: BodySource): Promise<void> {
    validateKey(key);
    await this.#run("upload", key, async () => {
      const res = await this.#request("PUT", key, { body: open, headers: { "Content-Type": "application/octet-stream" } });
      this.#check(res, "upload", key, [201]);
    });
  }

  exists(key: string): Promise<boolean> {
    return existsByAttributes(this, key);
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    await deleteIgnoringMissing(
      this.#run("delete", key, async () => {
        this.#check(await this.#request("DELETE", key), "delete", key, [204, 200]);
      }),
    );
  }

  async attributes(key: string): Promise<ObjectAttributes> {
    validateKey(key);
    return this.#run("attributes", key, async () => {
      const res = this.#check(await this.#request("HEAD", key), "attributes", key, [200, 204]);
      const lastModified = res.headers.get("last-modified");
      return {
        size: Number(res.headers.get("content-length") ?? 0),
        lastModified: lastModified !== null ? new Date(lastModified) : new Date(0),
      };
    });
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    validatePrefix(prefix);
    const result: ListResult = { objects: [], prefixes: [] };
    let marker = "";
    for (;;) {
      const query: Record<string, string> = { format: "json", limit: String(this.#pageSize) };
      if (prefix !== "") query["prefix"] = prefix;
      if (options.delimiter !== undefined) query["delimiter"] = options.delimiter;
      if (marker !== "") query["marker"] = marker;
      const page = await this.#run("list", prefix, async () => {
        const res = await this.#request("GET", "", { query, headers: { Accept: "application/json" } });
        if (res.status === 204) return [];
        if (res.status === 404) throw new Error(`swift container ${this.#cfg.container_name} does not exist`);
        this.#check(res, "list", prefix, [200]);
        return JSON.parse(Buffer.from(res.body).toString("utf8")) as SwiftListEntry[];
      });
      for (const entry of page) {
        if (entry.subdir !== undefined) {
          result.prefixes.push(entry.subdir);
          marker = entry.subdir;
        } else if (entry.name !== undefined) {
          result.objects.push({ key: entry.name, size: entry.bytes ?? 0, lastModified: parseSwiftTime(entry.last_modified) });
          marker = entry.name;
        }
      }
      // Swift fills every page but the last.
      if (page.length < this.#pageSize) return result;
    }
  }

  async close(): Promise<void> {
    this.#session = undefined;
  }
}
