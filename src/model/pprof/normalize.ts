/**
 * The distributor's normalisation of a pushed profile, after Grafana Phlare's
 * `pprof.Profile.Normalize` (phlare:pkg/pprof/pprof.go):
 *  1. time_nanos := now when it is 0;
 *  2. every location gets a mapping: when any location has none (or the profile has no
 *     mapping at all) one empty mapping is added, with id max(mapping ids) + 1, and those
 *     locations point at it;
 *  3. mappings that carry function information (has_functions, or every one of their
 *     locations has lines) lose memory_start/limit/file_offset, and their locations lose
 *     their addresses: symbolised frames are identified by their lines, and the addresses
 *     would only split identical stacks across process restarts (ASLR);
 *  4. the numeric label "bytes" is dropped from samples (Go heap profiles put the
 *     allocation size there, which would keep otherwise identical stacks apart);
 *  5. samples with the same location list and the same remaining labels are merged
 *     (values summed), and samples whose values are then all zero are dropped.
 *
 * Differences from Phlare, on purpose: samples merge only when their labels match too
 * (Phlare merged on stack alone, silently moving values between label sets); the added
 * mapping is empty where Phlare gave it memory_limit 2^64-1; sample order is first
 * occurrence (see merge-samples.ts), not hash order; and unreferenced locations,
 * functions and strings are kept (Phlare pruned some of them after dropping samples).
 *
 * The input is not modified; tables that do not change are shared with it.
 */
import type { FlatProfile } from "./flat-profile.js";
import { MappingFlag } from "./flat-profile.js";
import { mergeSamples } from "./merge-samples.js";

/** Options of normalizePprof. */
export interface NormalizeOptions {
  /**
   * Steps 4 and 5 (drop the "bytes" label, merge duplicate samples). A consumer that
   * keeps no sample labels and sums values per stack anyway (the head) gets the same
   * result without them, for a sixth of the ingest time.
   */
  mergeSamples: boolean;
}

/** Normalises a decoded profile as the distributor does before storing it; see the module comment. */
export function normalizePprof(p: FlatProfile, nowNanos: bigint, options: NormalizeOptions = { mergeSamples: true }): FlatProfile {
  const withMapping = ensureMapping(p);
  const cleared = clearSymbolizedAddresses(withMapping);
  const timeNanos = p.timeNanos === 0n ? nowNanos : p.timeNanos;
  if (!options.mergeSamples) return { ...cleared, timeNanos };
  const strings = p.strings;
  const samples = mergeSamples(
    cleared,
    (j) => cleared.labelStr[j] === 0 && strings[cleared.labelKey[j]!] === "bytes",
  );
  return {
    ...cleared,
    ...samples,
    timeNanos,
  };
}

/** Step 2: adds the fallback mapping when a location lacks one (or there is no mapping). */
function ensureMapping(p: FlatProfile): FlatProfile {
  let missing = p.mappingCount === 0;
  for (let i = 0; i < p.locationCount && !missing; i++) if (p.locationMapping[i]! < 0) missing = true;
  if (!missing) return p;

  const m = p.mappingCount;
  let maxId = 0;
  for (let i = 0; i < m; i++) maxId = Math.max(maxId, p.mappingId[i]!);
  const locationMapping = p.locationMapping.slice();
  for (let i = 0; i < locationMapping.length; i++) if (locationMapping[i]! < 0) locationMapping[i] = m;

  const mappingId = grow(p.mappingId, new Float64Array(m + 1));
  mappingId[m] = maxId + 1;
  return {
    ...p,
    locationMapping,
    mappingCount: m + 1,
    mappingId,
    mappingStartHi: grow(p.mappingStartHi, new Uint32Array(m + 1)),
    mappingStartLo: grow(p.mappingStartLo, new Uint32Array(m + 1)),
    mappingLimitHi: grow(p.mappingLimitHi, new Uint32Array(m + 1)),
    mappingLimitLo: grow(p.mappingLimitLo, new Uint32Array(m + 1)),
    mappingOffsetHi: grow(p.mappingOffsetHi, new Uint32Array(m + 1)),
    mappingOffsetLo: grow(p.mappingOffsetLo, new Uint32Array(m + 1)),
    mappingFilename: grow(p.mappingFilename, new Int32Array(m + 1)),
    mappingBuildId: grow(p.mappingBuildId, new Int32Array(m + 1)),
    mappingFlags: grow(p.mappingFlags, new Uint8Array(m + 1)),
  };
}

/** Copies `from` into the front of the (longer, zeroed) `to`. */
function grow<T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** Step 3: clears memory ranges and addresses of mappings that have function information. */
function clearSymbolizedAddresses(p: FlatProfile): FlatProfile {
  const m = p.mappingCount;
  const locCount = new Uint32Array(m);
  const withLines = new Uint32Array(m);
  for (let i = 0; i < p.locationCount; i++) {
    const mi = p.locationMapping[i]!;
    if (mi < 0) continue;
    locCount[mi]++;
    if (p.lineOffsets[i + 1]! > p.lineOffsets[i]!) withLines[mi]++;
  }
  const clear = new Uint8Array(m);
  let any = false;
  for (let i = 0; i < m; i++) {
    const symbolized =
      (p.mappingFlags[i]! & MappingFlag.HasFunctions) !== 0 || (locCount[i]! > 0 && withLines[i] === locCount[i]);
    if (!symbolized) continue;
    const hasRange =
      (p.mappingStartHi[i]! | p.mappingStartLo[i]! | p.mappingLimitHi[i]! | p.mappingLimitLo[i]!) !== 0 ||
      (p.mappingOffsetHi[i]! | p.mappingOffsetLo[i]!) !== 0;
    clear[i] = 1;
    any ||= hasRange || locCount[i]! > 0;
  }
  if (!any) return p;

  const mappingStartHi = p.mappingStartHi.slice();
  const mappingStartLo = p.mappingStartLo.slice();
  const mappingLimitHi = p.mappingLimitHi.slice();
  const mappingLimitLo = p.mappingLimitLo.slice();
  const mappingOffsetHi = p.mappingOffsetHi.slice();
  const mappingOffsetLo = p.mappingOffsetLo.slice();
  for (let i = 0; i < m; i++) {
    if (clear[i] === 0) continue;
    mappingStartHi[i] = mappingStartLo[i] = 0;
    mappingLimitHi[i] = mappingLimitLo[i] = 0;
    mappingOffsetHi[i] = mappingOffsetLo[i] = 0;
  }
  const locationAddressHi = p.locationAddressHi.slice();
  const locationAddressLo = p.locationAddressLo.slice();
  for (let i = 0; i < p.locationCount; i++) {
    const mi = p.locationMapping[i]!;
    if (mi >= 0 && clear[mi] === 1) locationAddressHi[i] = locationAddressLo[i] = 0;
  }
  return {
    ...p,
    mappingStartHi,
    mappingStartLo,
    mappingLimitHi,
    mappingLimitLo,
    mappingOffsetHi,
    mappingOffsetLo,
    locationAddressHi,
    locationAddressLo,
  };
}
