/**
 * The HTTP client behind scrapes and HTTP-based discovery, configured like Prometheus'
 * `http_client_config`: basic auth, `authorization`/bearer tokens, TLS options, redirects.
 * Secrets in files are read on every request, so rotated tokens (Kubernetes service accounts)
 * are picked up. Bodies are bounded: a response over the limit fails instead of filling memory.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import { YamlObject } from "./yaml-object.js";

/** TLS options for talking to targets and discovery APIs. */
export interface TlsConfig {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  ca?: string;
  cert?: string;
  key?: string;
  serverName?: string;
  insecureSkipVerify: boolean;
}

/** Prometheus' HTTP client options, as far as scraping and discovery use them. */
export interface HttpClientConfig {
  basicAuth?: { username: string; password?: string; passwordFile?: string };
  /** `authorization` and the older `bearer_token[_file]`, reduced to one scheme and credentials. */
  authorization?: { type: string; credentials?: string; credentialsFile?: string };
  tls: TlsConfig;
  followRedirects: boolean;
  enableHttp2: boolean;
}

/** The YAML keys of an inline HTTP client config. */
export const HTTP_CLIENT_KEYS: readonly string[] = [
  "basic_auth",
  "authorization",
  "bearer_token",
  "bearer_token_file",
  "tls_config",
  "follow_redirects",
  "enable_http2",
];

/** A client config with no auth, default TLS and redirects followed. */
export function defaultHttpClientConfig(): HttpClientConfig {
  return { tls: { insecureSkipVerify: false }, followRedirects: true, enableHttp2: true };
}

function optional(s: string | undefined): string | undefined {
  return s === undefined || s === "" ? undefined : s;
}

/** Parses the inline HTTP client keys of `y` (others are left for the caller), with Prometheus' checks. */
export function parseHttpClientConfig(y: YamlObject): HttpClientConfig {
  const cfg = defaultHttpClientConfig();
  if (y.has("basic_auth")) {
    const b = y.object("basic_auth");
    const password = optional(b.string("password"));
    const passwordFile = optional(b.string("password_file"));
    if (password !== undefined && passwordFile !== undefined) b.fail("password_file", "at most one of basic_auth password & password_file must be configured");
    cfg.basicAuth = { username: b.string("username", ""), password, passwordFile };
    b.done();
  }
  const bearer = optional(y.string("bearer_token"));
  const bearerFile = optional(y.string("bearer_token_file"));
  if (bearer !== undefined && bearerFile !== undefined) y.fail("bearer_token_file", "at most one of bearer_token & bearer_token_file must be configured");
  if (y.has("authorization")) {
    const a = y.object("authorization");
    const type = a.string("type", "Bearer");
    if (type.toLowerCase() === "basic") a.fail("type", `authorization type cannot be set to "basic", use "basic_auth" instead`);
    const credentials = optional(a.string("credentials"));
    const credentialsFile = optional(a.string("credentials_file"));
    if (credentials !== undefined && credentialsFile !== undefined) a.fail("credentials_file", "at most one of authorization credentials & credentials_file must be configured");
    a.done();
    if (bearer !== undefined || bearerFile !== undefined) y.fail("authorization", "authorization is not compatible with bearer_token & bearer_token_file");
    cfg.authorization = { type, credentials, credentialsFile };
  } else if (bearer !== undefined || bearerFile !== undefined) {
    cfg.authorization = { type: "Bearer", credentials: bearer, credentialsFile: bearerFile };
  }
  if (cfg.basicAuth && cfg.authorization) y.fail("basic_auth", "at most one of basic_auth, bearer_token & bearer_token_file, authorization must be configured");
  if (y.has("tls_config")) {
    const t = y.object("tls_config");
    cfg.tls = {
      caFile: optional(t.string("ca_file")),
      certFile: optional(t.string("cert_file")),
      keyFile: optional(t.string("key_file")),
      ca: optional(t.string("ca")),
      cert: optional(t.string("cert")),
      key: optional(t.string("key")),
      serverName: optional(t.string("server_name")),
      insecureSkipVerify: t.bool("insecure_skip_verify", false),
    };
    t.string("min_version");
    t.done();
    const hasCert = cfg.tls.cert !== undefined || cfg.tls.certFile !== undefined;
    const hasKey = cfg.tls.key !== undefined || cfg.tls.keyFile !== undefined;
    if (hasCert !== hasKey) t.fail(hasCert ? "cert_file" : "key_file", "client certificate and key must be configured together");
  }
  cfg.followRedirects = y.bool("follow_redirects", true);
  cfg.enableHttp2 = y.bool("enable_http2", true);
  return cfg;
}

/** A request failure: connection, timeout, status, or a body over the limit. */
export class HttpRequestError extends Error {
  override readonly name = "HttpRequestError";
}

/** Per-request options. */
export interface RequestOptions {
  headers?: Record<string, string>;
  /**
   * For httpGet: the whole exchange, body included. For httpOpen: how long the socket may stay idle,
   * which also ends a long-lived stream (a Kubernetes watch) that went silent.
   */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** A buffered response. */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function readSecret(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch (err) {
    throw new HttpRequestError(`unable to read ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function authHeader(cfg: HttpClientConfig): string | undefined {
  if (cfg.basicAuth) {
    const password = cfg.basicAuth.passwordFile !== undefined ? readSecret(cfg.basicAuth.passwordFile) : (cfg.basicAuth.password ?? "");
    return `Basic ${Buffer.from(`${cfg.basicAuth.username}:${password}`).toString("base64")}`;
  }
  if (cfg.authorization) {
    const a = cfg.authorization;
    const credentials = a.credentialsFile !== undefined ? readSecret(a.credentialsFile) : (a.credentials ?? "");
    return `${a.type} ${credentials}`;
  }
  return undefined;
}

function tlsOptions(t: TlsConfig): https.RequestOptions {
  const file = (f: string | undefined): string | undefined => (f === undefined ? undefined : readSecret(f));
  return {
    ca: t.ca ?? file(t.caFile),
    cert: t.cert ?? file(t.certFile),
    key: t.key ?? file(t.keyFile),
    servername: t.serverName,
    rejectUnauthorized: !t.insecureSkipVerify,
  };
}

const MAX_REDIRECTS = 10;

/**
 * Sends a GET and returns the response as a stream once its headers arrived; redirects are
 * followed when configured. The caller owns the stream (and must consume or destroy it).
 */
export async function httpOpen(url: string, cfg: HttpClientConfig, opts: RequestOptions): Promise<IncomingMessage> {
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(current, cfg, opts);
    const location = res.headers.location;
    if (cfg.followRedirects && res.statusCode !== undefined && [301, 302, 303, 307, 308].includes(res.statusCode) && location !== undefined) {
      res.resume();
      if (hop >= MAX_REDIRECTS) throw new HttpRequestError(`GET ${url}: stopped after ${MAX_REDIRECTS} redirects`);
      current = new URL(location, current);
      continue;
    }
    return res;
  }
}

function requestOnce(url: URL, cfg: HttpClientConfig, opts: RequestOptions): Promise<IncomingMessage> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Promise.reject(new HttpRequestError(`GET ${url.href}: unsupported scheme ${url.protocol.slice(0, -1)}`));
  }
  const headers: Record<string, string> = { ...opts.headers };
  const auth = authHeader(cfg);
  if (auth !== undefined) headers.authorization = auth;
  const options: https.RequestOptions = { method: "GET", headers, signal: opts.signal, ...(url.protocol === "https:" ? tlsOptions(cfg.tls) : {}) };
  return new Promise((resolve, reject) => {
    const req = (url.protocol === "https:" ? https : http).request(url, options, resolve);
    req.setTimeout(opts.timeoutMs, () => req.destroy(new HttpRequestError(`GET ${url.href}: timeout after ${opts.timeoutMs} ms`)));
    req.on("error", (err) => reject(err instanceof HttpRequestError ? err : new HttpRequestError(`GET ${url.href}: ${err.message}`, { cause: err })));
    req.end();
  });
}

/**
 * GETs `url` and buffers the body, gunzipping a `Content-Encoding: gzip` response. Fails when the
 * body (after decoding) exceeds `maxBytes` or the whole exchange exceeds the timeout.
 */
export async function httpGet(url: string, cfg: HttpClientConfig, opts: RequestOptions & { maxBytes: number }): Promise<HttpResponse> {
  const deadline = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
  try {
    const res = await httpOpen(url, cfg, { ...opts, signal });
    const encoded = (res.headers["content-encoding"] ?? "").toLowerCase() === "gzip";
    // pipeline carries a failure of the response into the gunzip stream, which the reader then sees.
    const stream = encoded ? pipeline(res, createGunzip(), () => {}) : res;
    const body = await readBounded(stream, opts.maxBytes, url, () => res.destroy());
    return { status: res.statusCode ?? 0, headers: res.headers, body };
  } catch (err) {
    if (deadline.aborted) throw new HttpRequestError(`GET ${url}: timeout after ${opts.timeoutMs} ms`, { cause: err });
    if (err instanceof HttpRequestError) throw err;
    throw new HttpRequestError(`GET ${url}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

async function readBounded(stream: NodeJS.ReadableStream, maxBytes: number, url: string, abort: () => void): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > maxBytes) {
      abort();
      throw new HttpRequestError(`GET ${url}: body exceeds the limit of ${maxBytes} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size);
}
