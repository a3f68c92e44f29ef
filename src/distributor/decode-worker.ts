/**
 * Worker-thread side of the decode pool: gunzip, decode and normalize one pushed
 * profile, and hand its typed arrays back without copying them.
 */
import { parentPort } from "node:worker_threads";
import { InvalidArgumentError, LimitExceededError } from "../model/errors.js";
import { decodePprof, maybeGunzip, normalizePprof } from "../model/pprof/index.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";

/** A decode request. */
export interface DecodeRequest {
  id: number;
  bytes: Uint8Array;
  nowNanos: bigint;
  maxBytes: number;
}

/** A decode answer: the profile and its raw size, or the error to rethrow. */
export type DecodeResponse =
  | { id: number; profile: FlatProfile; rawBytes: number }
  | { id: number; error: { kind: "invalid" | "limit" | "other"; reason: string; message: string } };

/** Gunzips (when gzipped), decodes and normalizes as the distributor needs it. */
export function decodeForHead(bytes: Uint8Array, nowNanos: bigint, maxBytes: number): { profile: FlatProfile; rawBytes: number } {
  const raw = maybeGunzip(bytes, maxBytes);
  // The head sums values per stack and keeps no sample labels: merging samples here would be done twice.
  return { profile: normalizePprof(decodePprof(raw), nowNanos, { mergeSamples: false }), rawBytes: raw.byteLength };
}

/** The distinct buffers behind a profile's typed arrays, to transfer them. */
export function profileBuffers(p: FlatProfile): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  for (const v of Object.values(p)) {
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) set.add(v.buffer);
  }
  return [...set];
}

if (parentPort) {
  const port = parentPort;
  port.on("message", (req: DecodeRequest) => {
    let res: DecodeResponse;
    try {
      const { profile, rawBytes } = decodeForHead(req.bytes, req.nowNanos, req.maxBytes);
      res = { id: req.id, profile, rawBytes };
      port.postMessage(res, profileBuffers(profile));
      return;
    } catch (err) {
      const kind = err instanceof InvalidArgumentError ? "invalid" : err instanceof LimitExceededError ? "limit" : "other";
      const reason = err instanceof InvalidArgumentError || err instanceof LimitExceededError ? err.reason : "";
      res = { id: req.id, error: { kind, reason, message: err instanceof Error ? err.message : String(err) } };
    }
    port.postMessage(res);
  });
}
