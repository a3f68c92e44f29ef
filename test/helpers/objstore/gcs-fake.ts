/**
 * A fake of the Google Cloud Storage JSON API, in process, on 127.0.0.1. This is the ONE stand-in among
 * the object-storage test servers: no GCS emulator runs on this machine (fake-gcs-server is in neither
 * Debian nor npm; the Firebase storage emulator needs Java 21). Every other backend is tested against a
 * real server.
 *
 * It serves what @google-cloud/storage 7 uses: multipart and resumable uploads, media downloads with
 * Range, object metadata, listing with prefix/delimiter/pageToken, delete, and JSON errors shaped like
 * Google's. Object metadata carries md5Hash and crc32c (the client deletes an upload whose hashes are
 * missing) and downloads carry x-goog-hash so the client validates them.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CRC32C } from "@google-cloud/storage";

interface StoredObject {
  data: Buffer;
  generation: number;
  updated: Date;
  contentType: string;
  md5Hash: string;
  crc32c: string;
}

interface ResumableUpload {
  bucket: string;
  name: string;
  contentType: string;
  chunks: Buffer[];
  received: number;
}

/** A running fake GCS. */
export interface GcsFake {
  /** Base URL to pass as the client's apiEndpoint (and as `storage.gcs.endpoint`). */
  readonly endpoint: string;
  /** Creates an empty bucket. */
  createBucket(name: string): void;
  /** Requests served so far. */
  requestCount(): number;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=UTF-8", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, reason: string, message: string): void {
  sendJson(res, status, { error: { code: status, message, errors: [{ message, domain: "global", reason }] } });
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

// Splits a multipart/related body into its parts' header blocks and contents.
function multipartParts(body: Buffer, contentType: string): Array<{ headers: string; content: Buffer }> {
  const m = /boundary="?([^";]+)"?/.exec(contentType);
  if (m === null) throw new Error("multipart body without boundary");
  const delimiter = Buffer.from(`--${m[1]}`);
  const parts: Array<{ headers: string; content: Buffer }> = [];
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start + 2, next - 2); // skip CRLF after the delimiter and before the next
    const split = part.indexOf("\r\n\r\n");
    parts.push({ headers: part.subarray(0, split).toString(), content: part.subarray(split + 4) });
    pos = next;
  }
  return parts;
}

/** Starts the fake on a free port. */
export async function startGcsFake(): Promise<GcsFake> {
  const buckets = new Map<string, Map<string, StoredObject>>();
  const uploads = new Map<string, ResumableUpload>();
  let generation = 1;
  let requests = 0;

  function store(bucket: string, name: string, data: Buffer, contentType: string): StoredObject {
    const crc = new CRC32C();
    crc.update(data);
    const obj: StoredObject = {
      data,
      generation: generation++,
      updated: new Date(),
      contentType,
      md5Hash: createHash("md5").update(data).digest("base64"),
      crc32c: crc.toString(),
    };
    buckets.get(bucket)?.set(name, obj);
    return obj;
  }

  function metadata(bucket: string, name: string, o: StoredObject): Record<string, unknown> {
    return {
      kind: "storage#object",
      id: `${bucket}/${name}/${o.generation}`,
      name,
      bucket,
      generation: String(o.generation),
      metageneration: "1",
      contentType: o.contentType,
      size: String(o.data.length),
      md5Hash: o.md5Hash,
      crc32c: o.crc32c,
      etag: o.md5Hash,
      storageClass: "STANDARD",
      timeCreated: o.updated.toISOString(),
      updated: o.updated.toISOString(),
    };
  }

  function list(res: ServerResponse, bucket: string, objects: Map<string, StoredObject>, q: URLSearchParams): void {
    const prefix = q.get("prefix") ?? "";
    const delimiter = q.get("delimiter") ?? "";
    const max = Math.min(1000, Number(q.get("maxResults") ?? 1000) || 1000);
    // The page token is the last name or prefix handed out; everything at or below it is skipped.
    const after = q.get("pageToken") !== null ? Buffer.from(q.get("pageToken") as string, "base64url").toString() : undefined;
    const names = [...objects.keys()].filter((n) => n.startsWith(prefix)).sort(compareBytes);
    const items: unknown[] = [];
    const prefixes: string[] = [];
    let last: string | undefined;
    for (const name of names) {
      if (after !== undefined && (compareBytes(name, after) <= 0 || (after.endsWith(delimiter) && delimiter !== "" && name.startsWith(after)))) continue;
      const cut = delimiter === "" ? -1 : name.indexOf(delimiter, prefix.length);
      const entry = cut >= 0 ? name.slice(0, cut + delimiter.length) : name;
      if (entry === last) continue;
      if (items.length + prefixes.length === max) {
        sendJson(res, 200, { kind: "storage#objects", items, prefixes, nextPageToken: Buffer.from(last as string).toString("base64url") });
        return;
      }
      if (cut >= 0) prefixes.push(entry);
      else items.push(metadata(bucket, name, objects.get(name) as StoredObject));
      last = entry;
    }
    sendJson(res, 200, { kind: "storage#objects", ...(items.length > 0 ? { items } : {}), ...(prefixes.length > 0 ? { prefixes } : {}) });
  }

  function download(req: IncomingMessage, res: ServerResponse, o: StoredObject): void {
    const headers: Record<string, string> = {
      "Content-Type": o.contentType,
      "x-goog-hash": `crc32c=${o.crc32c},md5=${o.md5Hash}`,
      "x-goog-stored-content-encoding": "identity",
      "x-goog-generation": String(o.generation),
      ETag: o.md5Hash,
    };
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    if (range === null) {
      res.writeHead(200, { ...headers, "Content-Length": o.data.length });
      res.end(o.data);
      return;
    }
    const start = Number(range[1]);
    if (start >= o.data.length) {
      sendError(res, 416, "requestedRangeNotSatisfiable", "The requested range cannot be satisfied.");
      return;
    }
    const end = Math.min(o.data.length - 1, range[2] === "" ? o.data.length - 1 : Number(range[2]));
    const part = o.data.subarray(start, end + 1);
    res.writeHead(206, { ...headers, "Content-Length": part.length, "Content-Range": `bytes ${start}-${end}/${o.data.length}` });
    res.end(part);
  }

  async function upload(req: IncomingMessage, res: ServerResponse, bucket: string, q: URLSearchParams, base: string): Promise<void> {
    const body = await readBody(req);
    const uploadId = q.get("upload_id");
    if (uploadId !== null) {
      const up = uploads.get(uploadId);
      if (up === undefined) return sendError(res, 404, "notFound", "No such upload session.");
      const range = /^bytes (\d+|\*)-?(\d+|\*)?\/(\d+|\*)$/.exec(req.headers["content-range"] ?? "");
      up.chunks.push(body);
      up.received += body.length;
      const total = range?.[3];
      // "bytes 0-*/N" streams the whole rest in this request; "bytes A-B/N" is one chunk of several.
      const final = range === null || range[2] === "*" || range[2] === undefined || (total !== "*" && up.received >= Number(total));
      if (!final) {
        res.writeHead(308, { Range: `bytes=0-${up.received - 1}`, "Content-Length": 0 });
        res.end();
        return;
      }
      uploads.delete(uploadId);
      const o = store(up.bucket, up.name, Buffer.concat(up.chunks), up.contentType);
      return sendJson(res, 200, metadata(up.bucket, up.name, o));
    }
    const type = q.get("uploadType");
    if (type === "multipart") {
      const [meta, media] = multipartParts(body, req.headers["content-type"] ?? "");
      if (meta === undefined || media === undefined) return sendError(res, 400, "invalid", "Bad multipart body.");
      const json = JSON.parse(meta.content.toString()) as { name?: string; contentType?: string };
      const name = q.get("name") ?? json.name ?? "";
      const o = store(bucket, name, Buffer.from(media.content), json.contentType ?? "application/octet-stream");
      return sendJson(res, 200, metadata(bucket, name, o));
    }
    if (type === "resumable") {
      const json = (body.length > 0 ? JSON.parse(body.toString()) : {}) as { name?: string; contentType?: string };
      const name = q.get("name") ?? json.name ?? "";
      const id = randomUUID();
      const contentType = String(req.headers["x-upload-content-type"] ?? json.contentType ?? "application/octet-stream");
      uploads.set(id, { bucket, name, contentType, chunks: [], received: 0 });
      const location = `${base}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`;
      res.writeHead(200, { Location: location, "Content-Length": 0 });
      res.end();
      return;
    }
    sendError(res, 400, "invalid", `Unsupported uploadType ${String(type)}.`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, base: string): Promise<void> {
    requests++;
    const url = new URL(req.url ?? "/", base);
    const m = /^(?:\/download)?\/(upload\/)?storage\/v1\/b\/([^/]+)(?:\/o(?:\/(.+))?)?$/.exec(url.pathname);
    if (m === null) return sendError(res, 404, "notFound", `Not found: ${url.pathname}`);
    const isUpload = m[1] !== undefined;
    const bucket = decodeURIComponent(m[2] as string);
    const name = m[3] !== undefined ? decodeURIComponent(m[3]) : undefined;
    const objects = buckets.get(bucket);
    if (objects === undefined) {
      await readBody(req);
      return sendError(res, 404, "notFound", "The specified bucket does not exist.");
    }
    if (isUpload && (req.method === "POST" || req.method === "PUT")) return upload(req, res, bucket, url.searchParams, base);
    await readBody(req);
    if (name === undefined) {
      if (req.method === "GET" && url.pathname.endsWith("/o")) return list(res, bucket, objects, url.searchParams);
      if (req.method === "GET") return sendJson(res, 200, { kind: "storage#bucket", id: bucket, name: bucket });
      return sendError(res, 405, "methodNotAllowed", "Method not allowed.");
    }
    const o = objects.get(name);
    if (o === undefined) return sendError(res, 404, "notFound", `No such object: ${bucket}/${name}`);
    if (req.method === "GET") {
      if (url.searchParams.get("alt") === "media") return download(req, res, o);
      return sendJson(res, 200, metadata(bucket, name, o));
    }
    if (req.method === "DELETE") {
      objects.delete(name);
      res.writeHead(204);
      res.end();
      return;
    }
    sendError(res, 405, "methodNotAllowed", "Method not allowed.");
  }

  let base = "";
  const server = createServer((req, res) => {
    handle(req, res, base).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, "backendError", err instanceof Error ? err.message : String(err));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint: base,
    createBucket(name) {
      if (!buckets.has(name)) buckets.set(name, new Map());
    },
    requestCount: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
