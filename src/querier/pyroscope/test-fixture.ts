/**
 * The hand-made profile set the Pyroscope route tests push through the real Push RPC:
 * four CPU profiles of service "app" on pods a and b within one minute, with values in
 * whole milliseconds of CPU time so every total is easy to check.
 */
import type { TestServer } from "../../../test/helpers/server.js";
import { cpuSeries } from "../../../test/helpers/api.js";

/** The CPU profile type of the pushed profiles. */
export const CPU_TYPE = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";

const MS = 1_000_000;

/** A whole minute in the recent past: the fixture's time origin (ms). */
export function fixtureBaseMs(): number {
  return Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
}

/** [pod, offset from the base (ms), stacks root-first with CPU nanoseconds]. */
export const FIXTURE: readonly [string, number, [string[], number][]][] = [
  ["a", 0, [[["main", "work", "compute"], 600 * MS]]],
  ["b", 10_000, [[["main", "work"], 200 * MS], [["main", "idle"], 150 * MS]]],
  ["a", 25_000, [[["main", "work", "compute"], 100 * MS], [["gc"], 20 * MS]]],
  ["b", 28_000, [[["main", "idle"], 50 * MS]]],
];

/** Pushes the fixture for `tenant` (undefined: no tenant header) with extra labels. */
export async function pushFixture(s: TestServer, baseMs: number, tenant?: string, extra: Record<string, string> = {}): Promise<void> {
  const client = s.clients(tenant === undefined ? {} : { tenant }).push;
  for (const [pod, offset, stacks] of FIXTURE) {
    const labels = { __name__: "process_cpu", service_name: "app", pod, ...extra };
    await client.push({ series: [cpuSeries(labels, stacks.map(([frames, ns]) => ({ frames, values: [1, ns] })), baseMs + offset)] });
  }
}
