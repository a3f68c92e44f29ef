/**
 * Plain HTTP requests without fetch's conveniences: the body exactly as sent
 * (no transparent gunzip), HEAD, and HTTP/2 with prior knowledge (h2c).
 */
import http from "node:http";
import http2 from "node:http2";

/** A response with its raw body. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Sends one HTTP/1.1 request and returns the undecoded response. */
export function rawRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? "GET", headers: opts.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** Sends one request over cleartext HTTP/2 with prior knowledge, as gRPC and Go's h2c clients do. */
export function h2cRequest(origin: string, path: string, method = "GET"): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(origin);
    session.on("error", reject);
    const stream = session.request({ ":method": method, ":path": path });
    const chunks: Buffer[] = [];
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    stream.on("response", (h) => {
      status = Number(h[":status"]);
      headers = { ...h };
    });
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      session.close();
      resolve({ status, headers, body: Buffer.concat(chunks) });
    });
    stream.on("error", (err) => {
      session.destroy();
      reject(err);
    });
    stream.end();
  });
}
