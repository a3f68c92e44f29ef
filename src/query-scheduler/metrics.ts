/** Query-scheduler metrics, named after Pyroscope's (pyroscope_query_scheduler_*). */
import { Gauge, Histogram } from "prom-client";
import type { Registry } from "prom-client";

/** What the gauges read when scraped. */
export interface SchedulerMetricsSource {
  /** Queued requests per tenant that has any. */
  queueLengths(): ReadonlyMap<string, number>;
  /** Distinct querier ids with at least one open stream. */
  connectedQueriers(): number;
}

/** The query-scheduler's metrics; the gauges are computed at scrape time. */
export interface SchedulerMetrics {
  /** Seconds from enqueue to hand-over to a querier. */
  queueDuration: Histogram;
}

/** Registers the scheduler's metrics in `registry`. */
export function createSchedulerMetrics(registry: Registry, source: SchedulerMetricsSource): SchedulerMetrics {
  new Gauge({
    name: "pyroscope_query_scheduler_queue_length",
    help: "Number of queries in the queue.",
    labelNames: ["tenant"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [tenant, n] of source.queueLengths()) this.set({ tenant }, n);
    },
  });
  new Gauge({
    name: "pyroscope_query_scheduler_connected_querier_clients",
    help: "Number of querier worker clients currently connected to the query-scheduler.",
    registers: [registry],
    collect() {
      this.set(source.connectedQueriers());
    },
  });
  return {
    queueDuration: new Histogram({
      name: "pyroscope_query_scheduler_queue_duration_seconds",
      help: "Time spend by requests in queue before getting picked up by a querier.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
