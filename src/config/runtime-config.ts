/**
 * The runtime config: per-tenant limit overrides in a YAML file (`overrides: {<tenant>: <limits>}`)
 * that is re-read every period while the server runs, as Phlare's runtime-config module does.
 */
import { readFile } from "node:fs/promises";
import { seconds } from "./duration.js";
import { ConfigError } from "../model/errors.js";
import { yamlValue } from "./field.js";
import type { Field } from "./field.js";
import { limitsFields, limitsKey } from "./limits.js";
import type { Limits } from "./limits.js";
import { errorAt, parseYamlSource } from "./yaml-source.js";

/** YAML `runtime_config:`; the period is milliseconds. */
export interface RuntimeConfigConfig {
  file: string;
  period: number;
}

/** Rows for `runtime_config.*`. */
export const runtimeConfigFields: readonly Field[] = [
  {
    flag: "runtime-config.file",
    yaml: "runtime_config.file",
    kind: "string",
    default: "",
    help: "File with the configuration that can be updated in runtime.",
  },
  {
    flag: "runtime-config.reload-period",
    yaml: "runtime_config.period",
    kind: "duration",
    default: seconds(10),
    validate: (v) => (v > 0 ? undefined : "reload period must be positive"),
    help: "How often to check runtime config file.",
  },
];

/** Per-tenant overrides: only the keys a tenant sets. */
export type TenantOverrides = Record<string, Partial<Limits>>;

const limitsByKey: ReadonlyMap<string, Field> = new Map(limitsFields.map((f) => [limitsKey(f), f]));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return Array.isArray(value) ? "list" : typeof value;
}

/**
 * Parses runtime-config text. Unknown keys are errors (Phlare decodes it strictly); every message
 * starts with "<file>:<line>:<col>:" and names the tenant and key.
 */
export function parseRuntimeConfig(text: string, file: string): TenantOverrides {
  const source = parseYamlSource(text, file);
  try {
    return overridesOf(source.value);
  } catch (err) {
    return errorAt(source, err);
  }
}

function overridesOf(root: unknown): TenantOverrides {
  const out: TenantOverrides = {};
  if (root === null || root === undefined) return out;
  if (!isRecord(root)) throw new ConfigError(`runtime config: expected a mapping, got ${describe(root)}`);
  for (const key of Object.keys(root)) {
    if (key !== "overrides") throw new ConfigError(`unknown key ${key}`, key);
  }
  const tenants = root["overrides"];
  if (tenants === null || tenants === undefined) return out;
  if (!isRecord(tenants)) throw new ConfigError(`overrides: expected a mapping, got ${describe(tenants)}`, "overrides");
  for (const [tenant, limits] of Object.entries(tenants)) {
    const at = `overrides.${tenant}`;
    const tenantLimits: Record<string, unknown> = {};
    if (limits !== null && limits !== undefined) {
      if (!isRecord(limits)) {
        const got = describe(limits);
        throw new ConfigError(`${at}: expected a mapping of limits for tenant ${JSON.stringify(tenant)}, got ${got}`, at);
      }
      for (const [key, value] of Object.entries(limits)) {
        const field = limitsByKey.get(key);
        if (field === undefined) {
          const path = `${at}.${key}`;
          throw new ConfigError(`${path}: unknown limit ${JSON.stringify(key)} for tenant ${JSON.stringify(tenant)}`, path);
        }
        tenantLimits[key] = yamlValue(field, value, `${at}.${key}`);
      }
    }
    out[tenant] = tenantLimits as Partial<Limits>;
  }
  return out;
}

/** Options of a RuntimeConfigWatcher. */
export interface RuntimeConfigOptions {
  /** The runtime-config file; "" means none: every tenant gets `defaults`. */
  readonly file: string;
  readonly periodMs: number;
  /** The main config's limits; a tenant's unset keys take these. */
  readonly defaults: Limits;
  /** Told about a failed reload; the previous overrides stay in force. */
  readonly onError?: (err: ConfigError) => void;
}

/** Called with the new overrides after a reload changed them. */
export type OverridesListener = (overrides: TenantOverrides) => void;

// Overrides are compared by content so that rewriting a file with the same values is no change.
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** Holds the current per-tenant overrides and reloads them from the runtime-config file every period. */
export class RuntimeConfigWatcher {
  private current: TenantOverrides = {};
  private text = "";
  private readonly perTenant = new Map<string, Limits>();
  private readonly listeners = new Set<OverridesListener>();
  private readonly defaults: Limits;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private error: ConfigError | undefined;

  constructor(private readonly options: RuntimeConfigOptions) {
    this.defaults = Object.freeze({ ...options.defaults });
  }

  /** The error of the last reload, or undefined when it succeeded. */
  get lastError(): ConfigError | undefined {
    return this.error;
  }

  /** Loads the file (a failure is a start-up error, thrown as ConfigError), then reloads every period. */
  async start(): Promise<void> {
    if (this.options.file === "") return;
    await this.load();
    this.running = true;
    this.schedule();
  }

  /** Stops reloading; the current overrides stay readable. */
  stop(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Re-reads the file now. A bad file keeps the previous overrides, records `lastError` and calls
   * `onError`; returns whether the overrides changed.
   */
  async reload(): Promise<boolean> {
    try {
      const changed = await this.load();
      this.error = undefined;
      return changed;
    } catch (err) {
      const wrapped =
        err instanceof ConfigError
          ? err
          : new ConfigError(`reload runtime config ${this.options.file}`, undefined, { cause: err });
      this.error = wrapped;
      this.options.onError?.(wrapped);
      return false;
    }
  }

  /** The limits of a tenant: the main config's limits with the tenant's overrides on top, key by key. */
  limitsFor(tenant: string): Limits {
    let limits = this.perTenant.get(tenant);
    if (limits === undefined) {
      const own = this.current[tenant];
      if (own === undefined) return this.defaults;
      limits = Object.freeze({ ...this.defaults, ...own });
      this.perTenant.set(tenant, limits);
    }
    return limits;
  }

  /** The overrides as loaded: only the keys each tenant sets. */
  overrides(): TenantOverrides {
    return structuredClone(this.current);
  }

  /** The text of the last file that loaded successfully ("" when there is none). */
  rawYaml(): string {
    return this.text;
  }

  /** The limits every tenant starts from. */
  defaultLimits(): Limits {
    return this.defaults;
  }

  /** Registers a listener for changed overrides; returns a function that removes it. */
  onChange(listener: OverridesListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async load(): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(this.options.file, "utf8");
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new ConfigError(`read runtime config ${this.options.file}: ${reason}`, undefined, { cause: err });
    }
    const next = parseRuntimeConfig(text, this.options.file);
    this.text = text;
    if (canonical(next) === canonical(this.current)) return false;
    this.current = next;
    this.perTenant.clear();
    for (const listener of this.listeners) {
      // A failing listener must not undo a good reload nor stop the others from hearing of it.
      try {
        listener(structuredClone(next));
      } catch (err) {
        this.options.onError?.(new ConfigError("runtime config change listener failed", undefined, { cause: err }));
      }
    }
    return true;
  }

  private schedule(): void {
    if (!this.running) return;
    // A chain of timeouts, not an interval, so a slow read never overlaps the next one.
    this.timer = setTimeout(() => {
      void this.reload().then(() => this.schedule());
    }, this.options.periodMs);
    this.timer.unref();
  }
}
