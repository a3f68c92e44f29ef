/**
 * The distributor boundary: a push of raw pprof profiles, in domain types.
 */
import type { LabelPair } from "../model/labels.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";

/** One push request: series of raw (gzipped or plain) pprof profiles. */
export interface PushInput {
  series: PushSeries[];
}

/** Labels and raw profiles of one series in a push. */
export interface PushSeries {
  labels: LabelPair[];
  samples: PushSample[];
}

/** One raw profile of a push. */
export interface PushSample {
  rawProfile: Uint8Array;
  id: string;
  /**
   * The profile already decoded and normalized from `rawProfile` (as Distributor.decode returns
   * it), when the caller had to look inside it first; the distributor then does not decode again.
   */
  decoded?: DecodedProfile;
}

/** A decoded, normalized profile and the size of its uncompressed pprof. */
export interface DecodedProfile {
  profile: FlatProfile;
  rawBytes: number;
}

/** A distributor, local or remote. */
export interface DistributorApi {
  /** Validates, normalizes, rate-limits and forwards the profiles; resolves once stored. */
  push(tenant: string, input: PushInput): Promise<void>;
}
