/**
 * Time ranges as Pyroscope writes them in URLs: `now`, `now-1h`, Unix seconds, or
 * milliseconds/microseconds/nanoseconds told apart by digit count. The app resolves them
 * to milliseconds once per query, so the chart and the flame graph cover the same window.
 */

/** A resolved range in Unix milliseconds, start < end. */
export interface TimeRangeMs {
  startMs: number;
  endMs: number;
}

/** A relative preset of the range picker. */
export interface TimePreset {
  label: string;
  from: string;
  until: string;
}

/** The picker's relative presets, shortest first. */
export const TIME_PRESETS: readonly TimePreset[] = [
  { label: "Last 5 minutes", from: "now-5m", until: "now" },
  { label: "Last 15 minutes", from: "now-15m", until: "now" },
  { label: "Last 30 minutes", from: "now-30m", until: "now" },
  { label: "Last 1 hour", from: "now-1h", until: "now" },
  { label: "Last 3 hours", from: "now-3h", until: "now" },
  { label: "Last 6 hours", from: "now-6h", until: "now" },
  { label: "Last 12 hours", from: "now-12h", until: "now" },
  { label: "Last 24 hours", from: "now-24h", until: "now" },
  { label: "Last 7 days", from: "now-7d", until: "now" },
  { label: "Last 30 days", from: "now-30d", until: "now" },
];

/** The range a page starts with. */
export const DEFAULT_FROM = "now-1h";
/** The end a page starts with. */
export const DEFAULT_UNTIL = "now";

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  M: 30 * 86_400_000,
  y: 365 * 86_400_000,
};

/**
 * Parses one end of a range to Unix ms, or undefined when it is not a time. Accepts
 * `now[±N<unit>]…` (units s m h d w M y), 10-digit seconds, 13/16/19-digit ms/µs/ns,
 * `YYYYMMDD`, and date strings Date.parse understands (read as local time).
 */
export function parseTime(text: string, nowMs: number): number | undefined {
  const s = text.trim();
  if (s === "") return undefined;
  if (s.startsWith("now")) {
    let t = nowMs;
    let rest = s.slice(3);
    const re = /^([+-])(\d+)([smhdwMy])/;
    while (rest.length > 0) {
      const m = re.exec(rest);
      if (!m) return undefined;
      const n = Number(m[2]) * UNIT_MS[m[3]!]!;
      t += m[1] === "-" ? -n : n;
      rest = rest.slice(m[0].length);
    }
    return t;
  }
  if (/^\d{8}$/.test(s)) {
    const t = new Date(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8))).getTime();
    return Number.isNaN(t) ? undefined : t;
  }
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (s.length >= 19) return Math.floor(n / 1e6);
    if (s.length >= 16) return Math.floor(n / 1e3);
    if (s.length >= 13) return n;
    return n * 1000;
  }
  const t = Date.parse(s.includes("T") || !/^\d{4}-\d{2}-\d{2} /.test(s) ? s : s.replace(" ", "T"));
  return Number.isNaN(t) ? undefined : t;
}

/** Resolves `from`/`until`; throws a message for the user when either is unreadable or empty. */
export function resolveRange(from: string, until: string, nowMs: number): TimeRangeMs {
  const startMs = parseTime(from, nowMs);
  if (startMs === undefined) throw new Error(`cannot read the start time "${from}"`);
  const endMs = parseTime(until, nowMs);
  if (endMs === undefined) throw new Error(`cannot read the end time "${until}"`);
  if (endMs <= startMs) throw new Error(`the end time "${until}" is not after the start time "${from}"`);
  return { startMs, endMs };
}

/** A URL value for an absolute instant: Unix seconds, as Pyroscope writes zoomed ranges. */
export function toUrlTime(ms: number, round: "floor" | "ceil"): string {
  return String(round === "floor" ? Math.floor(ms / 1000) : Math.ceil(ms / 1000));
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** Local `YYYY-MM-DD HH:mm:ss`, the format the absolute inputs accept back. */
export function formatInstant(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** How the picker's button names a range: the preset label, or both ends as local dates. */
export function describeRange(from: string, until: string, nowMs: number): string {
  const preset = TIME_PRESETS.find((p) => p.from === from && p.until === until);
  if (preset) return preset.label;
  if (from.startsWith("now") && until === "now") return `Last ${from.slice(4)}`;
  const a = parseTime(from, nowMs);
  const b = parseTime(until, nowMs);
  if (a === undefined || b === undefined) return `${from} to ${until}`;
  return `${formatInstant(a)} to ${formatInstant(b)}`;
}

// Pyroscope's CalcPointInterval table (seconds): the step snaps up to the next of these.
const NICE_STEPS_S = [10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604800, 2592000, 31536000];

/** The series step for a range: about `points` points, snapped up to a nice interval, never under 10 s. */
export function stepSeconds(range: TimeRangeMs, points = 300): number {
  const raw = (range.endMs - range.startMs) / 1000 / points;
  return NICE_STEPS_S.find((s) => s >= raw) ?? NICE_STEPS_S[NICE_STEPS_S.length - 1]!;
}
