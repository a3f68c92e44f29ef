/**
 * The distributor boundary: a push of raw pprof profiles, in domain types.
 */
import type { LabelPair } from "../model/labels.js";

/** One push request: series of raw (gzipped or plain) pprof profiles. */
export interface PushInput {
  series: PushSeries[];
}

/** Labels and raw profiles of one series in a push. */
export interface PushSeries {
  labels: LabelPair[];
  samples: { rawProfile: Uint8Array; id: string }[];
}

/** A distributor, local or remote. */
export interface DistributorApi {
  /** Validates, normalizes, rate-limits and forwards the profiles; resolves once stored. */
  push(tenant: string, input: PushInput): Promise<void>;
}
