/**
 * The target group list that file_sd files and http_sd endpoints serve, as Prometheus' `targetgroup`
 * decodes it: `[{"targets": ["host:port", …], "labels": {"name": "value", …}}, …]`, in JSON or YAML.
 * Decoding is strict (unknown keys, non-string targets and invalid label names are errors, and an
 * input over the size limit is refused). YAML scalars are read as the text written, as Go's YAML
 * decoder does for string fields: `version: 1.10` is the label value "1.10", not "1.1".
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { Document } from "yaml";
import { isValidLabelName } from "../../model/labels.js";
import type { LabelSet, TargetGroup } from "./target-group.js";

/** The default bound on a file or response holding target groups. */
export const MAX_TARGET_GROUPS_BYTES = 16 * 1024 * 1024;

/** The input does not hold a valid target group list. */
export class TargetGroupsError extends Error {
  override readonly name = "TargetGroupsError";
}

/** The two encodings of a target group list. */
export type TargetGroupsFormat = "json" | "yaml";

/** One decoded group, before it gets its source. */
export interface ParsedTargetGroup {
  /** The `__address__` of each target, in order. */
  targets: string[];
  labels: LabelSet;
}

// What a YAML document becomes: scalars as their text (null for a plain null), mappings as Maps.
type Tree = null | string | Tree[] | Map<string, Tree>;

const MAX_YAML_NODES = 1_000_000;
const MAX_YAML_DEPTH = 64;
const YAML_NULLS = new Set(["", "~", "null", "Null", "NULL"]);

function yamlTree(text: string): Tree {
  const doc = parseDocument(text, { schema: "failsafe", uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) throw new TargetGroupsError(`invalid YAML: ${doc.errors[0]?.message ?? "parse error"}`);
  let nodes = 0;
  const walk = (node: unknown, depth: number): Tree => {
    if (++nodes > MAX_YAML_NODES) throw new TargetGroupsError(`invalid YAML: more than ${MAX_YAML_NODES} nodes`);
    if (depth > MAX_YAML_DEPTH) throw new TargetGroupsError(`invalid YAML: nested deeper than ${MAX_YAML_DEPTH} levels`);
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return walk(node.resolve(doc as Document), depth + 1);
    if (isScalar(node)) {
      const text = typeof node.value === "string" ? node.value : String(node.value);
      return node.type === "PLAIN" && YAML_NULLS.has(text) ? null : text;
    }
    if (isSeq(node)) return node.items.map((item) => walk(item, depth + 1));
    if (isMap(node)) {
      const out = new Map<string, Tree>();
      for (const pair of node.items) {
        const key = walk(pair.key, depth + 1);
        if (typeof key !== "string" && key !== null) throw new TargetGroupsError("invalid YAML: mapping keys must be scalars");
        out.set(key ?? "", walk(pair.value, depth + 1));
      }
      return out;
    }
    throw new TargetGroupsError("invalid YAML: unsupported node");
  };
  return walk(doc.contents, 0);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (v instanceof Map || typeof v === "object") return "an object";
  return `${typeof v} ${JSON.stringify(v)}`;
}

// Entries of a JSON object or a YAML mapping; undefined for anything else.
function entries(v: unknown): [string, unknown][] | undefined {
  if (v instanceof Map) return [...(v as Map<string, unknown>)];
  if (typeof v === "object" && v !== null && !Array.isArray(v)) return Object.entries(v);
  return undefined;
}

function decodeGroup(raw: unknown, at: string): ParsedTargetGroup {
  if (raw === null) throw new TargetGroupsError(`${at}: nil target group item found`);
  const fields = entries(raw);
  if (fields === undefined) throw new TargetGroupsError(`${at}: expected an object, got ${describe(raw)}`);
  const group: ParsedTargetGroup = { targets: [], labels: new Map() };
  for (const [key, value] of fields) {
    if (key === "targets") {
      if (value === null) continue;
      if (!Array.isArray(value)) throw new TargetGroupsError(`${at}.targets: expected a list of strings, got ${describe(value)}`);
      value.forEach((t: unknown, i) => {
        if (typeof t !== "string") throw new TargetGroupsError(`${at}.targets[${i}]: expected a string, got ${describe(t)}`);
        group.targets.push(t);
      });
    } else if (key === "labels") {
      if (value === null) continue;
      const labels = entries(value);
      if (labels === undefined) throw new TargetGroupsError(`${at}.labels: expected an object, got ${describe(value)}`);
      for (const [name, v] of labels) {
        if (!isValidLabelName(name)) throw new TargetGroupsError(`${at}.labels: ${JSON.stringify(name)} is not a valid label name`);
        if (v !== null && typeof v !== "string") throw new TargetGroupsError(`${at}.labels.${name}: expected a string, got ${describe(v)}`);
        group.labels.set(name, v ?? "");
      }
    } else {
      throw new TargetGroupsError(`${at}: unknown field ${JSON.stringify(key)}, expected "targets" or "labels"`);
    }
  }
  return group;
}

/**
 * Decodes a target group list. An empty YAML document or a JSON `null` is an empty list; anything
 * else that is not a list of groups, or input over `maxBytes`, throws a TargetGroupsError.
 */
export function parseTargetGroups(input: string | Buffer, format: TargetGroupsFormat, maxBytes = MAX_TARGET_GROUPS_BYTES): ParsedTargetGroup[] {
  const size = typeof input === "string" ? Buffer.byteLength(input) : input.length;
  if (size > maxBytes) throw new TargetGroupsError(`target groups of ${size} bytes exceed the limit of ${maxBytes} bytes`);
  const text = typeof input === "string" ? input : input.toString("utf8");
  let tree: unknown;
  if (format === "json") {
    try {
      tree = JSON.parse(text);
    } catch (err) {
      throw new TargetGroupsError(`invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
  } else {
    tree = yamlTree(text);
  }
  if (tree === null) return [];
  if (!Array.isArray(tree)) throw new TargetGroupsError(`expected a list of target groups, got ${describe(tree)}`);
  return tree.map((g: unknown, i) => decodeGroup(g, `[${i}]`));
}

/**
 * Turns decoded groups into TargetGroups: group `i` gets the source `<prefix>:<i>`, each target an
 * `__address__` label, and every group the label `metaName` = `metaValue` (overriding its own).
 */
export function toTargetGroups(groups: readonly ParsedTargetGroup[], prefix: string, metaName: string, metaValue: string): TargetGroup[] {
  return groups.map((g, i) => {
    const labels: LabelSet = new Map(g.labels);
    labels.set(metaName, metaValue);
    return { source: groupSource(prefix, i), targets: g.targets.map((t) => new Map([["__address__", t]])), labels };
  });
}

/** The source of the `i`-th group of a file or URL, `<prefix>:<i>` as in Prometheus. */
export function groupSource(prefix: string, i: number): string {
  return `${prefix}:${i}`;
}

/** The group that removes what was sent for `source`. */
export function emptyGroup(source: string): TargetGroup {
  return { source, targets: [], labels: new Map() };
}

function fingerprint(g: TargetGroup): string {
  return JSON.stringify([g.targets.map((t) => [...t]), [...g.labels]]);
}

/**
 * What a discoverer last sent, per source, so that a refresh sends only the groups that changed
 * and empties the ones that vanished.
 */
export class SentGroups {
  private readonly sent = new Map<string, string>();

  /** The groups that differ from what was last sent for their source; they are recorded as sent. */
  changed(groups: readonly TargetGroup[]): TargetGroup[] {
    const out: TargetGroup[] = [];
    for (const g of groups) {
      const fp = fingerprint(g);
      if (this.sent.get(g.source) === fp) continue;
      this.sent.set(g.source, fp);
      out.push(g);
    }
    return out;
  }

  /** Empty groups for the given sources, which are forgotten. */
  removed(sources: Iterable<string>): TargetGroup[] {
    const out: TargetGroup[] = [];
    for (const source of sources) {
      this.sent.delete(source);
      out.push(emptyGroup(source));
    }
    return out;
  }
}
