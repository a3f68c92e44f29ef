/**
 * Shared pieces of the API tests: push-request builders, raw HTTP calls for
 * checking the wire (status, headers, bodies) and ways to read errors and
 * flame-graph totals back.
 */
import assert from "node:assert/strict";
import { create, toBinary } from "@bufbuild/protobuf";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { RawProfileSeriesSchema, RawSampleSchema } from "../../src/gen/push/v1/push_pb.js";
import type { RawProfileSeries } from "../../src/gen/push/v1/push_pb.js";
import { LabelPairSchema } from "../../src/gen/types/v1/types_pb.js";
import type { LabelPair } from "../../src/gen/types/v1/types_pb.js";
import { buildPprofGz, cpuProfile } from "./pprof.js";
import type { TestProfile, TestStack } from "./pprof.js";

/** Go CPU profile types, as the helpers' cpuProfile produces them. */
export const CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";
export const CPU_SAMPLES = "process_cpu:samples:count:cpu:nanoseconds";

/** A whole second, one minute ago: recent enough for every default lookback. */
export function recentMs(): number {
  return Math.floor(Date.now() / 1000) * 1000 - 60_000;
}

/** Protobuf label pairs in the given order (duplicates and odd names are kept as written). */
export function pairs(labels: Record<string, string> | [string, string][]): LabelPair[] {
  const entries = Array.isArray(labels) ? labels : Object.entries(labels);
  return entries.map(([name, value]) => create(LabelPairSchema, { name, value }));
}

/** One series with one gzipped profile. */
export function rawSeries(labels: Record<string, string> | [string, string][], profile: TestProfile | Uint8Array): RawProfileSeries {
  const rawProfile = profile instanceof Uint8Array ? profile : buildPprofGz(profile);
  return create(RawProfileSeriesSchema, { labels: pairs(labels), samples: [create(RawSampleSchema, { rawProfile, ID: "" })] });
}

/** One series with one Go-style CPU profile at `timeMs` (values = [samples, nanoseconds]). */
export function cpuSeries(labels: Record<string, string>, stacks: TestStack[], timeMs: number): RawProfileSeries {
  return rawSeries(labels, cpuProfile(BigInt(timeMs) * 1_000_000n, stacks));
}

/** A single-stack CPU series whose nanosecond total is `ns`. */
export function cpuTotal(labels: Record<string, string>, ns: number, timeMs: number, frames = ["main", "work"]): RawProfileSeries {
  return cpuSeries(labels, [{ frames, values: [1, ns] }], timeMs);
}

/** Awaits `p`, which must reject with a ConnectError, and returns that error. */
export async function rejection(p: Promise<unknown>): Promise<ConnectError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ConnectError, `expected a ConnectError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the call to fail");
}

/** A raw HTTP answer. */
export interface RawAnswer {
  status: number;
  headers: Headers;
  body: Uint8Array;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** POSTs `body` to `url + path` and returns the raw answer. */
export async function post(url: string, path: string, body: Uint8Array | string, headers: Record<string, string>): Promise<RawAnswer> {
  const res = await fetch(`${url}${path}`, { method: "POST", headers, body });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = Buffer.from(bytes).toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, body: bytes, text, json };
}

/** GETs `url + path`. */
export async function get(url: string, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const res = await fetch(`${url}${path}`, { headers });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = Buffer.from(bytes).toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, body: bytes, text, json };
}

/** POSTs a Connect binary (application/proto) request built from `schema`. */
export function postProto<D extends DescMessage>(
  url: string,
  path: string,
  schema: D,
  msg: MessageShape<D>,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  return post(url, path, toBinary(schema, msg), { "content-type": "application/proto", ...headers });
}

/** POSTs a Connect JSON request; objects are serialized with JSON.stringify, strings sent as they are. */
export function postConnectJson(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return post(url, path, typeof body === "string" ? body : JSON.stringify(body), { "content-type": "application/json", ...headers });
}

/** The `{code, message}` of a Connect error body. */
export function connectErrorBody(a: RawAnswer): { code: string; message: string } {
  const b = a.json;
  assert.ok(typeof b === "object" && b !== null, `expected a JSON error body, got ${JSON.stringify(a.text)}`);
  const { code, message } = b as Record<string, unknown>;
  assert.equal(typeof code, "string", a.text);
  return { code: code as string, message: typeof message === "string" ? message : "" };
}

/** Flame-graph total of a SelectMergeStacktraces answer (0 when nothing matched). */
export function fgTotal(res: { flamegraph?: { total: bigint } }): number {
  return Number(res.flamegraph?.total ?? 0n);
}
