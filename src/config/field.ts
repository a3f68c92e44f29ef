/**
 * Table-driven config: each setting is one row naming its flag, its YAML path, its kind and its default.
 * Flags, YAML loading, -help and the /api/v1/status/config dump are all derived from these rows.
 */
import { ConfigError, FlagError } from "../model/errors.js";
import {
  formatGoDuration,
  formatModelDuration,
  parseGoDuration,
  parseModelDuration,
} from "./duration.js";

/** How a field's value is written and stored; durations are stored as milliseconds. */
export type FieldKind =
  | "string"
  | "int"
  | "float"
  | "bool"
  | "duration"
  | "model-duration"
  | "strings"
  | "csv";

/** One row of a config table, with the stored type of its value. */
export interface FieldOf<K extends FieldKind, T> {
  /** Flag name without the leading dash, e.g. "server.http-listen-port". */
  readonly flag: string;
  /** Dotted path in the YAML tree, e.g. "server.http_listen_port"; also the path in the value tree. */
  readonly yaml: string;
  readonly kind: K;
  readonly default: T;
  /** One line for -help. */
  readonly help: string;
  /** Listed by -help-all only. */
  readonly hidden?: boolean;
  /** A credential: config dumps show it as ******** when it is set. */
  readonly secret?: boolean;
  /** Check after the kind parsed; returns why the value is rejected, or undefined when it is fine. */
  readonly validate?: (value: T) => string | undefined;
  /** Printed by -help like a Go flag.Value: kind word "value" and the default unquoted. */
  readonly customValue?: boolean;
}

/** A config table row of any kind. */
export type Field =
  | FieldOf<"string", string>
  | FieldOf<"int", number>
  | FieldOf<"float", number>
  | FieldOf<"bool", boolean>
  | FieldOf<"duration", number>
  | FieldOf<"model-duration", number>
  | FieldOf<"strings", readonly string[]>
  | FieldOf<"csv", readonly string[]>;

/** A stored leaf value: string, number (durations in ms), boolean or string list. */
export type ConfigLeaf = string | number | boolean | string[];

/** The value tree: plain nested objects keyed exactly like the YAML. */
export interface ConfigTree {
  [key: string]: ConfigLeaf | ConfigTree;
}

/** Splits a dotted YAML path into its keys. */
export function splitPath(path: string): string[] {
  return path.split(".");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads the value at a dotted path, or undefined when any step is missing. */
export function getPath(obj: unknown, path: string): unknown {
  let node: unknown = obj;
  for (const key of splitPath(path)) {
    if (!isRecord(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** Writes a value at a dotted path, creating the intermediate objects. */
export function setPath(obj: object, path: string, value: unknown): void {
  const keys = splitPath(path);
  let node = obj as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (isRecord(next)) {
      node = next;
    } else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  }
  node[keys[keys.length - 1] as string] = value;
}

function copyLeaf(value: Field["default"]): ConfigLeaf {
  return Array.isArray(value) ? [...(value as readonly string[])] : (value as ConfigLeaf);
}

/** The value tree holding every field's default, keys in table order. */
export function defaultsOf(fields: readonly Field[]): ConfigTree {
  const tree: ConfigTree = {};
  for (const field of fields) setPath(tree, field.yaml, copyLeaf(field.default));
  return tree;
}

/** Runs the field's own check; the cast widens the parameter, which the switch on kind already typed. */
function validated<T>(field: Field, value: T): T {
  const check = field.validate as ((v: unknown) => string | undefined) | undefined;
  const reason = check?.(value);
  if (reason !== undefined) throw new Error(reason);
  return value;
}

// strconv.ParseInt with base 0: decimal, 0x, 0o, 0b, leading-0 octal; "_" only between digits.
const GO_INT =
  /^[+-]?(?:0[xX]_?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*|0[bB]_?[01]+(?:_[01]+)*|0[oO]_?[0-7]+(?:_[0-7]+)*|0_?[0-7]+(?:_[0-7]+)*|0|[1-9][0-9]*(?:_[0-9]+)*)$/;
const GO_FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const GO_FLOAT_SPECIAL = /^[+-]?(?:inf|infinity|nan)$/i;
const GO_BOOL_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_BOOL_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

// The reasons Go's flag package gives for numbers it cannot parse.
const PARSE_ERROR = "parse error";
const RANGE_ERROR = "value out of range";

function parseGoInt(raw: string): number {
  if (!GO_INT.test(raw)) throw new Error(PARSE_ERROR);
  let digits = raw.replaceAll("_", "");
  let sign = 1n;
  if (digits.startsWith("-") || digits.startsWith("+")) {
    sign = digits[0] === "-" ? -1n : 1n;
    digits = digits.slice(1);
  }
  // BigInt understands 0x/0o/0b but not Go's leading-zero octal.
  if (/^0[0-7]+$/.test(digits)) digits = `0o${digits.slice(1)}`;
  const value = sign * BigInt(digits);
  if (value < INT64_MIN || value > INT64_MAX) throw new Error(RANGE_ERROR);
  return Number(value);
}

function parseGoFloat(raw: string): number {
  if (GO_FLOAT_SPECIAL.test(raw)) {
    const negative = raw.startsWith("-");
    if (/nan/i.test(raw)) return Number.NaN;
    return negative ? -Infinity : Infinity;
  }
  if (!GO_FLOAT.test(raw)) throw new Error(PARSE_ERROR);
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(RANGE_ERROR);
  return value;
}

/** Parses a bool as Go's strconv.ParseBool does. */
export function parseGoBool(raw: string): boolean {
  if (GO_BOOL_TRUE.has(raw)) return true;
  if (GO_BOOL_FALSE.has(raw)) return false;
  throw new Error(PARSE_ERROR);
}

function splitCsv(raw: string): string[] {
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Parses a command-line value for a field; throws an Error whose message is the reason, as Go's flag.Value.Set. */
export function parseFlagValue(field: Field, raw: string): ConfigLeaf {
  switch (field.kind) {
    case "string":
      return validated(field, raw);
    case "int":
      return validated(field, parseGoInt(raw));
    case "float":
      return validated(field, parseGoFloat(raw));
    case "bool":
      return validated(field, parseGoBool(raw));
    case "duration": {
      let ms: number;
      try {
        ms = parseGoDuration(raw);
      } catch {
        // Go's durationValue.Set hides time.ParseDuration's message behind errParse.
        throw new Error(PARSE_ERROR);
      }
      return validated(field, ms);
    }
    case "model-duration":
      return validated(field, parseModelDuration(raw));
    case "strings":
    case "csv":
      return validated(field, splitCsv(raw));
  }
}

/** Sets a field from its command-line text, with Go's flag error wording. */
export function applyFlag(target: object, field: Field, raw: string): void {
  setPath(target, field.yaml, flagValue(field, raw));
}

/** Parses a command-line value, throwing FlagError with Go's message when it is bad. */
export function flagValue(field: Field, raw: string): ConfigLeaf {
  try {
    return parseFlagValue(field, raw);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const message =
      field.kind === "bool"
        ? `invalid boolean value ${JSON.stringify(raw)} for -${field.flag}: ${reason}`
        : `invalid value ${JSON.stringify(raw)} for flag -${field.flag}: ${reason}`;
    throw new FlagError(message, { cause: err });
  }
}

/** What a kind is called in YAML type errors. */
export function kindNoun(kind: FieldKind): string {
  switch (kind) {
    case "string":
    case "int":
    case "float":
    case "bool":
      return kind;
    case "duration":
      return 'duration (e.g. "1h30m")';
    case "model-duration":
      return 'duration (e.g. "7d")';
    case "strings":
      return "list of strings";
    case "csv":
      return "comma-separated string";
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "list";
  if (isRecord(value)) return "mapping";
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

// yaml.v2 (what Phlare unmarshals with) reads YAML 1.1 booleans; we parse YAML 1.2, so accept the words here.
const YAML11_TRUE = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"]);
const YAML11_FALSE = new Set(["n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"]);

/** Zero value of a kind: what yaml.v2 stores for an explicit null. */
function zeroOf(kind: FieldKind): ConfigLeaf {
  switch (kind) {
    case "string":
      return "";
    case "bool":
      return false;
    case "strings":
    case "csv":
      return [];
    default:
      return 0;
  }
}

function scalarStrings(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: string[] = [];
  for (const item of value) {
    if (typeof item === "string" || typeof item === "number" || typeof item === "boolean") out.push(String(item));
    else return undefined;
  }
  return out;
}

function convertYaml(field: Field, value: unknown): ConfigLeaf | undefined {
  if (value === null || value === undefined) return zeroOf(field.kind);
  switch (field.kind) {
    case "string":
      return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
        ? String(value)
        : undefined;
    case "int":
      return typeof value === "number" && Number.isInteger(value) ? value : undefined;
    case "float":
      return typeof value === "number" ? value : undefined;
    case "bool":
      if (typeof value === "boolean") return value;
      if (typeof value === "string" && YAML11_TRUE.has(value)) return true;
      if (typeof value === "string" && YAML11_FALSE.has(value)) return false;
      return undefined;
    case "duration":
      return typeof value === "string" ? parseGoDuration(value) : undefined;
    case "model-duration":
      // model.Duration unmarshals through a string, so a bare 0 is fine and a bare 10 lacks its unit.
      return typeof value === "string" || typeof value === "number" ? parseModelDuration(String(value)) : undefined;
    case "strings":
      return scalarStrings(value);
    case "csv":
      return typeof value === "string" ? splitCsv(value) : scalarStrings(value);
  }
}

/** Converts one YAML value for a field, throwing ConfigError naming the path and the expected kind. */
export function yamlValue(field: Field, value: unknown, path: string = field.yaml): ConfigLeaf {
  let converted: ConfigLeaf | undefined;
  try {
    converted = convertYaml(field, value);
    if (converted !== undefined) validated(field, converted);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(`${path}: ${reason}`, path, { cause: err });
  }
  if (converted === undefined) {
    throw new ConfigError(`${path}: expected ${kindNoun(field.kind)}, got ${describe(value)}`, path);
  }
  return converted;
}

/** YAML keys to either a field or the next level of keys. */
export type FieldTrie = Map<string, FieldTrie | Field>;

/** Indexes fields by YAML path; throws when one path is used twice or is both a leaf and a section. */
export function fieldTrie(fields: readonly Field[]): FieldTrie {
  const root: FieldTrie = new Map();
  for (const field of fields) {
    const keys = splitPath(field.yaml);
    let node = root;
    keys.forEach((key, i) => {
      const existing = node.get(key);
      const last = i === keys.length - 1;
      if (last) {
        if (existing !== undefined) throw new Error(`config field ${field.yaml} is defined twice or is also a section`);
        node.set(key, field);
      } else if (existing === undefined) {
        const child: FieldTrie = new Map();
        node.set(key, child);
        node = child;
      } else if (existing instanceof Map) {
        node = existing;
      } else {
        throw new Error(`config field ${existing.yaml} is also used as a section by ${field.yaml}`);
      }
    });
  }
  return root;
}

/**
 * Overlays a parsed YAML document on the value tree. With `strict`, a key no field knows is an error
 * naming its path, as Phlare's strict unmarshal; a null section leaves its defaults alone.
 */
export function applyYaml(target: object, yamlObject: unknown, fields: readonly Field[], strict: boolean): void {
  applySection(target, yamlObject, fieldTrie(fields), [], strict);
}

function applySection(target: object, value: unknown, trie: FieldTrie, at: string[], strict: boolean): void {
  if (value === null || value === undefined) return;
  const where = at.join(".");
  if (!isRecord(value)) {
    throw new ConfigError(
      `${where === "" ? "config" : where}: expected a mapping, got ${describe(value)}`,
      where === "" ? undefined : where,
    );
  }
  for (const [key, child] of Object.entries(value)) {
    const path = [...at, key];
    const node = trie.get(key);
    if (node === undefined) {
      if (strict) throw new ConfigError(`unknown key ${path.join(".")}`, path.join("."));
      continue;
    }
    if (node instanceof Map) applySection(target, child, node, path, strict);
    else setPath(target, node.yaml, yamlValue(node, child, path.join(".")));
  }
}

/** Formats Go's float64 flag default as strconv.FormatFloat(f, 'g', -1, 64): "4", "0.5", "1e+06". */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const [mantissa = "", expText = "0"] = value.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return String(value);
}

/** A stored value as the text Go prints for it (flag defaults, dumps): durations "1h0m0s" / "1w", lists "a,b". */
export function formatValue(field: Field, value: unknown): string {
  switch (field.kind) {
    case "duration":
      return formatGoDuration(Number(value));
    case "model-duration":
      return formatModelDuration(Number(value));
    case "float":
      return formatGoFloat(Number(value));
    case "strings":
    case "csv":
      return Array.isArray(value) ? value.join(",") : String(value);
    default:
      return String(value);
  }
}

/** A stored value as it appears in YAML output: durations as strings, csv joined, the rest as is. */
export function dumpValue(field: Field, value: unknown): unknown {
  switch (field.kind) {
    case "duration":
    case "model-duration":
    case "csv":
      return formatValue(field, value);
    default:
      return value;
  }
}
