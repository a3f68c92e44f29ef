/**
 * The server API as the UI uses it: Connect JSON for QuerierService, the Pyroscope
 * render routes for flame graphs, and one binary Connect call for the pprof export.
 * Every call carries the tenant (when multitenancy is on) and fails with an ApiError
 * holding the server's own message.
 */
import { parseFlamebearerProfile } from "../lib/flamebearer.ts";
import type { FlamebearerProfile } from "../lib/flamebearer.ts";
import { encodeSelectMergeProfileRequest } from "../lib/pprof-request.ts";
import { parseSelectSeries } from "../lib/series.ts";
import type { Series } from "../lib/series.ts";
import type { TimeRangeMs } from "../lib/time-range.ts";

/** A failed call: the HTTP status, the Connect code when there is one, and the server's message. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }

  /** True for the 401 a multitenant server answers when X-Scope-OrgID is missing. */
  get isNoOrgId(): boolean {
    return this.status === 401 && this.message.includes("no org id");
  }
}

/** A profile type as ProfileTypes lists it. */
export interface ProfileType {
  ID: string;
  name: string;
  sampleType: string;
  sampleUnit: string;
  periodType: string;
  periodUnit: string;
}

/** A render answer: the parsed profile and the body as received (for the JSON export). */
export interface RenderResult {
  profile: FlamebearerProfile;
  raw: string;
}

/** One side of a render-diff. */
export interface DiffSide {
  query: string;
  range: TimeRangeMs;
}

/** What the pages call. */
export interface ApiClient {
  profileTypes(range: TimeRangeMs, signal?: AbortSignal): Promise<ProfileType[]>;
  labelNames(profileTypeID: string, range: TimeRangeMs, signal?: AbortSignal): Promise<string[]>;
  labelValues(profileTypeID: string, name: string, range: TimeRangeMs, signal?: AbortSignal): Promise<string[]>;
  selectSeries(q: { profileTypeID: string; labelSelector: string; range: TimeRangeMs; stepS: number; groupBy?: string }, signal?: AbortSignal): Promise<Series[]>;
  render(query: string, range: TimeRangeMs, signal?: AbortSignal): Promise<RenderResult>;
  renderCollapsed(query: string, range: TimeRangeMs, signal?: AbortSignal): Promise<string>;
  renderDiff(left: DiffSide, right: DiffSide, signal?: AbortSignal): Promise<RenderResult>;
  mergeProfile(q: { profileTypeID: string; labelSelector: string; range: TimeRangeMs }, signal?: AbortSignal): Promise<Uint8Array<ArrayBuffer>>;
  /** Asks without a tenant whether the server requires one. */
  detectMultitenancy(signal?: AbortSignal): Promise<boolean>;
}

/** How the client finds its server and tenant. */
export interface ApiClientOptions {
  /** The API root, e.g. `new URL("../", document.baseURI)`. */
  baseUrl: URL;
  /** The tenant to send as X-Scope-OrgID, or null for none. */
  tenant: () => string | null;
  /** Called on a 401 "no org id", so the app can ask for a tenant. */
  onNoOrgId?: () => void;
  fetch?: typeof fetch;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The error a failed response stands for: Connect's `{code, message}` JSON, else the plain-text body. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const text = (await res.text()).trim();
  let code = "";
  let message = text;
  try {
    const j: unknown = JSON.parse(text);
    if (isRecord(j)) {
      if (typeof j.code === "string") code = j.code;
      if (typeof j.message === "string") message = j.message;
    }
  } catch {
    // a plain-text body (the /pyroscope routes): the text is the message
  }
  if (message === "") message = `${res.status} ${res.statusText}`.trim();
  return new ApiError(res.status, code, message);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function rangeBody(range: TimeRangeMs): { start: string; end: string } {
  return { start: String(Math.floor(range.startMs)), end: String(Math.ceil(range.endMs)) };
}

function typeMatcher(profileTypeID: string): string[] {
  return [`{__profile_type__="${profileTypeID.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"}`];
}

/** Creates the client. */
export function createApiClient(opts: ApiClientOptions): ApiClient {
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  async function call(path: string, init: RequestInit, withTenant = true): Promise<Response> {
    const headers = new Headers(init.headers);
    const tenant = withTenant ? opts.tenant() : null;
    if (tenant) headers.set("X-Scope-OrgID", tenant);
    const res = await doFetch(new URL(path, opts.baseUrl), { ...init, headers });
    if (!res.ok) {
      const err = await errorFromResponse(res);
      if (err.isNoOrgId && withTenant) opts.onNoOrgId?.();
      throw err;
    }
    return res;
  }

  async function connect(method: string, body: unknown, signal?: AbortSignal, withTenant = true): Promise<Record<string, unknown>> {
    const res = await call(`querier.v1.QuerierService/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    }, withTenant);
    const j: unknown = await res.json();
    if (!isRecord(j)) throw new ApiError(res.status, "", `${method} answered with something other than a JSON object`);
    return j;
  }

  async function renderGet(params: URLSearchParams, path: string, signal?: AbortSignal): Promise<RenderResult> {
    const res = await call(`${path}?${params}`, signal ? { signal } : {});
    const raw = await res.text();
    return { profile: parseFlamebearerProfile(JSON.parse(raw)), raw };
  }

  return {
    async profileTypes(range, signal) {
      const j = await connect("ProfileTypes", rangeBody(range), signal);
      const list = Array.isArray(j.profileTypes) ? j.profileTypes : [];
      return list.filter(isRecord).map((t) => ({
        ID: String(t.ID ?? ""),
        name: String(t.name ?? ""),
        sampleType: String(t.sampleType ?? ""),
        sampleUnit: String(t.sampleUnit ?? ""),
        periodType: String(t.periodType ?? ""),
        periodUnit: String(t.periodUnit ?? ""),
      }));
    },
    async labelNames(profileTypeID, range, signal) {
      const j = await connect("LabelNames", { matchers: typeMatcher(profileTypeID), ...rangeBody(range) }, signal);
      return strings(j.names);
    },
    async labelValues(profileTypeID, name, range, signal) {
      const j = await connect("LabelValues", { name, matchers: typeMatcher(profileTypeID), ...rangeBody(range) }, signal);
      return strings(j.names);
    },
    async selectSeries(q, signal) {
      const j = await connect("SelectSeries", {
        profileTypeID: q.profileTypeID,
        labelSelector: q.labelSelector,
        ...rangeBody(q.range),
        step: q.stepS,
        ...(q.groupBy ? { groupBy: [q.groupBy] } : {}),
      }, signal);
      return parseSelectSeries(j);
    },
    render(query, range, signal) {
      const p = new URLSearchParams({ query, from: rangeBody(range).start, until: rangeBody(range).end, format: "json" });
      return renderGet(p, "pyroscope/render", signal);
    },
    async renderCollapsed(query, range, signal) {
      const p = new URLSearchParams({ query, from: rangeBody(range).start, until: rangeBody(range).end, format: "collapsed" });
      const res = await call(`pyroscope/render?${p}`, signal ? { signal } : {});
      return res.text();
    },
    renderDiff(left, right, signal) {
      const p = new URLSearchParams({
        leftQuery: left.query,
        leftFrom: rangeBody(left.range).start,
        leftUntil: rangeBody(left.range).end,
        rightQuery: right.query,
        rightFrom: rangeBody(right.range).start,
        rightUntil: rangeBody(right.range).end,
        format: "json",
      });
      return renderGet(p, "pyroscope/render-diff", signal);
    },
    async mergeProfile(q, signal) {
      const body = encodeSelectMergeProfileRequest({
        profileTypeID: q.profileTypeID,
        labelSelector: q.labelSelector,
        startMs: Math.floor(q.range.startMs),
        endMs: Math.ceil(q.range.endMs),
      });
      const res = await call("querier.v1.QuerierService/SelectMergeProfile", {
        method: "POST",
        headers: { "content-type": "application/proto" },
        body,
        ...(signal ? { signal } : {}),
      });
      return new Uint8Array(await res.arrayBuffer());
    },
    async detectMultitenancy(signal) {
      try {
        await connect("LabelNames", {}, signal, false);
        return false;
      } catch (err) {
        if (err instanceof ApiError && err.isNoOrgId) return true;
        throw err;
      }
    },
  };
}
