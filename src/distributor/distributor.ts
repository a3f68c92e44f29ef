/**
 * The distributor: validates series labels, decodes and normalizes every pprof,
 * applies the tenant's ingestion rate limit on uncompressed bytes, and hands the
 * profiles to the ingester that owns them.
 */
import { randomUUID } from "node:crypto";
import type { Limits } from "../config/limits.js";
import { InvalidArgumentError, LimitExceededError } from "../model/errors.js";
import { LabelName } from "../model/labels.js";
import type { IngestProfile } from "../model/query.js";
import type { IngesterApi } from "../ingester/api.js";
import type { DecodedProfile, DistributorApi, PushInput } from "./api.js";
import { DecodePool } from "./decode-pool.js";
import type { DistributorMetrics } from "./metrics.js";
import { RateLimiter } from "./rate-limiter.js";
import { utf8Length, validateSeriesLabels } from "./validate.js";

/** Largest decompressed profile accepted; guards memory against gzip bombs. */
export const MAX_DECOMPRESSED_PROFILE_BYTES = 64 * 1024 * 1024;

const BYTES_IN_MB = 1024 * 1024;

/** What the distributor needs from the rest of the process. */
export interface DistributorDeps {
  /** Where validated profiles go: the local ingester, or the ring's replicas. */
  ingester: Pick<IngesterApi, "push">;
  limits: (tenant: string) => Limits;
  /** Healthy distributors sharing the tenant's rate limit (1 in monolithic mode). */
  healthyDistributors: () => number;
  metrics: DistributorMetrics;
  /** Where profiles are decoded; inline when absent. */
  decoder?: DecodePool;
  nowNanos?: () => bigint;
  nowMs?: () => number;
}

/** The in-process distributor. */
export class Distributor implements DistributorApi {
  private readonly limiter: RateLimiter;
  private readonly decoder: DecodePool;

  constructor(private readonly deps: DistributorDeps) {
    this.limiter = new RateLimiter(deps.nowMs);
    this.decoder = deps.decoder ?? new DecodePool({ workers: 0, inlineBelowBytes: 0, maxBytes: MAX_DECOMPRESSED_PROFILE_BYTES });
  }

  async push(tenant: string, input: PushInput): Promise<void> {
    const limits = this.deps.limits(tenant);
    let profileCount = 0;
    let compressedBytes = 0;
    for (const s of input.series) {
      profileCount += s.samples.length;
      for (const sample of s.samples) compressedBytes += sample.rawProfile.byteLength;
    }
    if (profileCount === 0) throw new InvalidArgumentError("invalid_request", "no profiles received");

    const now = this.deps.nowNanos?.() ?? BigInt(Date.now()) * 1_000_000n;
    let profiles: IngestProfile[];
    let bytes = 0;
    try {
      // Labels first, all of them: a bad series must reject the push before any decode starts.
      const series = input.series.map((s) => ({ labels: validateSeriesLabels(s.labels, limits), samples: s.samples }));
      const decoded: Promise<IngestProfile>[] = [];
      for (const { labels, samples } of series) {
        let labelBytes = 0;
        for (const l of labels) labelBytes += utf8Length(l.name) + utf8Length(l.value);
        const type = { type: labels.find((l) => l.name === LabelName.MetricName)?.value ?? "", tenant };
        for (const sample of samples) {
          decoded.push(
            (sample.decoded ? Promise.resolve(sample.decoded) : this.decoder.decode(sample.rawProfile, now)).then(({ profile, rawBytes }) => {
              bytes += rawBytes + labelBytes;
              this.deps.metrics.receivedCompressedBytes.observe(type, sample.rawProfile.byteLength);
              this.deps.metrics.receivedDecompressedBytes.observe(type, rawBytes);
              this.deps.metrics.receivedSamples.observe(type, profile.sampleCount);
              return { id: randomUUID(), labels, profile, raw: sample.rawProfile };
            }),
          );
        }
      }
      profiles = await settleAll(decoded);
    } catch (err) {
      this.discard(tenant, err, profileCount, compressedBytes);
      throw err;
    }

    const rate = (limits.ingestion_rate_mb * BYTES_IN_MB) / Math.max(1, this.deps.healthyDistributors());
    const burst = limits.ingestion_burst_size_mb * BYTES_IN_MB;
    if (!this.limiter.allow(tenant, bytes, rate, burst)) {
      const err = new LimitExceededError(
        "rate_limited",
        `push rate limit (${humanizeBytes(rate)}) exceeded while adding ${humanizeBytes(bytes)}`,
      );
      this.discard(tenant, err, profileCount, bytes);
      throw err;
    }
    try {
      await this.deps.ingester.push(tenant, profiles);
    } catch (err) {
      this.discard(tenant, err, profileCount, bytes);
      throw err;
    }
  }

  /** Gunzips (when gzipped), decodes and normalizes a pprof as push does; `nowNanos` stamps a profile without a time. */
  decode(rawProfile: Uint8Array, nowNanos: bigint): Promise<DecodedProfile> {
    return this.decoder.decode(rawProfile, nowNanos);
  }

  private discard(tenant: string, err: unknown, profiles: number, bytes: number): void {
    const reason = err instanceof InvalidArgumentError || err instanceof LimitExceededError ? err.reason : "unknown";
    this.deps.metrics.discardedProfiles.inc({ reason, tenant }, profiles);
    this.deps.metrics.discardedBytes.inc({ reason, tenant }, bytes);
  }
}

/**
 * go-humanize's IBytes as Phlare's messages print it: "4.0 MiB", "12 KiB", "512 B". The value is
 * rounded to a tenth first and then formatted with %.1f below 10 or %.0f (ties to even) above.
 */
export function humanizeBytes(n: number): string {
  const s = Math.max(0, Math.trunc(n));
  if (s < 10) return `${s} B`;
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  const e = Math.floor(Math.log(s) / Math.log(1024));
  const val = Math.floor((s / 1024 ** e) * 10 + 0.5) / 10;
  return `${val < 10 ? val.toFixed(1) : roundHalfEven(val)} ${units[e]}`;
}

function roundHalfEven(v: number): string {
  const floor = Math.floor(v);
  const diff = v - floor;
  if (diff === 0.5) return String(floor % 2 === 0 ? floor : floor + 1);
  return String(diff > 0.5 ? floor + 1 : floor);
}

/** Waits for every promise, then rethrows the first rejection (so no decode is left running unobserved). */
async function settleAll<T>(ps: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(ps);
  return results.map((r) => {
    if (r.status === "rejected") throw r.reason;
    return r.value;
  });
}
