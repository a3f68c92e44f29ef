/**
 * Worker-thread side of the decode pool: gunzip, decode and normalize one pushed
 * profile, and hand its typed arrays back without copying them.
 */
import { decodePprof, maybeGunzip, normalizePprof } from "../model/pprof/index.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
import { buffersOf, serveWorkerJobs } from "../server/worker-pool.js";

/** A decode request. */
export interface DecodeRequest {
  bytes: Uint8Array;
  nowNanos: bigint;
  maxBytes: number;
}

/** A decoded profile and its decompressed size. */
export interface DecodeResponse {
  profile: FlatProfile;
  rawBytes: number;
}

/** Gunzips (when gzipped), decodes and normalizes as the distributor needs it. */
export function decodeForHead(bytes: Uint8Array, nowNanos: bigint, maxBytes: number): DecodeResponse {
  const raw = maybeGunzip(bytes, maxBytes);
  // The head sums values per stack and keeps no sample labels: merging samples here would be done twice.
  return { profile: normalizePprof(decodePprof(raw), nowNanos, { mergeSamples: false }), rawBytes: raw.byteLength };
}

serveWorkerJobs<DecodeRequest, DecodeResponse>((req) => {
  const res = decodeForHead(req.bytes, req.nowNanos, req.maxBytes);
  return { res, transfer: buffersOf(Object.values(res.profile)) };
});
