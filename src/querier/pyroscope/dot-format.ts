/**
 * How the DOT call graph writes values, shares and colours, following `go tool pprof`:
 * one output unit per graph (chosen from the smallest and the largest value), two
 * decimals without a trailing ".00", and a grey → red scale by share of the total.
 */

interface Scale {
  suffix: string;
  /** Base units (nanoseconds, bytes) per one of this unit. */
  factor: number;
}

const TIME_SCALES: readonly Scale[] = [
  { suffix: "ns", factor: 1 },
  { suffix: "us", factor: 1e3 },
  { suffix: "ms", factor: 1e6 },
  { suffix: "s", factor: 1e9 },
  { suffix: "hrs", factor: 3600e9 },
];

const BYTE_SCALES: readonly Scale[] = [
  { suffix: "B", factor: 1 },
  { suffix: "kB", factor: 1024 },
  { suffix: "MB", factor: 1024 ** 2 },
  { suffix: "GB", factor: 1024 ** 3 },
  { suffix: "TB", factor: 1024 ** 4 },
  { suffix: "PB", factor: 1024 ** 5 },
];

// Sample units whose values are a time or a size, and the base unit each is counted in.
const UNIT_SCALES: Record<string, { scales: readonly Scale[]; base: number }> = {
  nanoseconds: { scales: TIME_SCALES, base: 1 },
  nanosecond: { scales: TIME_SCALES, base: 1 },
  ns: { scales: TIME_SCALES, base: 1 },
  microseconds: { scales: TIME_SCALES, base: 1e3 },
  milliseconds: { scales: TIME_SCALES, base: 1e6 },
  seconds: { scales: TIME_SCALES, base: 1e9 },
  bytes: { scales: BYTE_SCALES, base: 1 },
  kilobytes: { scales: BYTE_SCALES, base: 1024 },
  megabytes: { scales: BYTE_SCALES, base: 1024 ** 2 },
};

/**
 * A formatter for values of `sampleUnit` in one unit for the whole graph: the unit of
 * the smallest non-zero value, or of 100 × it when the largest value would otherwise
 * need a larger unit (so the smallest still shows as at least 0.01). Counts and unknown
 * units are written as plain numbers.
 */
export function valueFormatter(sampleUnit: string, minValue: number, maxValue: number): (v: number) => string {
  const kind = UNIT_SCALES[sampleUnit.toLowerCase()];
  if (!kind) return (v) => trimDecimals(v);
  const pick = (v: number): Scale => {
    const base = Math.abs(v) * kind.base;
    let s = kind.scales[0]!;
    for (const c of kind.scales) if (base >= c.factor) s = c;
    return s;
  };
  const min = minValue === 0 ? maxValue : minValue;
  let scale = pick(min);
  if (pick(maxValue) !== scale && min * 100 < maxValue) scale = pick(min * 100);
  return (v) => {
    const text = trimDecimals((v * kind.base) / scale.factor);
    return text === "0" ? "0" : text + scale.suffix;
  };
}

/** `v` with two decimals, dropping ".00" (and the sign of a zero). */
function trimDecimals(v: number): string {
  const text = v.toFixed(2).replace(/\.00$/, "");
  return text === "-0" ? "0" : text;
}

/** `value` as a share of `total`: "100%", "12.50%", or two significant digits below 1 %. */
export function percentage(value: number, total: number): string {
  const ratio = total === 0 ? 0 : Math.abs(value / total) * 100;
  if (ratio >= 99.95 && ratio <= 100.05) return "100%";
  if (ratio >= 1) return `${ratio.toFixed(2)}%`;
  return `${Number(ratio.toPrecision(2))}%`;
}

/**
 * The colour of a node or edge whose value is `share` of the total (−1…1): grey near
 * zero, red as it grows; `background` gives the pale fill variant. Small shares are
 * pushed away from grey by a power curve so that a 5 % node is already tinted.
 */
export function heatColor(share: number, background: boolean): string {
  const value = background ? 0.93 : 0.7;
  let saturation = background ? 0.1 : 1;
  let s = Math.max(-1, Math.min(1, share));
  if (Math.abs(s) < 0.2) saturation *= Math.abs(s) / 0.2;
  s = Math.sign(s) * Math.pow(Math.abs(s), 0.3);
  let r: number;
  let g: number;
  if (s < 0) {
    g = value;
    r = value * (1 + saturation * s);
  } else {
    r = value;
    g = value * (1 - saturation * s);
  }
  const b = value * (1 - saturation);
  return `#${hex(r)}${hex(g)}${hex(b)}`;
}

function hex(channel: number): string {
  return Math.trunc(channel * 255)
    .toString(16)
    .padStart(2, "0");
}

/** `s` made safe inside a double-quoted DOT string (line breaks become spaces). */
export function dotEscape(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/[\r\n]+/g, " ");
}
