/**
 * Metrics: one prom-client registry per server (tests run several servers in one
 * process), plus the HTTP request histogram every route reports into.
 */
import { collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** Metrics shared by the whole server. */
export interface ServerMetrics {
  registry: Registry;
  requestDuration: Histogram<"method" | "route" | "status_code" | "ws">;
}

/** Creates the registry and the HTTP metrics. */
export function createServerMetrics(withProcessMetrics: boolean): ServerMetrics {
  const registry = new Registry();
  if (withProcessMetrics) collectDefaultMetrics({ register: registry });
  const requestDuration = new Histogram({
    name: "pyroscope_request_duration_seconds",
    help: "Time (in seconds) spent serving HTTP requests.",
    labelNames: ["method", "route", "status_code", "ws"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100],
    registers: [registry],
  });
  return { registry, requestDuration };
}
