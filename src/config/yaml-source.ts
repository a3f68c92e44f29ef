/**
 * Parses a YAML file's text for the config loaders, keeping what is needed to point an error at
 * `file:line:column`: syntax errors from the parser, and validation errors by their key path.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document } from "yaml";
import { ConfigError } from "../model/errors.js";

/** A parsed YAML file: its plain value and a way to find where a key path is written. */
export interface YamlSource {
  readonly file: string;
  /** The document as plain JS (null for an empty file). */
  readonly value: unknown;
  /** "line:column" (1-based) of the key at `path`, or undefined when it cannot be found. */
  position(path: readonly string[]): string | undefined;
}

/** Parses YAML text; a syntax error becomes ConfigError "<file>:<line>:<col>: <problem>". */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lines = new LineCounter();
  // Phlare decodes with yaml.v2, which also rejects duplicate keys; the parser does that by default.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const first = doc.errors[0];
  if (first !== undefined) {
    const at = lines.linePos(first.pos[0]);
    throw new ConfigError(`${file}:${at.line}:${at.col}: ${firstLine(first.message)}`, undefined, { cause: first });
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    throw new ConfigError(`${file}: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
  }
  return {
    file,
    value,
    position(path) {
      const offset = keyOffset(doc, path);
      if (offset === undefined) return undefined;
      const at = lines.linePos(offset);
      return `${at.line}:${at.col}`;
    },
  };
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

function keyOffset(doc: Document, path: readonly string[]): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined;
  for (const key of path) {
    // Sequence items (scrape_configs.0.…) are addressed by index; a missing key's position is its item's.
    if (isSeq(node) && /^\d+$/.test(key)) {
      const item: unknown = node.items[Number(key)];
      if (item === undefined) return offset;
      const range = (item as { range?: [number, number, number] | null }).range;
      offset = range?.[0] ?? offset;
      node = item;
      continue;
    }
    if (!isMap(node)) return offset;
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    if (pair === undefined || !isScalar(pair.key)) return offset;
    offset = pair.key.range?.[0] ?? offset;
    node = pair.value;
  }
  return offset;
}

/**
 * Re-throws a validation error with the file and the position of its key in front, e.g.
 * "phlare.yaml:3:5: server.http_listen_port: expected int, got string "x"".
 */
export function errorAt(source: YamlSource, err: unknown): never {
  if (err instanceof ConfigError) {
    const pos = err.path === undefined ? undefined : source.position(err.path.split("."));
    const where = pos === undefined ? source.file : `${source.file}:${pos}`;
    throw new ConfigError(`${where}: ${err.message}`, err.path, { cause: err });
  }
  throw err;
}
