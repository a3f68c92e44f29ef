/** Resolves a page's `from`/`until` once per change or refresh, so every query of the page shares one window. */
import { useMemo } from "react";
import { resolveRange } from "../lib/time-range.ts";
import type { TimeRangeMs } from "../lib/time-range.ts";

/** A resolved range, or the reason it could not be read. */
export type ResolvedRange = { range: TimeRangeMs; error: null } | { range: null; error: string };

/** Resolves `from`/`until` against the clock at the time of the last change or `refresh` bump. */
export function useResolvedRange(from: string, until: string, refresh: number): ResolvedRange {
  // refresh is a dependency only to force a new "now".
  return useMemo(() => {
    try {
      return { range: resolveRange(from, until, Date.now()), error: null };
    } catch (err) {
      return { range: null, error: err instanceof Error ? err.message : String(err) };
    }
  }, [from, until, refresh]);
}

/** A stable string for a range, for query keys. */
export function rangeKey(r: TimeRangeMs): string {
  return `${r.startMs}-${r.endMs}`;
}
