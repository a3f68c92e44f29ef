/**
 * Waiting for scraped data in the agent's tests: polling, the series of a selector, and the
 * targets API as JSON.
 */
import assert from "node:assert/strict";
import type { Labels as PbLabels } from "../../src/gen/types/v1/types_pb.js";
import type { TestServer } from "./server.js";

const HOUR = 3_600_000;

/** Polls `check` until it returns a value, or fails after `ms`. */
export async function eventually<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function asRecord(ls: PbLabels): Record<string, string> {
  return Object.fromEntries(ls.labels.map((l) => [l.name, l.value]));
}

/** Every label set of series matching `selector`, now ± an hour. */
export async function seriesOf(s: TestServer, selector: string, tenant?: string): Promise<Record<string, string>[]> {
  const now = Date.now();
  const res = await s.clients(tenant === undefined ? {} : { tenant }).querier.series({ matchers: [selector], start: BigInt(now - HOUR), end: BigInt(now + HOUR) });
  return res.labelsSet.map(asRecord);
}

/** A target as GET /api/v1/targets writes it. */
export interface TargetJson {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  lastError: string;
  lastScrape: string | null;
  lastScrapeDuration: string;
  health: string;
  scrapeTimeout: string;
  scrapeInterval: string;
}

/** GET /api/v1/targets (with `state=` when given), parsed. */
export async function targetsJson(s: TestServer, state = ""): Promise<{ activeTargets: TargetJson[]; droppedTargets: TargetJson[] }> {
  const res = await fetch(`${s.url}/api/v1/targets${state === "" ? "" : `?state=${state}`}`);
  assert.equal(res.status, 200);
  return (await res.json()) as { activeTargets: TargetJson[]; droppedTargets: TargetJson[] };
}

