/**
 * Which part of a time range the ingesters answer and which part the
 * store-gateways answer (Phlare's splitQueryToStores): everything newer than
 * now − query_store_after is the ingesters', everything older the store's, so a
 * profile is never counted by both.
 */

/** A part of the range for one side, inclusive milliseconds. */
export interface RangePart {
  startMs: number;
  endMs: number;
}

/** The split of one query. */
export interface StoreSplit {
  ingesters?: RangePart;
  store?: RangePart;
}

/** Splits [startMs, endMs] at now − queryStoreAfterMs; 0 sends everything to the store. */
export function splitQueryToStores(startMs: number, endMs: number, nowMs: number, queryStoreAfterMs: number): StoreSplit {
  if (startMs > nowMs) return {};
  if (queryStoreAfterMs === 0) return { store: { startMs, endMs } };
  const cutoff = nowMs - queryStoreAfterMs;
  if (startMs >= cutoff) return { ingesters: { startMs, endMs } };
  if (cutoff < endMs) return { store: { startMs, endMs: cutoff }, ingesters: { startMs: cutoff + 1, endMs } };
  return { store: { startMs, endMs } };
}
