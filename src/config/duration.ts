/**
 * The two duration syntaxes Phlare's config accepts, stored as milliseconds:
 * Go's time.Duration ("1h30m", "1.5h", "500ms") and Prometheus's model.Duration ("1w", "7d", "1d12h").
 * Parsing and printing follow the Go sources so that flags, YAML and /api/v1/status/config
 * read and show exactly what Phlare does.
 */

const NS_PER_MS = 1_000_000n;

/** Milliseconds in `n` seconds; for writing duration defaults readably. */
export function seconds(n: number): number {
  return n * 1000;
}

/** Milliseconds in `n` minutes. */
export function minutes(n: number): number {
  return n * 60_000;
}

/** Milliseconds in `n` hours. */
export function hours(n: number): number {
  return n * 3_600_000;
}

/** Milliseconds in `n` days. */
export function days(n: number): number {
  return n * 86_400_000;
}

const GO_UNITS_NS: ReadonlyMap<string, bigint> = new Map([
  ["ns", 1n],
  ["us", 1_000n],
  ["\u00b5s", 1_000n], // micro sign
  ["\u03bcs", 1_000n], // Greek mu
  ["ms", 1_000_000n],
  ["s", 1_000_000_000n],
  ["m", 60_000_000_000n],
  ["h", 3_600_000_000_000n],
]);

const MAX_INT64 = (1n << 63n) - 1n;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/**
 * Parses Go's time.Duration syntax (`[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` or "0") into nanoseconds,
 * with Go's error messages.
 */
export function parseGoDurationNanos(input: string): bigint {
  const invalid = (): Error => new Error(`time: invalid duration ${JSON.stringify(input)}`);
  let s = input;
  let negative = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();
  let total = 0n;
  while (s !== "") {
    if (!(s[0] === "." || isDigit(s[0]))) throw invalid();
    let i = 0;
    while (isDigit(s[i])) i++;
    const intPart = s.slice(0, i);
    s = s.slice(i);
    let fracPart = "";
    if (s.startsWith(".")) {
      s = s.slice(1);
      let j = 0;
      while (isDigit(s[j])) j++;
      fracPart = s.slice(0, j);
      s = s.slice(j);
    }
    if (intPart === "" && fracPart === "") throw invalid();
    let u = 0;
    while (u < s.length && s[u] !== "." && !isDigit(s[u])) u++;
    if (u === 0) throw new Error(`time: missing unit in duration ${JSON.stringify(input)}`);
    const unitName = s.slice(0, u);
    s = s.slice(u);
    const unit = GO_UNITS_NS.get(unitName);
    if (unit === undefined) {
      throw new Error(`time: unknown unit ${JSON.stringify(unitName)} in duration ${JSON.stringify(input)}`);
    }
    let value = BigInt(intPart === "" ? "0" : intPart) * unit;
    if (fracPart !== "") {
      // Go truncates the fractional part to whole nanoseconds.
      value += (BigInt(fracPart) * unit) / 10n ** BigInt(fracPart.length);
    }
    total += value;
    if (total > MAX_INT64) throw invalid();
  }
  return negative ? -total : total;
}

/** Parses Go's time.Duration syntax into milliseconds (fractional below 1 ms). */
export function parseGoDuration(input: string): number {
  return nanosToMs(parseGoDurationNanos(input));
}

function nanosToMs(ns: bigint): number {
  const whole = ns / NS_PER_MS;
  const rest = ns % NS_PER_MS;
  return Number(whole) + Number(rest) / 1e6;
}

/** Writes `value / 10^prec` as Go's fmtFrac does: ".5", nothing when the fraction is zero. */
function fracDigits(value: bigint, prec: number): [string, bigint] {
  let frac = "";
  let printed = false;
  let v = value;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    printed = printed || digit !== 0n;
    if (printed) frac = digit.toString() + frac;
    v /= 10n;
  }
  return [printed ? `.${frac}` : "", v];
}

/** Prints nanoseconds as Go's Duration.String(): "1h0m0s", "2m0s", "10s", "1.5ms", "0s". */
export function formatGoDurationNanos(ns: bigint): string {
  if (ns === 0n) return "0s";
  const negative = ns < 0n;
  const u = negative ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    const [unit, prec] = u < 1_000n ? ["ns", 0] : u < 1_000_000n ? ["\u00b5s", 3] : ["ms", 6];
    const [frac, whole] = fracDigits(u, prec as number);
    out = `${whole}${frac}${unit}`;
  } else {
    const [frac, totalSeconds] = fracDigits(u, 9);
    out = `${totalSeconds % 60n}${frac}s`;
    const totalMinutes = totalSeconds / 60n;
    if (totalMinutes > 0n) {
      out = `${totalMinutes % 60n}m${out}`;
      const totalHours = totalMinutes / 60n;
      if (totalHours > 0n) out = `${totalHours}h${out}`;
    }
  }
  return negative ? `-${out}` : out;
}

/** Prints milliseconds in Go's time.Duration form. */
export function formatGoDuration(ms: number): string {
  return formatGoDurationNanos(BigInt(Math.round(ms * 1e6)));
}

// Prometheus model.Duration units, biggest first; a string must use them in this order.
const MODEL_UNITS_MS: ReadonlyArray<readonly [string, number]> = [
  ["y", 365 * 86_400_000],
  ["w", 7 * 86_400_000],
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
];

// time.Duration's range in milliseconds, the bound model.ParseDuration enforces.
const MODEL_MAX_MS = Number(MAX_INT64 / NS_PER_MS);

/** Parses Prometheus's model.Duration ("1w", "7d", "1d12h", "0") into milliseconds, with its error messages. */
export function parseModelDuration(input: string): number {
  if (input === "0") return 0;
  if (input === "") throw new Error("empty duration string");
  const notValid = (): Error => new Error(`not a valid duration string: ${JSON.stringify(input)}`);
  let s = input;
  let total = 0;
  let lastUnitIndex = -1;
  while (s !== "") {
    let i = 0;
    while (isDigit(s[i])) i++;
    if (i === 0) throw notValid();
    const value = Number(s.slice(0, i));
    s = s.slice(i);
    let u = 0;
    while (u < s.length && !isDigit(s[u])) u++;
    if (u === 0) throw notValid();
    const unitName = s.slice(0, u);
    s = s.slice(u);
    const unitIndex = MODEL_UNITS_MS.findIndex(([name]) => name === unitName);
    if (unitIndex < 0) {
      throw new Error(`unknown unit ${JSON.stringify(unitName)} in duration ${JSON.stringify(input)}`);
    }
    if (unitIndex <= lastUnitIndex) throw notValid();
    lastUnitIndex = unitIndex;
    total += value * (MODEL_UNITS_MS[unitIndex] as readonly [string, number])[1];
    if (!Number.isSafeInteger(total) || total > MODEL_MAX_MS) throw new Error("duration out of range");
  }
  return total;
}

/** Prints milliseconds as Prometheus's model.Duration.String(): "1w", "1d12h", "90d", "0s". */
export function formatModelDuration(ms: number): string {
  let rest = Math.trunc(ms);
  if (rest === 0) return "0s";
  let out = "";
  for (const [unit, mult] of MODEL_UNITS_MS) {
    // Years and weeks only when exact: "90d" reads better than "12w6d".
    if ((unit === "y" || unit === "w") && rest % mult !== 0) continue;
    const v = Math.floor(rest / mult);
    if (v > 0) {
      out += `${v}${unit}`;
      rest -= v * mult;
    }
  }
  return out;
}
