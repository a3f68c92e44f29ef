/**
 * Prometheus relabeling (`relabel_configs`) as of Prometheus v2.41–v2.45 (model/relabel):
 * parsing and validation with Prometheus' defaults and error messages, and the rules applied to
 * a target's label set in order.
 *
 * YAML details follow Go's yaml.v2: an absent key takes the default, an explicit null takes
 * the Go zero value (`separator:` is "", `replacement:` is "", `regex:` is the empty regex).
 */
import { createHash } from "node:crypto";
import { ConfigError } from "../model/errors.js";
import { compareStrings, isValidLabelName } from "../model/labels.js";
import { RegexSyntaxError, RelabelRegex } from "./relabel-regex.js";
import { YamlObject } from "./yaml-object.js";

export { RelabelRegex } from "./relabel-regex.js";

/** What a relabel rule does; YAML spells it in any case. */
export type RelabelAction =
  | "replace"
  | "keep"
  | "drop"
  | "keepequal"
  | "dropequal"
  | "hashmod"
  | "labelmap"
  | "labeldrop"
  | "labelkeep"
  | "lowercase"
  | "uppercase";

const ACTIONS: ReadonlySet<string> = new Set<RelabelAction>([
  "replace",
  "keep",
  "drop",
  "keepequal",
  "dropequal",
  "hashmod",
  "labelmap",
  "labeldrop",
  "labelkeep",
  "lowercase",
  "uppercase",
]);

/** One validated relabel rule. */
export interface RelabelConfig {
  /** Labels whose values, joined with `separator`, form the input (missing labels read as ""). */
  sourceLabels: string[];
  separator: string;
  /** Anchored as `^(?:regex)$`. */
  regex: RelabelRegex;
  /** For hashmod; 0 when unset. */
  modulus: number;
  /** May hold `$1`/`${name}` templates for the replace action. */
  targetLabel: string;
  replacement: string;
  action: RelabelAction;
}

const DEFAULT_SEPARATOR = ";";
const DEFAULT_REPLACEMENT = "$1";
let defaultRegex: RelabelRegex | undefined;

function defaultRelabelRegex(): RelabelRegex {
  defaultRegex ??= RelabelRegex.compile("(.*)");
  return defaultRegex;
}

/**
 * Prometheus' `relabelTarget` check, `^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$`, written as a
 * linear scan (the nested quantifiers would backtrack exponentially in JavaScript): a letter, `_`
 * or template first, then any mix of ASCII word characters and `$name`/`${name}` templates.
 */
export function isValidLabelNameTemplate(s: string): boolean {
  const word = (c: string | undefined): boolean => c !== undefined && /^\w$/.test(c);
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === "$") {
      let j = i + 1;
      const brace = s[j] === "{";
      if (brace) j++;
      const from = j;
      while (word(s[j])) j++;
      if (j === from) return false;
      if (brace) {
        if (s[j] !== "}") return false;
        j++;
      }
      i = j;
    } else if (word(c) && !(i === 0 && c >= "0" && c <= "9")) {
      i++;
    } else {
      return false;
    }
  }
  return s.length > 0;
}

/** A string field: default when absent, "" (Go's zero value) when null. */
function stringField(o: YamlObject, key: string, fallback: string): string {
  const v = o.raw(key);
  if (v === undefined) return fallback;
  if (v === null) return "";
  return o.string(key, fallback);
}

function parseRegex(o: YamlObject): { regex: RelabelRegex; set: boolean } {
  const v = o.raw("regex");
  if (v === undefined) return { regex: defaultRelabelRegex(), set: false };
  const source = v === null ? "" : o.string("regex", "");
  try {
    return { regex: RelabelRegex.compile(source), set: true };
  } catch (err) {
    if (err instanceof RegexSyntaxError) o.fail("regex", `invalid regex ${JSON.stringify(source)}: ${err.message}`);
    throw err;
  }
}

function parseRelabelConfig(raw: unknown, path: string): RelabelConfig {
  if (raw === null || raw === undefined) throw new ConfigError(`${path}: empty or null relabeling rule`, path);
  const o = YamlObject.of(raw, path);
  const sourceLabelsSet = o.has("source_labels");
  const sourceLabels = o.strings("source_labels");
  sourceLabels.forEach((name, i) => {
    if (!isValidLabelName(name)) o.fail(`source_labels.${i}`, `${JSON.stringify(name)} is not a valid label name`);
  });
  const separator = stringField(o, "separator", DEFAULT_SEPARATOR);
  const { regex, set: regexSet } = parseRegex(o);
  const modulus = o.int("modulus", 0);
  if (modulus < 0) o.fail("modulus", `expected a non-negative integer, got ${modulus}`);
  const targetLabel = stringField(o, "target_label", "");
  const replacement = stringField(o, "replacement", DEFAULT_REPLACEMENT);
  // An explicit null leaves the action empty (rejected by validate); any string must name an action.
  const rawAction = o.raw("action");
  let action = rawAction === undefined ? "replace" : "";
  if (rawAction !== undefined && rawAction !== null) {
    const name = o.string("action", "");
    action = name.toLowerCase();
    if (!ACTIONS.has(action)) o.fail("action", `unknown relabel action ${JSON.stringify(name)}`);
  }
  o.done();
  const cfg: RelabelConfig = { sourceLabels, separator, regex, modulus, targetLabel, replacement, action: action as RelabelAction };
  validate(o, cfg, regexSet, sourceLabelsSet);
  return cfg;
}

/** Prometheus' Config.Validate, check for check and message for message. */
function validate(o: YamlObject, c: RelabelConfig, regexSet: boolean, sourceLabelsSet: boolean): void {
  const a = c.action;
  const invalidTarget = (): never => o.fail("target_label", `${JSON.stringify(c.targetLabel)} is invalid 'target_label' for ${a} action`);
  const setsPlainTarget = a === "lowercase" || a === "uppercase" || a === "keepequal" || a === "dropequal";
  if ((a as string) === "") o.fail("action", "relabel action cannot be empty");
  if (c.modulus === 0 && a === "hashmod") o.fail("modulus", "relabel configuration for hashmod requires non-zero modulus");
  if ((a === "replace" || a === "hashmod" || setsPlainTarget) && c.targetLabel === "") {
    o.fail("target_label", `relabel configuration for ${a} action requires 'target_label' value`);
  }
  if (a === "replace" && !c.targetLabel.includes("$") && !isValidLabelName(c.targetLabel)) invalidTarget();
  if (a === "replace" && c.targetLabel.includes("$") && !isValidLabelNameTemplate(c.targetLabel)) invalidTarget();
  if (setsPlainTarget && !isValidLabelName(c.targetLabel)) invalidTarget();
  if (setsPlainTarget && c.replacement !== DEFAULT_REPLACEMENT) o.fail("replacement", `'replacement' can not be set for ${a} action`);
  if (a === "labelmap" && !isValidLabelNameTemplate(c.replacement)) {
    o.fail("replacement", `${JSON.stringify(c.replacement)} is invalid 'replacement' for ${a} action`);
  }
  if (a === "hashmod" && !isValidLabelName(c.targetLabel)) invalidTarget();
  const fail = (message: string): never => {
    throw new ConfigError(`${o.path}: ${message}`, o.path);
  };
  if (
    (a === "keepequal" || a === "dropequal") &&
    (regexSet || c.modulus !== 0 || c.separator !== DEFAULT_SEPARATOR || c.replacement !== DEFAULT_REPLACEMENT)
  ) {
    fail(`${a} action requires only 'source_labels' and \`target_label\`, and no other fields`);
  }
  if (
    (a === "labeldrop" || a === "labelkeep") &&
    (sourceLabelsSet || c.targetLabel !== "" || c.modulus !== 0 || c.separator !== DEFAULT_SEPARATOR || c.replacement !== DEFAULT_REPLACEMENT)
  ) {
    fail(`${a} action requires only 'regex', and no other fields`);
  }
}

/** Parses a `relabel_configs` sequence (raw YAML value, may be undefined/null) at YAML path `path` (e.g. "scrape_configs.0.relabel_configs"). */
export function parseRelabelConfigs(raw: unknown, path: string): RelabelConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError(`${path}: expected a sequence of relabel configs, got ${typeof raw === "object" ? "a mapping" : typeof raw}`, path);
  return raw.map((item, i) => parseRelabelConfig(item, path === "" ? String(i) : `${path}.${i}`));
}

/** Upper-case forms Go's simple mapping has where JavaScript's full mapping yields two characters (Greek with ypogegrammeni). */
function goUpperSpecial(c: number): number | undefined {
  if ((c >= 0x1f80 && c <= 0x1f87) || (c >= 0x1f90 && c <= 0x1f97) || (c >= 0x1fa0 && c <= 0x1fa7)) return c + 8;
  if (c === 0x1fb3 || c === 0x1fc3 || c === 0x1ff3) return c + 9;
  return undefined;
}

/** Go's strings.ToLower/ToUpper: Unicode simple (one-to-one) case mapping, code point by code point. */
function goCase(s: string, upper: boolean): string {
  if (/^[\x00-\x7f]*$/.test(s)) return upper ? s.toUpperCase() : s.toLowerCase();
  let out = "";
  for (const ch of s) {
    const mapped = upper ? ch.toUpperCase() : ch.toLowerCase();
    const c = mapped.codePointAt(0)!;
    if (mapped.length === (c > 0xffff ? 2 : 1)) out += mapped;
    else if (!upper && ch === "\u0130") out += "i";
    else {
      const special = upper ? goUpperSpecial(ch.codePointAt(0)!) : undefined;
      out += special === undefined ? ch : String.fromCodePoint(special);
    }
  }
  return out;
}

/** `md5(value)`, last 8 bytes as a big-endian uint64, modulo `modulus`, in decimal (Prometheus' hashmod). */
function hashMod(value: string, modulus: number): string {
  const sum = createHash("md5").update(value, "utf8").digest();
  return (sum.readBigUInt64BE(8) % BigInt(modulus)).toString();
}

/** labels.Builder.Set: an empty value deletes the label. */
function setLabel(lb: Map<string, string>, name: string, value: string): void {
  if (value === "") lb.delete(name);
  else lb.set(name, value);
}

/** The labels at the start of a step, sorted by name (the order Prometheus ranges over them). */
function snapshot(lb: Map<string, string>): Array<[string, string]> {
  return [...lb.entries()].sort((x, y) => compareStrings(x[0], y[0]));
}

function applyRule(cfg: RelabelConfig, lb: Map<string, string>): boolean {
  const val = cfg.sourceLabels.map((n) => lb.get(n) ?? "").join(cfg.separator);
  switch (cfg.action) {
    case "drop":
      return !cfg.regex.test(val);
    case "keep":
      return cfg.regex.test(val);
    case "dropequal":
      return (lb.get(cfg.targetLabel) ?? "") !== val;
    case "keepequal":
      return (lb.get(cfg.targetLabel) ?? "") === val;
    case "replace": {
      const groups = cfg.regex.exec(val);
      if (groups === undefined) break;
      const target = cfg.regex.expand(cfg.targetLabel, groups);
      // Prometheus v2.45 deletes the configured (unexpanded) target_label in both of these cases.
      if (!isValidLabelName(target)) {
        lb.delete(cfg.targetLabel);
        break;
      }
      const res = cfg.regex.expand(cfg.replacement, groups);
      if (res === "") lb.delete(cfg.targetLabel);
      else lb.set(target, res);
      break;
    }
    case "lowercase":
      setLabel(lb, cfg.targetLabel, goCase(val, false));
      break;
    case "uppercase":
      setLabel(lb, cfg.targetLabel, goCase(val, true));
      break;
    case "hashmod":
      setLabel(lb, cfg.targetLabel, hashMod(val, cfg.modulus));
      break;
    case "labelmap":
      for (const [name, value] of snapshot(lb)) {
        if (cfg.regex.test(name)) setLabel(lb, cfg.regex.replaceAll(name, cfg.replacement), value);
      }
      break;
    case "labeldrop":
      for (const [name] of snapshot(lb)) if (cfg.regex.test(name)) lb.delete(name);
      break;
    case "labelkeep":
      for (const [name] of snapshot(lb)) if (!cfg.regex.test(name)) lb.delete(name);
      break;
  }
  return true;
}

/** Applies configs in order; returns the new label set, or undefined when the target is dropped. Never mutates the input. */
export function relabel(labels: ReadonlyMap<string, string>, configs: readonly RelabelConfig[]): Map<string, string> | undefined {
  const lb = new Map(labels);
  for (const cfg of configs) if (!applyRule(cfg, lb)) return undefined;
  return lb;
}
