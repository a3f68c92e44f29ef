/**
 * The store-gateway's status pages, at Phlare's paths: `/store-gateway/tenants`
 * and `/store-gateway/tenant/{tenant}/blocks`. HTML for people; JSON with the
 * same fields when the request accepts `application/json`, for scripts and tests.
 */
import { formatGoDuration } from "../config/duration.js";
import { NotFoundError } from "../model/errors.js";
import type { HttpRequest, HttpResponse } from "../server/router.js";
import type { PhlareServer } from "../server/server.js";
import { json } from "../server/server.js";
import type { StoreGateway } from "./store-gateway.js";

/** `/store-gateway/tenants` as JSON. */
export interface TenantsJson {
  loadedBytes: number;
  maxLoadedBytes: number;
  evictions: number;
  lastSyncTime?: string;
  lastSyncError?: string;
  tenants: {
    tenant: string;
    blocks: number;
    loadedBlocks: number;
    loadedBytes: number;
    skippedBlocks: number;
    lastSyncTime?: string;
    lastSyncError?: string;
  }[];
}

/** `/store-gateway/tenant/{tenant}/blocks` as JSON; times are ISO 8601. */
export interface BlocksJson {
  tenant: string;
  blocks: {
    ulid: string;
    minTime: string;
    maxTime: string;
    durationMs: number;
    level: number;
    source: string;
    series: number;
    profiles: number;
    samples: number;
    sizeBytes: number;
    loaded: boolean;
    loadedBytes: number;
  }[];
  /** Blocks that could not be opened. */
  skipped: { ulid: string; error: string }[];
}

/** Registers both status pages; `pathPrefix` is `-server.path-prefix`, for the links between them. */
export function registerStoreGatewayStatus(server: Pick<PhlareServer, "route">, gw: StoreGateway, pathPrefix: string): void {
  server.route(["GET"], "/store-gateway/tenants", async (req) => {
    const data = tenantsJson(gw);
    return wantsJson(req) ? json(200, data) : html(tenantsHtml(data, pathPrefix.replace(/\/+$/, "")));
  });
  server.route(["GET"], "/store-gateway/tenant/{tenant}/blocks", async (req) => {
    const tenant = req.params.tenant ?? "";
    const data = blocksJson(gw, tenant);
    if (!data) throw new NotFoundError(`tenant ${JSON.stringify(tenant)} has no blocks on this store-gateway`);
    return wantsJson(req) ? json(200, data) : html(blocksHtml(data, pathPrefix.replace(/\/+$/, "")));
  });
}

/** The tenants page's data. */
export function tenantsJson(gw: StoreGateway): TenantsJson {
  return {
    loadedBytes: gw.loadedBytes,
    maxLoadedBytes: gw.maxLoadedBytes,
    evictions: gw.evictions,
    ...syncTime(gw.lastSyncMs),
    ...(gw.lastSyncError !== undefined ? { lastSyncError: gw.lastSyncError } : {}),
    tenants: gw.tenantStatuses().map((t) => ({
      tenant: t.tenant,
      blocks: t.blocks,
      loadedBlocks: t.loadedBlocks,
      loadedBytes: t.loadedBytes,
      skippedBlocks: t.skippedBlocks,
      ...syncTime(t.lastSyncMs),
      ...(t.lastSyncError !== undefined ? { lastSyncError: t.lastSyncError } : {}),
    })),
  };
}

/** A tenant's blocks page data; undefined for an unknown tenant. */
export function blocksJson(gw: StoreGateway, tenant: string): BlocksJson | undefined {
  const b = gw.tenantBlocks(tenant);
  if (!b) return undefined;
  return {
    tenant,
    blocks: b.blocks.map(({ meta, sizeBytes, loadedBytes }) => ({
      ulid: meta.ulid,
      minTime: new Date(meta.minTimeMs).toISOString(),
      maxTime: new Date(meta.maxTimeMs).toISOString(),
      durationMs: meta.maxTimeMs - meta.minTimeMs,
      level: meta.compaction.level,
      source: meta.source,
      series: meta.stats.numSeries,
      profiles: meta.stats.numProfiles,
      samples: meta.stats.numSamples,
      sizeBytes,
      loaded: loadedBytes > 0,
      loadedBytes,
    })),
    skipped: b.skipped,
  };
}

function tenantsHtml(d: TenantsJson, prefix: string): string {
  const rows = d.tenants.map(
    (t) =>
      `<tr><td><a href="${esc(`${prefix}/store-gateway/tenant/${encodeURIComponent(t.tenant)}/blocks`)}">${esc(t.tenant)}</a></td>` +
      `<td>${t.blocks}</td><td>${t.loadedBlocks}</td><td>${esc(formatBytes(t.loadedBytes))}</td><td>${t.skippedBlocks}</td>` +
      `<td>${esc(t.lastSyncTime ?? "never")}</td><td>${esc(t.lastSyncError ?? "")}</td></tr>`,
  );
  const summary =
    `Loaded ${esc(formatBytes(d.loadedBytes))} of ${esc(formatBytes(d.maxLoadedBytes))} · ${d.evictions} block(s) unloaded to stay within the bound` +
    ` · last sync ${esc(d.lastSyncTime ?? "never")}${d.lastSyncError !== undefined ? ` · <strong>last sync failed: ${esc(d.lastSyncError)}</strong>` : ""}`;
  return page(
    "Store-gateway: tenants",
    `<p>${summary}</p>
<table>
<thead><tr><th>Tenant</th><th>Blocks</th><th>Loaded blocks</th><th>Loaded bytes</th><th>Skipped blocks</th><th>Last sync</th><th>Last sync error</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`,
  );
}

function blocksHtml(d: BlocksJson, prefix: string): string {
  const rows = d.blocks.map(
    (b) =>
      `<tr><td><code>${esc(b.ulid)}</code></td><td>${esc(b.minTime)}</td><td>${esc(b.maxTime)}</td><td>${esc(formatGoDuration(b.durationMs))}</td>` +
      `<td>${b.level}</td><td>${esc(b.source)}</td><td>${b.series}</td><td>${b.profiles}</td><td>${b.samples}</td>` +
      `<td>${esc(formatBytes(b.sizeBytes))}</td><td>${b.loaded ? `yes (${esc(formatBytes(b.loadedBytes))})` : "no"}</td></tr>`,
  );
  const skipped =
    d.skipped.length === 0
      ? ""
      : `<h2>Skipped blocks</h2>
<table>
<thead><tr><th>ULID</th><th>Error</th></tr></thead>
<tbody>
${d.skipped.map((s) => `<tr><td><code>${esc(s.ulid)}</code></td><td>${esc(s.error)}</td></tr>`).join("\n")}
</tbody>
</table>`;
  return page(
    `Store-gateway: blocks of tenant ${d.tenant}`,
    `<p><a href="${esc(`${prefix}/store-gateway/tenants`)}">All tenants</a> · ${d.blocks.length} block(s)</p>
<table>
<thead><tr><th>ULID</th><th>Min time</th><th>Max time</th><th>Duration</th><th>Level</th><th>Source</th><th>Series</th><th>Profiles</th><th>Samples</th><th>Size</th><th>Loaded</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
${skipped}`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}</style></head>
<body>
<h1>${esc(title)}</h1>
${body}
</body>
</html>
`;
}

function html(body: string): HttpResponse {
  return { status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body };
}

function wantsJson(req: HttpRequest): boolean {
  return (req.header("accept") ?? "").toLowerCase().includes("application/json");
}

function syncTime(ms: number | undefined): { lastSyncTime?: string } {
  return ms === undefined ? {} : { lastSyncTime: new Date(ms).toISOString() };
}

/** Escapes text for HTML element content and double-quoted attributes. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Bytes in binary units with one decimal, e.g. "1.5 MiB". */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}
