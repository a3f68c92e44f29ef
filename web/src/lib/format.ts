/**
 * Human-readable values for tables and headers, in the unit of the profile type's
 * samples: durations for nanoseconds, binary sizes for bytes, plain counts otherwise.
 */

/** The sample unit of a profile type ID (`name:sample_type:sample_unit:period_type:period_unit`). */
export function sampleUnitOf(profileTypeID: string): string {
  return profileTypeID.split(":")[2] ?? "";
}

/** The unit @grafana/flamegraph understands for a sample unit ("ns", "bytes" or "short"). */
export function flameGraphUnit(sampleUnit: string): "ns" | "bytes" | "short" {
  if (sampleUnit === "nanoseconds") return "ns";
  if (sampleUnit === "bytes") return "bytes";
  return "short";
}

function trim(n: number): string {
  // Three significant digits, without trailing zeros: 1.5, 12.3, 123.
  const s = Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

const DURATIONS: Array<[number, string]> = [
  [3_600e9, "h"],
  [60e9, "min"],
  [1e9, "s"],
  [1e6, "ms"],
  [1e3, "µs"],
];

const SIZES: Array<[number, string]> = [
  [2 ** 40, "TiB"],
  [2 ** 30, "GiB"],
  [2 ** 20, "MiB"],
  [2 ** 10, "KiB"],
];

const COUNTS: Array<[number, string]> = [
  [1e12, "T"],
  [1e9, "G"],
  [1e6, "M"],
  [1e3, "K"],
];

function scaled(v: number, table: Array<[number, string]>, base: string, sep: string): string {
  for (const [size, name] of table) if (Math.abs(v) >= size) return `${trim(v / size)}${sep}${name}`;
  return `${trim(v)}${base ? `${sep}${base}` : ""}`;
}

/** Formats `v` in `sampleUnit`: "1.5 s", "12 MiB", "3.4K". */
export function formatValue(v: number, sampleUnit: string): string {
  if (sampleUnit === "nanoseconds") return scaled(v, DURATIONS, "ns", " ");
  if (sampleUnit === "bytes") return scaled(v, SIZES, "B", " ");
  return scaled(v, COUNTS, "", "");
}

/** A share in percent: "12.34 %". */
export function formatPercent(p: number): string {
  return `${p.toFixed(2)} %`;
}

/** A signed change in percentage points: "+12.34 pp". */
export function formatPoints(pp: number): string {
  const r = Math.round(pp * 100) / 100;
  return `${r > 0 ? "+" : ""}${(r === 0 ? 0 : r).toFixed(2)} pp`;
}

/** A signed relative change: "+36.4 %", "new" for growth from nothing, "removed" at −100 %. */
export function formatRelative(p: number): string {
  if (p === Infinity) return "new";
  if (p <= -100) return "removed";
  const r = Math.round(p * 10) / 10;
  return `${r > 0 ? "+" : ""}${(r === 0 ? 0 : r).toFixed(1)} %`;
}
