/** Distributor metrics, with the names Phlare and Pyroscope expose. */
import { Counter } from "prom-client";
import type { Registry } from "prom-client";

/** The distributor's metrics. */
export interface DistributorMetrics {
  receivedCompressedBytes: Counter<"tenant">;
  receivedDecompressedBytes: Counter<"tenant">;
  receivedProfiles: Counter<"tenant">;
  discardedProfiles: Counter<"reason" | "tenant">;
  discardedBytes: Counter<"reason" | "tenant">;
}

/** Registers the distributor's metrics in `registry`. */
export function createDistributorMetrics(registry: Registry): DistributorMetrics {
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
    new Counter({ name, help, labelNames, registers: [registry] });
  return {
    receivedCompressedBytes: counter("pyroscope_distributor_received_compressed_bytes_total", "Compressed bytes of received profiles.", ["tenant"]),
    receivedDecompressedBytes: counter("pyroscope_distributor_received_decompressed_bytes_total", "Decompressed bytes of accepted profiles.", ["tenant"]),
    receivedProfiles: counter("pyroscope_distributor_received_profiles_total", "Accepted profiles.", ["tenant"]),
    discardedProfiles: counter("pyroscope_discarded_samples_total", "The total number of samples that were discarded.", ["reason", "tenant"]),
    discardedBytes: counter("pyroscope_discarded_bytes_total", "The total number of bytes that were discarded.", ["reason", "tenant"]),
  };
}
