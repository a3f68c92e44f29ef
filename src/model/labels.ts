/**
 * Series labels: the data model's identity of a series. A Labels value is always
 * sorted by name and has unique names once it passed validation.
 */

/** One label. */
export interface LabelPair {
  name: string;
  value: string;
}

/** A label set sorted by name. */
export type Labels = LabelPair[];

/** Reserved label names (reference §3.2). */
export const LabelName = {
  MetricName: "__name__",
  ServiceName: "service_name",
  ServiceNameCopy: "__service_name__",
  ProfileType: "__profile_type__",
  Type: "__type__",
  Unit: "__unit__",
  PeriodType: "__period_type__",
  PeriodUnit: "__period_unit__",
  Delta: "__delta__",
} as const;

/** The service name a profile gets when the client sent none. */
export const DEFAULT_SERVICE_NAME = "unspecified";

const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Prometheus metric-name rule, which `__name__` must follow. */
export function isValidMetricName(name: string): boolean {
  return METRIC_NAME_RE.test(name);
}

/** Prometheus label-name rule. */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME_RE.test(name);
}

/** Compares two strings in Go's byte-wise UTF-8 order (differs from `<` only around surrogates). */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Surrogates (astral code points) sort after U+E000..U+FFFF in UTF-8.
    if (ca >= 0xd800 && ca <= 0xdfff) ca += 0x2000;
    else if (ca >= 0xe000) ca -= 0x800;
    if (cb >= 0xd800 && cb <= 0xdfff) cb += 0x2000;
    else if (cb >= 0xe000) cb -= 0x800;
    return ca < cb ? -1 : 1;
  }
  return a.length - b.length;
}

/** Sorts labels by name in place and returns them. */
export function sortLabels(ls: Labels): Labels {
  return ls.sort((x, y) => compareStrings(x.name, y.name) || compareStrings(x.value, y.value));
}

/** Compares two sorted label sets the way Phlare orders series. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareStrings(a[i]!.name, b[i]!.name) || compareStrings(a[i]!.value, b[i]!.value);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** The value of label `name`, or undefined. */
export function getLabel(ls: Labels, name: string): string | undefined {
  for (const l of ls) if (l.name === name) return l.value;
  return undefined;
}

/** `{a="b", c="d"}`, as Phlare prints label sets in messages. */
export function labelsString(ls: Labels): string {
  return `{${ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(", ")}}`;
}

/**
 * A string that identifies a sorted label set exactly; used as a Map key.
 * Names and values are length-prefixed so that no label value can forge a separator.
 */
export function labelsKey(ls: Labels): string {
  let s = "";
  for (const l of ls) s += `${l.name.length}:${l.name}${l.value.length}:${l.value}`;
  return s;
}

/** Returns a copy of `ls` with label `name` set to `value`, kept sorted. */
export function withLabel(ls: Labels, name: string, value: string): Labels {
  const out = ls.filter((l) => l.name !== name);
  out.push({ name, value });
  return sortLabels(out);
}
