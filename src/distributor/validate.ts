/**
 * Series-label validation with Phlare's rules and messages
 * (pkg/validation/validate.go): the reason of each failure labels the
 * discarded-profiles metrics.
 */
import type { Limits } from "../config/limits.js";
import { InvalidArgumentError } from "../model/errors.js";
import { DEFAULT_SERVICE_NAME, isValidLabelName, isValidMetricName, LabelName, labelsString, sortLabels } from "../model/labels.js";
import type { LabelPair, Labels } from "../model/labels.js";

/** Adds `service_name` when missing, sorts, and validates; returns the labels to store. */
export function validateSeriesLabels(input: readonly LabelPair[], limits: Limits): Labels {
  if (input.length === 0) throw new InvalidArgumentError("missing_labels", "error at least one label pair is required per profile");
  const ls: Labels = input.map((l) => ({ name: l.name, value: l.value }));
  if (!ls.some((l) => l.name === LabelName.ServiceName)) ls.push({ name: LabelName.ServiceName, value: DEFAULT_SERVICE_NAME });
  sortLabels(ls);
  const str = (): string => labelsString(ls);
  if (ls.length > limits.max_label_names_per_series) {
    throw new InvalidArgumentError(
      "max_label_names_per_series",
      `profile series '${str()}' has ${ls.length} label names; limit ${limits.max_label_names_per_series}`,
    );
  }
  const metricName = ls.find((l) => l.name === LabelName.MetricName)?.value ?? "";
  if (!isValidMetricName(metricName)) {
    throw new InvalidArgumentError("invalid_labels", `invalid labels '${str()}' with error: invalid metric name`);
  }
  let last = "";
  for (const l of ls) {
    if (l.name.length > limits.max_label_name_length) {
      throw new InvalidArgumentError("label_name_too_long", `profile with labels '${str()}' has label name too long: '${l.name}'`);
    }
    if (utf8Length(l.value) > limits.max_label_value_length) {
      throw new InvalidArgumentError("label_value_too_long", `profile with labels '${str()}' has label value too long: '${l.value}'`);
    }
    if (!isValidLabelName(l.name)) {
      throw new InvalidArgumentError("invalid_labels", `invalid labels '${str()}' with error: invalid label name '${l.name}'`);
    }
    if (!isWellFormed(l.value)) {
      throw new InvalidArgumentError("invalid_labels", `invalid labels '${str()}' with error: invalid label value '${l.value}'`);
    }
    if (l.name === last) {
      throw new InvalidArgumentError("duplicate_label_names", `profile with labels '${str()}' has duplicate label name: '${l.name}'`);
    }
    last = l.name;
  }
  return ls;
}

/** Byte length of `s` in UTF-8 (Phlare's limits count bytes). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 ? (c >= 0xd800 && c <= 0xdbff ? 0 : 2) : 1;
  }
  return n;
}

/**
 * Whether `s` can be encoded as UTF-8: protobuf strings are already validated by
 * the decoder, but JSON can carry lone surrogates as \u escapes.
 */
function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}
