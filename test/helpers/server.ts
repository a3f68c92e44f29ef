/**
 * Starts a real Phlare (every module of -target=all unless told otherwise) in
 * this process on a free 127.0.0.1 port, configured through the real flag parser.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import type { Client, Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { loadConfig } from "../../src/config/load.js";
import { PusherService } from "../../src/gen/push/v1/push_pb.js";
import { QuerierService } from "../../src/gen/querier/v1/querier_pb.js";
import { IngesterService } from "../../src/gen/ingester/v1/ingester_pb.js";
import type { Config } from "../../src/config/config.js";
import type { BucketOptions } from "../../src/objstore/factory.js";
import { startPhlare } from "../../src/phlare.js";
import type { RunningPhlare } from "../../src/phlare.js";
import { nopLogger } from "../../src/server/logger.js";

/** A running test server. */
export interface TestServer {
  readonly url: string;
  readonly app: RunningPhlare;
  readonly dataDir: string;
  /** Connect clients (binary protobuf over HTTP/1.1), optionally for a tenant. */
  clients(opts?: { tenant?: string; json?: boolean }): {
    push: Client<typeof PusherService>;
    querier: Client<typeof QuerierService>;
    ingester: Client<typeof IngesterService>;
  };
  /** Stops the server and, unless `keepData`, removes its data directory. */
  stop(keepData?: boolean): Promise<void>;
}

/** How a test adjusts what the flags cannot express. */
export interface TestServerOptions {
  /** Edits the config after the flags were applied (e.g. a whole `storage:` section). */
  edit?: (config: Config) => void;
  bucketOptions?: BucketOptions;
  /** Reuse this data directory (a restart) instead of a fresh one. */
  dataDir?: string;
}

/** Starts Phlare with extra command-line `flags`. */
export async function startTestServer(flags: string[] = [], options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "phlare-test-"));
  const res = loadConfig(
    ["-server.http-listen-address=127.0.0.1", "-server.http-listen-port=0", `-phlaredb.data-path=${dataDir}`, ...flags],
    {},
  );
  if (res.kind !== "run") throw new Error(`unexpected ${res.kind}`);
  options.edit?.(res.config);
  const app = await startPhlare(res.config, { logger: nopLogger(), ...(options.bucketOptions ? { bucketOptions: options.bucketOptions } : {}) });
  const url = `http://127.0.0.1:${app.port}`;
  return {
    url,
    app,
    dataDir,
    clients(opts = {}) {
      const transport: Transport = createConnectTransport({
        baseUrl: url,
        httpVersion: "1.1",
        useBinaryFormat: !opts.json,
        interceptors: opts.tenant === undefined ? [] : [(next) => async (req) => {
          req.header.set("X-Scope-OrgID", opts.tenant!);
          return next(req);
        }],
      });
      return {
        push: createClient(PusherService, transport),
        querier: createClient(QuerierService, transport),
        ingester: createClient(IngesterService, transport),
      };
    },
    async stop(keepData = false) {
      await app.stop();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POSTs a Connect JSON request and returns status and parsed body. */
export async function postJson(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}
