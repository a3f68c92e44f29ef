/**
 * Strict reading of the agent's free-form YAML sections (scrape configs, service discovery, HTTP
 * client options): every key must be known, every value of the right type, and every error names
 * the YAML path (ConfigError.path), so the loader can point at file:line:column.
 */
import { parseModelDuration } from "../config/duration.js";
import { ConfigError } from "../model/errors.js";

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a sequence";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** A YAML mapping read key by key; `done()` rejects the keys nobody read. */
export class YamlObject {
  private readonly seen = new Set<string>();

  private constructor(
    private readonly obj: Record<string, unknown>,
    /** The dotted YAML path of this mapping, e.g. "scrape_configs.0". */
    readonly path: string,
  ) {}

  /** Wraps `value`, which must be a mapping (null/undefined read as an empty one). */
  static of(value: unknown, path: string): YamlObject {
    if (value === null || value === undefined) return new YamlObject({}, path);
    if (typeof value !== "object" || Array.isArray(value)) throw new ConfigError(`${path}: expected a mapping, got ${describe(value)}`, path);
    return new YamlObject(value as Record<string, unknown>, path);
  }

  /** The path of `key` inside this mapping. */
  at(key: string): string {
    return this.path === "" ? key : `${this.path}.${key}`;
  }

  /** Whether the key is present with a non-null value. */
  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  /** The raw value of a key (marks it read). */
  raw(key: string): unknown {
    this.seen.add(key);
    return Object.hasOwn(this.obj, key) ? this.obj[key] : undefined;
  }

  /** Throws a ConfigError at `key`. */
  fail(key: string, message: string): never {
    throw new ConfigError(`${this.at(key)}: ${message}`, this.at(key));
  }

  /** A string value; numbers and booleans are taken as YAML scalars the way Go's yaml decoder does. */
  string(key: string, fallback: string): string;
  string(key: string): string | undefined;
  string(key: string, fallback?: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    return this.fail(key, `expected a string, got ${describe(v)}`);
  }

  /** A required, non-empty string. */
  requiredString(key: string): string {
    const v = this.string(key);
    if (v === undefined || v === "") return this.fail(key, "is required");
    return v;
  }

  /** A boolean value. */
  bool(key: string, fallback: boolean): boolean {
    const v = this.raw(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v === "boolean") return v;
    return this.fail(key, `expected a boolean, got ${describe(v)}`);
  }

  /** An integer value. */
  int(key: string, fallback: number): number {
    const v = this.raw(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v === "number" && Number.isSafeInteger(v)) return v;
    return this.fail(key, `expected an integer, got ${describe(v)}`);
  }

  /** A Prometheus duration ("15s", "1m30s", "1d") in milliseconds. */
  duration(key: string, fallback: number): number {
    const v = this.raw(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "string") return this.fail(key, `expected a duration such as "15s", got ${describe(v)}`);
    try {
      return parseModelDuration(v);
    } catch (err) {
      return this.fail(key, err instanceof Error ? err.message : String(err));
    }
  }

  /** A list of strings. */
  strings(key: string): string[] {
    return this.list(key).map((v, i) => {
      if (typeof v === "string") return v;
      if (typeof v === "number" || typeof v === "boolean") return String(v);
      return this.fail(`${key}.${i}`, `expected a string, got ${describe(v)}`);
    });
  }

  /** A string→string mapping (label sets). */
  stringMap(key: string): Map<string, string> {
    const sub = YamlObject.of(this.raw(key), this.at(key));
    const out = new Map<string, string>();
    for (const k of sub.keys()) out.set(k, sub.requiredScalar(k));
    return out;
  }

  private requiredScalar(key: string): string {
    const v = this.string(key);
    return v ?? "";
  }

  /** A sequence (empty when absent). */
  list(key: string): unknown[] {
    const v = this.raw(key);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return this.fail(key, `expected a sequence, got ${describe(v)}`);
    return v;
  }

  /** A sequence of mappings, each wrapped. */
  objects(key: string): YamlObject[] {
    return this.list(key).map((v, i) => YamlObject.of(v, `${this.at(key)}.${i}`));
  }

  /** A nested mapping, wrapped (empty when absent). */
  object(key: string): YamlObject {
    return YamlObject.of(this.raw(key), this.at(key));
  }

  /** Every key present. */
  keys(): string[] {
    return Object.keys(this.obj);
  }

  /** Rejects any key that no reader asked for. */
  done(): void {
    for (const key of Object.keys(this.obj)) {
      if (!this.seen.has(key)) this.fail(key, "unknown key");
    }
  }
}
