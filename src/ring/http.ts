/**
 * The ring status page (`/ring`, `/distributor/ring`, `/store-gateway/ring`), after dskit's
 * ring/http.go: a table of members for people, the same data as JSON when the request accepts
 * `application/json`, and a "Forget" button (POST `forget=<id>`) that removes a dead member.
 */
import { InvalidArgumentError } from "../model/errors.js";
import type { HttpRequest, HttpResponse, RouteHandler } from "../server/router.js";
import { ownedTokens } from "./desc.js";
import type { KV } from "./kv.js";
import { Reporting } from "./ring.js";
import type { RingReader } from "./ring.js";

/** One member as the page shows it; the JSON keys of dskit's page plus ownership and token count. */
export interface RingMemberJson {
  id: string;
  /** The member's state, or "Unhealthy" when its heartbeat is older than the timeout. */
  state: string;
  address: string;
  /** Last heartbeat, ISO 8601. */
  timestamp: string;
  /** First registration, ISO 8601; "" when unknown. */
  registered_timestamp: string;
  zone: string;
  tokens: number[];
  num_tokens: number;
  /** Share of the ring this member owns, in percent. */
  ownership: number;
}

/** The page's JSON body. */
export interface RingPageJson {
  shards: RingMemberJson[];
  /** When the page was rendered, ISO 8601. */
  now: string;
}

// A forget form is a few bytes; anything larger is not one.
const MAX_FORM_BYTES = 64 * 1024;

/** The ring's members as the page shows them, sorted by id. */
export function ringPageData(ring: RingReader, nowMs: number = Date.now()): RingPageJson {
  const desc = ring.desc();
  const owned = ownedTokens(desc);
  const shards = Object.keys(desc.ingesters)
    .sort()
    .map((id): RingMemberJson => {
      const inst = desc.ingesters[id]!;
      return {
        id,
        state: ring.isHealthy(inst, Reporting, nowMs) ? inst.state : "Unhealthy",
        address: inst.addr,
        timestamp: new Date(inst.timestamp * 1000).toISOString(),
        registered_timestamp: inst.registered_timestamp > 0 ? new Date(inst.registered_timestamp * 1000).toISOString() : "",
        zone: inst.zone ?? "",
        tokens: inst.tokens,
        num_tokens: inst.tokens.length,
        ownership: ((owned.get(id) ?? 0) / 0xffffffff) * 100,
      };
    });
  return { shards, now: new Date(nowMs).toISOString() };
}

/** Removes member `id` from the ring stored at `key`; a missing member or ring is not an error. */
export async function forgetMember(kv: KV, key: string, id: string): Promise<void> {
  await kv.cas(key, (old) => {
    if (old === undefined || old.ingesters[id] === undefined) return undefined;
    delete old.ingesters[id];
    return old;
  });
}

/** The status page handler for one ring: GET shows it, POST `forget=<id>` removes a member. */
export function ringPage(ring: RingReader, kv: KV, key: string, title: string): RouteHandler {
  return async (req: HttpRequest): Promise<HttpResponse> => {
    if (req.method === "POST") {
      const form = new URLSearchParams(new TextDecoder().decode(await req.body(MAX_FORM_BYTES)));
      const id = form.get("forget") ?? req.url.searchParams.get("forget") ?? "";
      if (id === "") throw new InvalidArgumentError("invalid_request", "the form has no forget=<instance id>");
      try {
        await forgetMember(kv, key, id);
      } catch (err) {
        throw new Error(`error forgetting instance '${id}'`, { cause: err });
      }
      // Post/redirect/get; "#" keeps the path the browser used, path prefix included.
      return { status: 302, headers: { location: "#" } };
    }
    const data = ringPageData(ring);
    if ((req.header("accept") ?? "").toLowerCase().includes("application/json")) {
      return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(data) };
    }
    const showTokens = req.url.searchParams.get("tokens") === "true";
    return { status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: renderHtml(title, data, showTokens) };
  };
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** "12s ago"-style age of an ISO time relative to `nowIso`. */
function age(iso: string, nowIso: string): string {
  const s = Math.max(0, Math.round((Date.parse(nowIso) - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

function renderHtml(title: string, data: RingPageJson, showTokens: boolean): string {
  const rows = data.shards.map(
    (m) =>
      `<tr${m.state === "Unhealthy" ? ' class="unhealthy"' : ""}><td>${esc(m.id)}</td><td>${esc(m.zone)}</td><td>${esc(m.state)}</td>` +
      `<td>${esc(m.address)}</td><td>${esc(m.registered_timestamp)}</td>` +
      `<td>${esc(m.timestamp)} (${esc(age(m.timestamp, data.now))})</td><td>${m.num_tokens}</td><td>${m.ownership.toFixed(2)}%</td>` +
      `<td><form method="POST" action=""><input type="hidden" name="forget" value="${esc(m.id)}"><button type="submit">Forget</button></form></td></tr>`,
  );
  const tokens = showTokens
    ? `<h2>Tokens</h2>\n${data.shards.map((m) => `<h3>${esc(m.id)}</h3>\n<p>${m.tokens.join(" ")}</p>`).join("\n")}`
    : `<p><a href="?tokens=true">Show tokens</a></p>`;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}tr.unhealthy{background:#fdd}form{margin:0}</style></head>
<body>
<h1>${esc(title)}</h1>
<p>Current time: ${esc(data.now)} · ${data.shards.length} member(s)</p>
<table>
<thead><tr><th>Instance ID</th><th>Availability Zone</th><th>State</th><th>Address</th><th>Registered At</th><th>Last Heartbeat</th><th>Tokens</th><th>Ownership</th><th>Actions</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
${tokens}
</body>
</html>
`;
}
