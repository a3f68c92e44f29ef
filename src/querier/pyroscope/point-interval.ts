/**
 * The step of the /pyroscope/render timeline, chosen as Pyroscope's CalcPointInterval
 * chooses it: the range split into about 1500 points, rounded to a "nice" interval,
 * never below 10 s. Grafana's panel interval table is the origin of the rounding.
 */

/** Points the timeline aims for over the whole range. */
export const TIMELINE_RESOLUTION = 1500;

/** Shortest step, seconds. */
export const MIN_POINT_INTERVAL_SEC = 10;

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

// [upper bound of the raw interval (inclusive), step it rounds to], both milliseconds.
// The rows below 10 s are unreachable through the minimum but keep the table whole.
const ROUNDING: ReadonlyArray<readonly [number, number]> = [
  [10, 1],
  [15, 10],
  [35, 20],
  [75, 50],
  [150, 100],
  [350, 200],
  [750, 500],
  [1.5 * SEC, SEC],
  [3.5 * SEC, 2 * SEC],
  [7.5 * SEC, 5 * SEC],
  [12.5 * SEC, 10 * SEC],
  [17.5 * SEC, 15 * SEC],
  [25 * SEC, 20 * SEC],
  [45 * SEC, 30 * SEC],
  [1.5 * MIN, MIN],
  [3.5 * MIN, 2 * MIN],
  [7.5 * MIN, 5 * MIN],
  [12.5 * MIN, 10 * MIN],
  [17.5 * MIN, 15 * MIN],
  [25 * MIN, 20 * MIN],
  [45 * MIN, 30 * MIN],
  [1.5 * HOUR, HOUR],
  [2.5 * HOUR, 2 * HOUR],
  [4.5 * HOUR, 3 * HOUR],
  [9 * HOUR, 6 * HOUR],
  [DAY, 12 * HOUR],
  [2 * DAY, DAY],
  [7 * DAY, DAY],
  [21 * DAY, 7 * DAY],
];

// Below 6 weeks (exclusive) the step is 30 days, from there on a year.
const MONTH_BOUND_MS = 42 * DAY;
const MONTH_MS = 30 * DAY;
const YEAR_MS = 365 * DAY;

/** The timeline step, in seconds, for a range of [fromMs, untilMs]. */
export function calcPointIntervalSec(fromMs: number, untilMs: number): number {
  const rawMs = (untilMs - fromMs) / TIMELINE_RESOLUTION;
  if (rawMs < MIN_POINT_INTERVAL_SEC * SEC) return MIN_POINT_INTERVAL_SEC;
  return roundIntervalMs(rawMs) / SEC;
}

/** A raw interval (ms) rounded to the table's step (ms). */
export function roundIntervalMs(rawMs: number): number {
  for (const [bound, step] of ROUNDING) if (rawMs <= bound) return step;
  return rawMs < MONTH_BOUND_MS ? MONTH_MS : YEAR_MS;
}
