/** Distributor metrics, with the names and shapes Phlare and Pyroscope expose. */
import { Counter, Histogram } from "prom-client";
import type { Registry } from "prom-client";

/** The distributor's metrics. */
export interface DistributorMetrics {
  /** Per profile, by profile name (`type`) and tenant. */
  receivedCompressedBytes: Histogram<"type" | "tenant">;
  receivedDecompressedBytes: Histogram<"type" | "tenant">;
  receivedSamples: Histogram<"type" | "tenant">;
  discardedProfiles: Counter<"reason" | "tenant">;
  discardedBytes: Counter<"reason" | "tenant">;
}

/** Prometheus' ExponentialBucketsRange: `count` buckets from `min` to `max`. */
export function exponentialBucketsRange(min: number, max: number, count: number): number[] {
  const factor = Math.pow(max / min, 1 / (count - 1));
  return Array.from({ length: count }, (_, i) => min * Math.pow(factor, i));
}

/** Registers the distributor's metrics in `registry`. */
export function createDistributorMetrics(registry: Registry): DistributorMetrics {
  const bytes = exponentialBucketsRange(10 * 1024, 15 * 1024 * 1024, 30);
  const histogram = (name: string, help: string, buckets: number[]): Histogram<"type" | "tenant"> =>
    new Histogram({ name, help, labelNames: ["type", "tenant"] as const, buckets, registers: [registry] });
  const counter = (name: string, help: string): Counter<"reason" | "tenant"> =>
    new Counter({ name, help, labelNames: ["reason", "tenant"] as const, registers: [registry] });
  return {
    receivedCompressedBytes: histogram("pyroscope_distributor_received_compressed_bytes", "The number of compressed bytes per profile received by the distributor.", bytes),
    receivedDecompressedBytes: histogram("pyroscope_distributor_received_decompressed_bytes", "The number of decompressed bytes per profiles received by the distributor.", bytes),
    receivedSamples: histogram("pyroscope_distributor_received_samples", "The number of samples per profile name received by the distributor.", exponentialBucketsRange(100, 100_000, 30)),
    discardedProfiles: counter("pyroscope_discarded_samples_total", "The total number of samples that were discarded."),
    discardedBytes: counter("pyroscope_discarded_bytes_total", "The total number of bytes that were discarded."),
  };
}
