/**
 * Ingest throughput of a cluster in micro-services mode (real processes, etcd, Swift's S3) as
 * ingesters are added: two distributors in front of one ingester (the baseline), then of three
 * ingesters with RF 1 (series spread over three), then of three with RF 3 (each profile written
 * three times). Clients push the corpus as gzipped pprof back to back for a fixed time, each
 * series moving forward in time. Two figures: the acknowledged compressed bytes per second,
 * and the CPU the busiest ingester spends per acknowledged MB (from /proc). All processes share
 * this machine's cores, so throughput says what sharding costs here; the busiest ingester's CPU
 * per MB says how much more a cluster can take before its busiest ingester is saturated, which
 * is what adding ingesters on their own hosts buys.
 * Run directly: node --import tsx bench/cluster.bench.ts [--quick]
 */
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { createClient } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { PusherService } from "../src/gen/push/v1/push_pb.js";
import { startCluster } from "../test/helpers/cluster.js";
import type { ClusterShape } from "../test/helpers/cluster.js";
import { gzipWithTime, pushFiles } from "./bench-profiles.js";
import type { PushFile } from "./bench-profiles.js";
import { defaultBenchOptions, printWhenMain, round } from "./bench-result.js";
import type { BenchOptions, BenchResult } from "./bench-result.js";

const CLIENTS = 8;
const UNTHROTTLED = ["-distributor.ingestion-rate-limit-mb=1000000", "-distributor.ingestion-burst-size-mb=1000000", "-ingester.max-global-series-per-tenant=0"];

function shape(ingesters: number, replicationFactor: number): ClusterShape {
  return {
    distributors: 2,
    ingesters,
    queriers: 0,
    queryFrontends: 0,
    querySchedulers: 0,
    storeGateways: 0,
    compactors: 0,
    replicationFactor,
    extraArgs: UNTHROTTLED,
  };
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) throw new Error("the process is not running");
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the line, in clock ticks (100 per second on Linux).
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** Pushes for `ms` from CLIENTS clients: acknowledged compressed MB/s, and the busiest ingester's CPU s per MB. */
async function measure(s: ClusterShape, files: PushFile[], ms: number): Promise<{ mbps: number; pushes: number; cpuPerMB: number }> {
  const cluster = await startCluster(s);
  try {
    const ingesters = cluster.of("ingester");
    const cpu0 = ingesters.map((m) => cpuSeconds(m.pid()));
    const clients: Client<typeof PusherService>[] = cluster
      .of("distributor")
      .map((d) => createClient(PusherService, createConnectTransport({ baseUrl: d.url, httpVersion: "1.1" })));
    let bytes = 0;
    let pushes = 0;
    const errors: string[] = [];
    const t0 = Date.now();
    const end = t0 + ms;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        // Each client owns its files' series, so every series moves forward in time.
        const mine = files.filter((_, i) => i % CLIENTS === c);
        let timeMs = Date.now();
        for (let i = 0; Date.now() < end && mine.length > 0; i++) {
          const f = mine[i % mine.length]!;
          if (i % mine.length === 0) timeMs += 1;
          const body = gzipWithTime(f.raw, BigInt(timeMs) * 1_000_000n);
          try {
            await clients[(c + i) % clients.length]!.push({ series: [{ labels: f.labels, samples: [{ rawProfile: body, ID: "" }] }] });
            bytes += body.byteLength;
            pushes++;
          } catch (err) {
            errors.push(err instanceof Error ? err.message : String(err));
          }
        }
      }),
    );
    if (errors.length > 0) throw new Error(`${errors.length} pushes failed, e.g. ${errors[0]}`);
    const busiest = Math.max(...ingesters.map((m, i) => cpuSeconds(m.pid()) - cpu0[i]!));
    return { mbps: bytes / 1e6 / ((Date.now() - t0) / 1000), pushes, cpuPerMB: busiest / (bytes / 1e6) };
  } finally {
    await cluster.close();
  }
}

/** The three clusters, each pushed for the same time. */
export async function run(options: BenchOptions = defaultBenchOptions()): Promise<BenchResult[]> {
  const files = pushFiles();
  const ms = options.quick ? 5_000 : 20_000;
  const one = await measure(shape(1, 1), files, ms);
  const three = await measure(shape(3, 1), files, ms);
  const replicated = await measure(shape(3, 3), files, ms);
  const note = `${CLIENTS} clients, 2 distributors, ${Math.round(ms / 1000)} s each, all processes on ${cpus().length} cores`;
  return [
    {
      name: "cluster ingest: 3 ingesters RF 1 vs 1 ingester",
      baseline: round(one.mbps),
      value: round(three.mbps),
      ratio: round(three.mbps / one.mbps),
      unit: "MB/s gz",
      note: `${note}; ${one.pushes} vs ${three.pushes} pushes`,
    },
    {
      name: "cluster ingest: 3 ingesters RF 3 vs 1 ingester",
      baseline: round(one.mbps),
      value: round(replicated.mbps),
      ratio: round(replicated.mbps / one.mbps),
      unit: "MB/s gz",
      note: `${note}; every profile written to 3 ingesters, acknowledged by 2`,
    },
    {
      name: "cluster ingest: busiest ingester CPU per MB, 3 ingesters RF 1 vs 1",
      baseline: round(one.cpuPerMB, 3),
      value: round(three.cpuPerMB, 3),
      ratio: round(one.cpuPerMB / three.cpuPerMB),
      unit: "CPU s/MB gz",
      note: "the headroom sharding gives: how much more the busiest ingester could take",
    },
    {
      name: "cluster ingest: busiest ingester CPU per MB, 3 ingesters RF 3 vs 1",
      baseline: round(one.cpuPerMB, 3),
      value: round(replicated.cpuPerMB, 3),
      ratio: round(one.cpuPerMB / replicated.cpuPerMB),
      unit: "CPU s/MB gz",
      note: "each ingester holds every profile: replication buys availability, not capacity",
    },
  ];
}

await printWhenMain(import.meta.url, run);
