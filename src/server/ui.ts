/**
 * Serves the web UI built into web/dist: its assets under /ui/, and its index.html for every page
 * route (/, /ui/, /ui/<page>, /explore, /comparison, /comparison-diff) with a `<base href>` naming
 * /ui/ under the path prefix, so the app's relative asset and API URLs work from any of them.
 * Files are read on request (a rebuild shows up without a restart); gzipped copies are kept per
 * file version.
 */
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { HttpRequest, HttpResponse } from "./router.js";
import type { PhlareServer } from "./server.js";

/** Where `npm run build --prefix web` writes the UI. */
export const DEFAULT_UI_DIR = fileURLToPath(new URL("../../web/dist/", import.meta.url));

/** The SPA's pages outside /ui/, as Pyroscope serves them at the root. */
export const UI_ROOT_PAGES: readonly string[] = ["/", "/explore", "/comparison", "/comparison-diff"];

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".txt": "text/plain; charset=utf-8",
};

interface Cached {
  mtimeMs: number;
  raw: Buffer;
  gz?: Buffer;
}

/** Serves web/dist (or `dir`) on `server`; `pathPrefix` is `-server.path-prefix`. */
export function registerUi(server: PhlareServer, pathPrefix: string, dir: string = DEFAULT_UI_DIR): void {
  const prefix = pathPrefix.replace(/\/+$/, "");
  const cache = new Map<string, Cached>();

  async function load(file: string): Promise<Cached | undefined> {
    let mtimeMs: number;
    try {
      const st = await stat(file);
      if (!st.isFile()) return undefined;
      mtimeMs = st.mtimeMs;
    } catch {
      return undefined;
    }
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === mtimeMs) return hit;
    const entry: Cached = { mtimeMs, raw: await readFile(file) };
    cache.set(file, entry);
    return entry;
  }

  function send(req: HttpRequest, entry: Cached, type: string, cacheControl: string): HttpResponse {
    const headers: Record<string, string> = { "content-type": type, "cache-control": cacheControl };
    const compressible = type.startsWith("text/") || type.includes("json") || type.includes("svg");
    if (compressible && entry.raw.length >= 1024 && /\bgzip\b/.test(req.header("accept-encoding") ?? "")) {
      entry.gz ??= gzipSync(entry.raw);
      return { status: 200, headers: { ...headers, "content-encoding": "gzip", vary: "Accept-Encoding" }, body: entry.gz };
    }
    return { status: 200, headers, body: entry.raw };
  }

  async function index(req: HttpRequest): Promise<HttpResponse> {
    const entry = await load(join(dir, "index.html"));
    if (entry === undefined) {
      return {
        status: 503,
        headers: { "content-type": "text/html; charset=utf-8" },
        body: `<!doctype html><title>Phlare</title><p>The web UI is not built. <code>npm start</code> builds it, or run <code>npm run build --prefix web</code>.</p><p><a href="${prefix}/admin">Status pages</a></p>\n`,
      };
    }
    const html = entry.raw.toString("utf8").replace(/<head>/i, `<head><base href="${prefix}/ui/">`);
    return send(req, { mtimeMs: entry.mtimeMs, raw: Buffer.from(html) }, TYPES[".html"] as string, "no-cache");
  }

  async function underUi(req: HttpRequest): Promise<HttpResponse> {
    const path = req.url.pathname;
    if (path === "/ui") return { status: 302, headers: { location: `${prefix}/ui/` } };
    const rel = normalize(decodeURIComponent(path.slice("/ui/".length)));
    if (rel !== "." && !rel.startsWith("..") && !rel.includes(`${sep}..`)) {
      const entry = await load(join(dir, rel));
      if (entry !== undefined) {
        const type = TYPES[extname(rel).toLowerCase()] ?? "application/octet-stream";
        // Vite names built assets by content hash, so they never change under the same name.
        const cacheControl = rel.startsWith(`assets${sep}`) ? "public, max-age=31536000, immutable" : "no-cache";
        return send(req, entry, type, cacheControl);
      }
      // A missing asset is a 404; any other path is a page of the app.
      if (extname(rel) !== "") return { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "404 page not found\n" };
    }
    return index(req);
  }

  server.route(["GET", "HEAD"], "/ui", underUi, { prefix: true });
  for (const page of UI_ROOT_PAGES) server.route(["GET", "HEAD"], page, index);
}
