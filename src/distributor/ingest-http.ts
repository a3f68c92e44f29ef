/**
 * `POST /ingest` (and `/pyroscope/ingest`): the HTTP API every Pyroscope SDK and agent
 * speaks. The query names the series (`name=app.type{k=v}`), the time range and how
 * to read the body; the body is pprof, JFR, folded text, the OG trie/tree formats or
 * speedscope. Each becomes one or more pprof profiles pushed through the distributor,
 * so validation, limits, the WAL and queries treat them like any Push.
 */
import type { Limits } from "../config/limits.js";
import { parseAttime } from "../model/attime.js";
import { InvalidArgumentError, LimitExceededError, UnauthenticatedError } from "../model/errors.js";
import { parseJfrIngest } from "../model/jfr/index.js";
import type { LabelPair } from "../model/labels.js";
import { convertOgBody, ingestSeriesLabels, ogProfileType, parseIngestKey } from "../model/og/index.js";
import type { IngestKey, OgFormat } from "../model/og/index.js";
import { encodePprof } from "../model/pprof/index.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import { codeName, codeOf, httpStatusOf } from "../server/errors.js";
import type { Logger } from "../server/logger.js";
import type { HttpRequest, HttpResponse } from "../server/router.js";
import type { PhlareServer } from "../server/server.js";
import type { PushSeries } from "./api.js";
import type { Distributor } from "./distributor.js";
import { MAX_DECOMPRESSED_PROFILE_BYTES } from "./distributor.js";
import { fixIngestedPprof, partBytes, pprofFromForm, pprofMetricName, UnprocessableIngestError } from "./ingest-pprof.js";

/** Paths the ingest API answers on. */
export const INGEST_PATHS = ["/ingest", "/pyroscope/ingest"] as const;

// A body limit of 0 means "none" in the config; memory still needs a bound.
const HARD_BODY_LIMIT = 1024 * 1024 * 1024;
// The OG formats name every stack in full: more than this many is not a profile but an attack.
const MAX_OG_STACKS = 1_000_000;

/** The query parameters of an /ingest request, parsed. */
export interface IngestParams {
  key: IngestKey;
  fromMs: number;
  untilMs: number;
  sampleRate: number;
  spyName: string;
  units: string;
  aggregationType: string;
  format: string;
}

/** Registers the ingest routes over `distributor`. */
export function registerIngestRoutes(server: PhlareServer, distributor: Distributor, limits: (tenant: string) => Limits, logger: Logger): void {
  for (const path of INGEST_PATHS) server.route(["POST"], path, (req) => handleIngest(req, distributor, limits, logger));
}

async function handleIngest(req: HttpRequest, distributor: Distributor, limits: (tenant: string) => Limits, logger: Logger): Promise<HttpResponse> {
  try {
    const tenant = req.tenant();
    const params = parseIngestParams(req.url.searchParams, Date.now());
    const limitMb = limits(tenant).ingestion_body_limit_mb;
    const body = await req.body(limitMb > 0 ? Math.min(HARD_BODY_LIMIT, Math.floor(limitMb * 1024 * 1024)) : HARD_BODY_LIMIT);
    const series = await ingestSeries(params, req.header("content-type") ?? "", body, distributor);
    // An empty profile (no samples at all) is accepted and stored as nothing, like Pyroscope does.
    if (series.length > 0) await distributor.push(tenant, { series });
    return { status: 200, body: "" };
  } catch (err) {
    const r = ingestError(err);
    if (r.status >= 500) logger.error("ingest failed", { path: req.url.pathname, err: err instanceof Error ? err.stack : String(err) });
    return r;
  }
}

/** Reads the query parameters; a missing or unreadable one is a 400 naming it. */
export function parseIngestParams(q: URLSearchParams, nowMs: number): IngestParams {
  const name = q.get("name");
  if (name === null || name === "") throw new InvalidArgumentError("invalid_request", "the name parameter is required (app.type{label=value,...})");
  const sampleRate = q.get("sampleRate");
  let rate = 100;
  if (sampleRate !== null && sampleRate !== "") {
    rate = Number(sampleRate);
    if (!Number.isInteger(rate) || rate < 0 || rate > 1e9) throw new InvalidArgumentError("invalid_request", `sampleRate ${JSON.stringify(sampleRate)} is not a whole number of Hz`);
    if (rate === 0) rate = 100;
  }
  return {
    key: parseIngestKey(name),
    fromMs: parseAttime(q.get("from"), nowMs, "from"),
    untilMs: parseAttime(q.get("until"), nowMs, "until"),
    sampleRate: rate,
    spyName: q.get("spyName") || "unknown",
    units: q.get("units") || "samples",
    aggregationType: q.get("aggregationType") || "sum",
    format: q.get("format") ?? "",
  };
}

/** How the body is read, from `format` and the content type, in Pyroscope's order. */
export function bodyKind(format: string, contentType: string): "pprof" | "pprof-form" | "jfr" | OgFormat {
  const ct = contentType.toLowerCase();
  const multipart = ct.includes("multipart/form-data");
  if (format === "trie" || ct.startsWith("binary/octet-stream+trie")) return "trie";
  if (format === "tree" || ct.startsWith("binary/octet-stream+tree")) return "tree";
  if (format === "lines") return "lines";
  if (format === "jfr") return "jfr";
  if (format === "pprof") return multipart ? "pprof-form" : "pprof";
  if (format === "speedscope") return "speedscope";
  if (multipart) return "pprof-form";
  return "folded";
}

/** The push series an /ingest request body becomes (none for an empty profile). */
export async function ingestSeries(params: IngestParams, contentType: string, body: Uint8Array, distributor: Distributor): Promise<PushSeries[]> {
  const kind = bodyKind(params.format, contentType);
  const fromNanos = BigInt(params.fromMs) * 1_000_000n;
  const durationNanos = BigInt(Math.max(0, params.untilMs - params.fromMs)) * 1_000_000n;
  switch (kind) {
    case "pprof":
    case "pprof-form": {
      const { pprof, sampleTypes } = kind === "pprof" ? { pprof: body, sampleTypes: undefined } : await pprofFromForm(await readForm(body, contentType));
      if (pprof.byteLength === 0) return [];
      const decoded = await distributor.decode(pprof, fromNanos);
      const fixed = fixIngestedPprof(decoded, pprof, params.spyName, fromNanos);
      if (fixed.decoded.profile.sampleCount === 0) return [];
      const metric = pprofMetricName(fixed.decoded.profile, sampleTypes);
      return [{ labels: seriesLabels(params.key, metric, params.spyName), samples: [{ rawProfile: fixed.raw, id: "", decoded: fixed.decoded }] }];
    }
    case "jfr": {
      let jfr = body;
      let labels: Uint8Array | undefined;
      if (contentType.toLowerCase().includes("multipart/form-data")) {
        const form = await readForm(body, contentType);
        const part = form.get("jfr");
        if (part === null) throw new InvalidArgumentError("invalid_profile", 'multipart /ingest?format=jfr body has no "jfr" part');
        jfr = await partBytes(part);
        const l = form.get("labels");
        labels = l === null ? undefined : await partBytes(l);
      }
      const profiles = parseJfrIngest(jfr, labels, {
        sampleRate: params.sampleRate,
        maxBytes: MAX_DECOMPRESSED_PROFILE_BYTES,
        startNanos: fromNanos,
        endNanos: BigInt(params.untilMs) * 1_000_000n,
      });
      return profiles.map((p) => series(seriesLabels(params.key, p.metricName, params.spyName, p.labels), stamped(p.profile, fromNanos, durationNanos)));
    }
    default: {
      const type = ogProfileType(params.key.profileType, { sampleRate: params.sampleRate, units: params.units, aggregationType: params.aggregationType, spyName: params.spyName });
      const profiles = convertOgBody(kind, body, type, fromNanos, durationNanos, { maxStacks: MAX_OG_STACKS });
      return profiles.map((p) => series(seriesLabels(params.key, p.metricName, params.spyName, p.labels), p.profile));
    }
  }
}

function series(labels: LabelPair[], profile: FlatProfile): PushSeries {
  return { labels, samples: [{ rawProfile: encodePprof(profile), id: "" }] };
}

function stamped(p: FlatProfile, timeNanos: bigint, durationNanos: bigint): FlatProfile {
  return p.timeNanos === 0n ? { ...p, timeNanos, durationNanos: p.durationNanos === 0n ? durationNanos : p.durationNanos } : p;
}

/**
 * The series labels of one profile: the key's (see ingestSeriesLabels) plus, for JFR, the
 * dynamic labels of its context, which never replace a label of the key or a reserved one.
 * SDKs send label names with dots (`otel.scope.name`); label names here follow the
 * Prometheus rule, so every other character becomes "_" (`otel_scope_name`).
 */
export function seriesLabels(key: IngestKey, metricName: string, spyName: string, extra: ReadonlyArray<readonly [string, string]> = []): LabelPair[] {
  const out = new Map<string, string>();
  for (const l of ingestSeriesLabels(key, metricName, spyName)) addLabel(out, l.name, l.value);
  for (const [name, value] of extra) if (!name.startsWith("__") && !out.has(promName(name))) addLabel(out, name, value);
  return [...out].map(([name, value]) => ({ name, value })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function addLabel(out: Map<string, string>, name: string, value: string): void {
  const n = promName(name);
  if (out.has(n)) throw new InvalidArgumentError("duplicate_label_names", `label ${JSON.stringify(name)} is given twice (as ${JSON.stringify(n)})`);
  out.set(n, value);
}

function promName(name: string): string {
  const n = name.replace(/[^a-zA-Z0-9_]/g, "_");
  return /^[0-9]/.test(n) ? `_${n}` : n;
}

async function readForm(body: Uint8Array, contentType: string): Promise<FormData> {
  if (!/boundary=/i.test(contentType)) throw new InvalidArgumentError("invalid_request", "multipart/form-data body without a boundary in its Content-Type");
  try {
    return await new Response(body, { headers: { "content-type": contentType } }).formData();
  } catch (err) {
    throw new InvalidArgumentError("invalid_request", `multipart body cannot be read: ${(err as Error).message}`);
  }
}

/** The error answer: Pyroscope's statuses (400, 401, 413, 422, 429) with a JSON body naming the problem. */
function ingestError(err: unknown): HttpResponse {
  let status: number;
  let code: string;
  if (err instanceof UnprocessableIngestError) {
    status = 422;
    code = "unprocessable";
  } else if (err instanceof InvalidArgumentError || err instanceof LimitExceededError || err instanceof UnauthenticatedError) {
    status = httpStatusOf(err);
    code = codeName(codeOf(err));
  } else {
    status = 500;
    code = "internal";
  }
  const message = err instanceof Error ? err.message : String(err);
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify({ code, message }) };
}
