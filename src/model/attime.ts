/**
 * The time syntax of Pyroscope's HTTP API (`from`, `until`): Unix time in seconds,
 * or in ms/µs/ns when it has 13/16/19 digits; a YYYYMMDD date (UTC); `now`, with
 * offsets such as `now-1h`, `now-1h30m`, `now+5m` (units s, m/min, h, d, w, M/mon, y).
 * Missing or empty means now. Anything else is refused rather than read as now.
 */
import { InvalidArgumentError } from "./errors.js";

const UNIT_SECONDS: ReadonlyArray<readonly [RegExp, number]> = [
  [/^s/, 1],
  [/^(mon|M)/, 30 * 86400],
  [/^(min|m)/, 60],
  [/^h/, 3600],
  [/^d/, 86400],
  [/^w/, 7 * 86400],
  [/^y/, 365 * 86400],
];

/** Parses `s` (attime syntax) to milliseconds since the epoch; `nowMs` is what "now" means. */
export function parseAttime(s: string | null | undefined, nowMs: number, what = "time"): number {
  const v = (s ?? "").trim().replace(/[_, ]/g, "");
  if (v === "" || v === "now") return nowMs;
  if (/^\d+$/.test(v)) {
    if (v.length === 8) {
      const y = Number(v.slice(0, 4));
      const mo = Number(v.slice(4, 6));
      const d = Number(v.slice(6, 8));
      if (y > 1900 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31) return Date.UTC(y, mo - 1, d);
    }
    const n = BigInt(v);
    switch (v.length) {
      case 13:
        return Number(n);
      case 16:
        return Number(n / 1000n);
      case 19:
        return Number(n / 1_000_000n);
      default:
        if (n > 100_000_000_000n) throw invalid(what, s!, "a number of seconds too large");
        return Number(n) * 1000;
    }
  }
  const m = /^(now)?([+-].*)$/.exec(v);
  if (!m) throw invalid(what, s!, 'expected Unix time, YYYYMMDD, or "now" with an offset like now-1h');
  const sign = m[2]![0] === "-" ? -1 : 1;
  let rest = m[2]!.slice(1);
  let seconds = 0;
  while (rest !== "") {
    const part = /^(\d+)([a-zA-Z]+)/.exec(rest);
    if (!part) throw invalid(what, s!, `offset ${JSON.stringify(rest)} is not a number and a unit`);
    const unit = UNIT_SECONDS.find(([re]) => re.test(part[2]!));
    if (!unit) throw invalid(what, s!, `unknown unit ${JSON.stringify(part[2])}`);
    seconds += Number(part[1]) * unit[1];
    rest = rest.slice(part[0].length);
  }
  return nowMs + sign * seconds * 1000;
}

function invalid(what: string, s: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError("invalid_request", `${what} ${JSON.stringify(s)}: ${why}`);
}
