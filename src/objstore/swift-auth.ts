/**
 * Authentication against OpenStack Swift: auth v1 (tempauth, swauth, Rackspace style: a GET with
 * X-Auth-User/X-Auth-Key) and Keystone v3 password auth (POST /auth/tokens, storage URL from the
 * service catalog). Keystone v2 is gone from every supported OpenStack release and is refused.
 */
import { ConfigError } from "../model/errors.js";
import type { SwiftConfig } from "./config.js";
import { isTransientStatus } from "./retry.js";

/** A token and the account URL it is valid for. */
export interface SwiftSession {
  token: string;
  /** Account URL, e.g. https://swift.example.com/v1/AUTH_project. */
  storageUrl: string;
}

/** An HTTP status from Swift or Keystone that the caller did not expect. */
export class SwiftHttpError extends Error {
  override readonly name = "SwiftHttpError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A complete HTTP response. */
export interface SwiftResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

/** Performs one HTTP request and reads the whole response; the bucket passes fetch with its timeouts. */
export type SwiftSend = (
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Uint8Array,
) => Promise<SwiftResponse>;

/** The auth version to use: the configured one, or guessed from the URL (…/v3 → 3, …/v2.0 → 2, else 1). */
export function swiftAuthVersion(cfg: SwiftConfig): 1 | 2 | 3 {
  if (cfg.auth_version === 1 || cfg.auth_version === 2 || cfg.auth_version === 3) return cfg.auth_version;
  if (/\/v3(\/|$)/.test(cfg.auth_url)) return 3;
  if (/\/v2(\.0)?(\/|$)/.test(cfg.auth_url)) return 2;
  return 1;
}

/** Checks the Swift config: URL, container, credentials for the auth version. */
export function validateSwiftConfig(cfg: SwiftConfig): void {
  if (cfg.auth_url === "") throw new ConfigError("storage.swift.auth_url is required", "storage.swift.auth_url");
  try {
    new URL(cfg.auth_url);
  } catch (err) {
    throw new ConfigError(`storage.swift.auth_url: invalid URL ${JSON.stringify(cfg.auth_url)}`, "storage.swift.auth_url", {
      cause: err,
    });
  }
  if (cfg.container_name === "") {
    throw new ConfigError("storage.swift.container_name is required", "storage.swift.container_name");
  }
  const version = swiftAuthVersion(cfg);
  if (version === 2) {
    throw new ConfigError(
      "storage.swift.auth_version: Keystone v2 is not supported; use 3 (Keystone v3) or 1 (tempauth)",
      "storage.swift.auth_version",
    );
  }
  if (cfg.username === "" && (version === 1 || cfg.user_id === "")) {
    throw new ConfigError(
      version === 1 ? "storage.swift.username is required" : "storage.swift.username or storage.swift.user_id is required",
      "storage.swift.username",
    );
  }
  if (cfg.password === "") throw new ConfigError("storage.swift.password is required", "storage.swift.password");
}

function nameOrId(id: string, name: string): { id: string } | { name: string } | undefined {
  if (id !== "") return { id };
  if (name !== "") return { name };
  return undefined;
}

/** The Keystone v3 request body: password auth, scoped to a project or a domain when configured. */
export function keystoneV3Body(cfg: SwiftConfig): unknown {
  const userDomain =
    nameOrId(cfg.user_domain_id, cfg.user_domain_name) ?? nameOrId(cfg.domain_id, cfg.domain_name);
  const user =
    cfg.user_id !== ""
      ? { id: cfg.user_id, password: cfg.password }
      : { name: cfg.username, password: cfg.password, ...(userDomain !== undefined ? { domain: userDomain } : {}) };
  let scope: unknown;
  if (cfg.project_id !== "") {
    scope = { project: { id: cfg.project_id } };
  } else if (cfg.project_name !== "") {
    const projectDomain = nameOrId(cfg.project_domain_id, cfg.project_domain_name) ?? userDomain;
    scope = { project: { name: cfg.project_name, ...(projectDomain !== undefined ? { domain: projectDomain } : {}) } };
  } else {
    const domain = nameOrId(cfg.domain_id, cfg.domain_name);
    if (domain !== undefined) scope = { domain };
  }
  return {
    auth: {
      identity: { methods: ["password"], password: { user } },
      ...(scope !== undefined ? { scope } : {}),
    },
  };
}

interface CatalogEndpoint {
  interface?: string;
  region?: string;
  region_id?: string;
  url?: string;
}

interface CatalogEntry {
  type?: string;
  endpoints?: CatalogEndpoint[];
}

/** Picks the public object-store endpoint (in `region` when given) from a Keystone v3 token body. */
export function objectStoreUrl(body: unknown, region: string): string {
  const catalog = (body as { token?: { catalog?: CatalogEntry[] } } | null)?.token?.catalog;
  if (!Array.isArray(catalog)) throw new Error("keystone token has no service catalog");
  for (const entry of catalog) {
    if (entry.type !== "object-store") continue;
    for (const ep of entry.endpoints ?? []) {
      if (ep.interface !== "public" || typeof ep.url !== "string") continue;
      if (region !== "" && ep.region !== region && ep.region_id !== region) continue;
      return ep.url.replace(/\/+$/, "");
    }
  }
  throw new Error(`keystone service catalog has no public object-store endpoint${region !== "" ? ` in region ${region}` : ""}`);
}

function httpError(what: string, res: SwiftResponse): SwiftHttpError {
  const hint = isTransientStatus(res.status) ? "" : " (check the credentials and storage.swift.auth_url)";
  return new SwiftHttpError(res.status, `${what}: HTTP ${res.status}${hint}`);
}

/** Authenticates once and returns a session. */
export async function swiftAuthenticate(cfg: SwiftConfig, send: SwiftSend): Promise<SwiftSession> {
  if (swiftAuthVersion(cfg) === 1) {
    const res = await send(cfg.auth_url, "GET", { "X-Auth-User": cfg.username, "X-Auth-Key": cfg.password });
    if (res.status < 200 || res.status >= 300) throw httpError("swift auth v1", res);
    const token = res.headers.get("x-auth-token");
    const storageUrl = res.headers.get("x-storage-url");
    if (token === null || storageUrl === null) throw new Error("swift auth v1: response lacks X-Auth-Token or X-Storage-Url");
    return { token, storageUrl: storageUrl.replace(/\/+$/, "") };
  }
  const base = cfg.auth_url.replace(/\/+$/, "");
  const url = base.endsWith("/auth/tokens") ? base : `${base}/auth/tokens`;
  const res = await send(
    url,
    "POST",
    { "Content-Type": "application/json", Accept: "application/json" },
    Buffer.from(JSON.stringify(keystoneV3Body(cfg))),
  );
  if (res.status < 200 || res.status >= 300) throw httpError("keystone v3 auth", res);
  const token = res.headers.get("x-subject-token");
  if (token === null) throw new Error("keystone v3 auth: response lacks X-Subject-Token");
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(res.body).toString("utf8"));
  } catch (err) {
    throw new Error("keystone v3 auth: response body is not JSON", { cause: err });
  }
  return { token, storageUrl: objectStoreUrl(body, cfg.region_name) };
}
