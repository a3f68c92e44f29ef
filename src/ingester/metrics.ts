/** Ingester metrics. */
import { Counter, Gauge } from "prom-client";
import type { Registry } from "prom-client";

/** The ingester's metrics. */
export interface IngesterMetrics {
  ingestedProfiles: Counter<"tenant">;
  activeSeries: Gauge<"tenant">;
}

/** Registers the ingester's metrics in `registry`. */
export function createIngesterMetrics(registry: Registry): IngesterMetrics {
  return {
    ingestedProfiles: new Counter({
      name: "pyroscope_ingester_ingested_profiles_total",
      help: "Profiles accepted by the ingester.",
      labelNames: ["tenant"] as const,
      registers: [registry],
    }),
    activeSeries: new Gauge({
      name: "pyroscope_ingester_memory_series",
      help: "Active series per tenant in the ingester's heads.",
      labelNames: ["tenant"] as const,
      registers: [registry],
    }),
  };
}
