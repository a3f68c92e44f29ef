/**
 * YAML renderings of the config for the status endpoints: /api/v1/status/config (whole tree),
 * .../config/diff (only non-defaults), .../config/default, and /runtime_config (tenant overrides).
 * Durations print in their canonical Go/Prometheus forms and keys come in table order, as Phlare prints them.
 */
import { stringify } from "yaml";
import { allFields, defaultConfig, withYamlSections, yamlSections } from "./config.js";
import type { Config } from "./config.js";
import { defaultsOf, dumpValue, getPath, setPath } from "./field.js";
import type { Field } from "./field.js";
import { limitsFields, limitsKey } from "./limits.js";
import type { Limits } from "./limits.js";
import type { TenantOverrides } from "./runtime-config.js";

// yaml.v2 writes list items at the indentation of their key; match it.
const YAML_OPTIONS = { indentSeq: false } as const;

function renderTree(config: object, fields: readonly Field[], keep: (field: Field) => boolean, keepEmptySections = true): string {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (!keep(field)) continue;
    const value = getPath(config, field.yaml);
    // Like Phlare's flagext.Secret: the status pages never show a credential.
    setPath(out, field.yaml, field.secret === true && value !== "" ? "********" : dumpValue(field, value));
  }
  if (fields !== allFields) return stringify(out, YAML_OPTIONS);
  // The root config's structured sections (scrape_configs) are shown as written.
  const sections = new Map<string, unknown>();
  for (const { key } of yamlSections) {
    const value = getPath(config, key) ?? [];
    if (keepEmptySections || (Array.isArray(value) && value.length > 0)) sections.set(key, value);
  }
  const tree = withYamlSections(out, sections) as Record<string, unknown>;
  for (const { key } of yamlSections) if (!sections.has(key)) delete tree[key];
  return stringify(tree, YAML_OPTIONS);
}

function sameValue(field: Field, a: unknown, b: unknown): boolean {
  return JSON.stringify(dumpValue(field, a)) === JSON.stringify(dumpValue(field, b));
}

/** The whole config tree as YAML. */
export function configYaml(config: Config | object, fields: readonly Field[] = allFields): string {
  return renderTree(config, fields, () => true);
}

/** Only the values that differ from `defaults`, as YAML ("{}" when nothing differs). */
export function configDiffYaml(
  config: Config | object,
  defaults: Config | object = defaultConfig(),
  fields: readonly Field[] = allFields,
): string {
  return renderTree(config, fields, (f) => !sameValue(f, getPath(config, f.yaml), getPath(defaults, f.yaml)), false);
}

/** Every default as YAML. */
export function defaultsYaml(fields: readonly Field[] = allFields): string {
  return configYaml(defaultsOf(fields), fields);
}

/**
 * The runtime config as YAML under `overrides:`, tenants sorted like Go's map output. Mode "all" shows
 * each tenant's full limits (`defaults` with its overrides on top); "diff" only what differs from `defaults`.
 */
export function overridesYaml(overrides: TenantOverrides, defaults: Limits, mode: "all" | "diff"): string {
  const tenants: Record<string, Record<string, unknown>> = {};
  for (const tenant of Object.keys(overrides).sort()) {
    const merged: Limits = { ...defaults, ...overrides[tenant] };
    const rendered: Record<string, unknown> = {};
    for (const field of limitsFields) {
      const key = limitsKey(field);
      if (mode === "diff" && sameValue(field, merged[key], defaults[key])) continue;
      rendered[key] = dumpValue(field, merged[key]);
    }
    if (mode === "all" || Object.keys(rendered).length > 0) tenants[tenant] = rendered;
  }
  return stringify({ overrides: tenants }, YAML_OPTIONS);
}
