/**
 * Phlare profiles itself the way a Go server does: `/debug/pprof/profile?seconds=N` (CPU and wall
 * time over N seconds) and `/debug/pprof/heap` (= `/allocs`, sampled live heap), gzipped pprof
 * from @datadog/pprof. The agent's demo config scrapes these, so a fresh server shows its own
 * profiles.
 */
import { encode, heap, time } from "@datadog/pprof";
import { InvalidArgumentError } from "../model/errors.js";
import type { HttpResponse, RouteHandler } from "./router.js";
import { text } from "./server.js";

// Go's net/http/pprof default; a scraper asks for interval − 1 seconds.
const DEFAULT_SECONDS = 30;
// One sample per 512 KiB allocated and 64 frames: @datadog/pprof's own defaults, cheap enough to leave on.
const HEAP_INTERVAL_BYTES = 512 * 1024;
const HEAP_STACK_DEPTH = 64;
const CPU_INTERVAL_MICROS = 10_000;

let heapStarted = false;
let cpuBusy = false;

function pprofResponse(body: Uint8Array, name: string): HttpResponse {
  return {
    status: 200,
    headers: { "content-type": "application/octet-stream", "content-disposition": `attachment; filename="${name}"`, "x-content-type-options": "nosniff" },
    body,
  };
}

/** The handlers, keyed by route; `writeTimeoutMs` bounds how long a CPU profile may run (as Go does). */
export function debugPprofRoutes(writeTimeoutMs: number): Map<string, RouteHandler> {
  if (!heapStarted) {
    heap.start(HEAP_INTERVAL_BYTES, HEAP_STACK_DEPTH);
    heapStarted = true;
  }
  const heapHandler: RouteHandler = async () => pprofResponse(await encode(heap.profile()), "heap");
  const profileHandler: RouteHandler = async (req) => {
    const raw = req.url.searchParams.get("seconds");
    const seconds = raw === null || raw === "" ? DEFAULT_SECONDS : Number(raw);
    if (!Number.isInteger(seconds) || seconds <= 0) throw new InvalidArgumentError("invalid_request", `bad seconds ${JSON.stringify(raw)}: expected a positive whole number`);
    if (writeTimeoutMs > 0 && seconds * 1000 > writeTimeoutMs) throw new InvalidArgumentError("invalid_request", "profile duration exceeds server's WriteTimeout");
    if (cpuBusy) return text(500, "Could not enable CPU profiling: cpu profiling already in use\n");
    cpuBusy = true;
    try {
      // CPU time needs contexts in @datadog/pprof; both come as sample types next to wall time.
      const profile = await time.profile({ durationMillis: seconds * 1000, intervalMicros: CPU_INTERVAL_MICROS, collectCpuTime: true, withContexts: true });
      return pprofResponse(await encode(profile), "profile");
    } finally {
      cpuBusy = false;
    }
  };
  return new Map([
    ["/debug/pprof/profile", profileHandler],
    ["/debug/pprof/heap", heapHandler],
    ["/debug/pprof/allocs", heapHandler],
  ]);
}
