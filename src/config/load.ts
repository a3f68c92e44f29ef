/**
 * Builds the config the way Phlare does: flag defaults, then the YAML file named by -config.file
 * (optionally with ${VAR} expanded), then the command-line flags on top.
 */
import { readFileSync } from "node:fs";
import { allFields, asConfig, withYamlSections, yamlSections } from "./config.js";
import type { Config } from "./config.js";
import { ConfigError } from "../model/errors.js";
import { expandEnv } from "./expand-env.js";
import { applyYaml, defaultsOf, setPath } from "./field.js";
import type { Field } from "./field.js";
import { formatHelp, parseFlags } from "./flags.js";
import { errorAt, parseYamlSource } from "./yaml-source.js";

/** What the command line asks for: run with a config, or print something and exit. */
export type LoadResult<T = Config> =
  | {
      readonly kind: "run";
      readonly config: T;
      /** The config file's text as parsed (after env expansion); absent without -config.file. */
      readonly rawYamlText?: string;
      /** Arguments after the flags; Phlare takes none, callers may reject them. */
      readonly positional: readonly string[];
    }
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "version" }
  | { readonly kind: "modules" };

/** Reads a config file as text, with an error naming the file. */
function readConfigFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(`read config file ${file}: ${reason}`, undefined, { cause: err });
  }
}

/**
 * Overlays YAML text on a value tree with Phlare's strict rules; errors are ConfigError
 * starting "<file>:<line>:<col>:".
 */
export function applyYamlText(target: object, text: string, file: string, fields: readonly Field[]): void {
  const source = parseYamlSource(text, file);
  try {
    applyYaml(target, source.value, fields, true);
  } catch (err) {
    errorAt(source, err);
  }
}

/**
 * Like applyYamlText for the root config: the structured sections (scrape_configs) are taken out,
 * checked and returned as written; everything else goes through the field table.
 */
export function applyRootYamlText(target: object, text: string, file: string): Map<string, unknown> {
  const source = parseYamlSource(text, file);
  const sections = new Map<string, unknown>();
  try {
    let value = source.value;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const rest: Record<string, unknown> = { ...value };
      for (const section of yamlSections) {
        if (!Object.hasOwn(rest, section.key)) continue;
        const raw = rest[section.key];
        delete rest[section.key];
        section.check(raw, section.key);
        sections.set(section.key, raw ?? []);
      }
      value = rest;
    }
    applyYaml(target, value, allFields, true);
  } catch (err) {
    errorAt(source, err);
  }
  return sections;
}

/**
 * Parses `argv` (without the program name) into a config. Like Phlare's two passes, the whole
 * command line is checked first (so a bad flag fails before the file is read) and -config.file /
 * -config.expand-env pick the file; then the file is applied over the defaults and the flags over
 * the file. -h, -help-all, -version and -modules return without reading the file.
 * Throws FlagError for a bad command line and ConfigError for a bad file.
 */
export function loadConfig<T = Config>(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  fields: readonly Field[] = allFields,
): LoadResult<T> {
  const parsed = parseFlags(argv, fields);
  if (parsed.kind === "help") return { kind: "help", text: formatHelp(fields, false) };
  const { binary } = parsed;
  if (binary.helpAll) return { kind: "help", text: formatHelp(fields, true) };
  if (binary.version) return { kind: "version" };
  if (binary.modules) return { kind: "modules" };

  const tree = defaultsOf(fields);
  const root = fields === allFields;
  let rawYamlText: string | undefined;
  let sections = new Map<string, unknown>();
  if (binary.configFile !== "") {
    let text = readConfigFile(binary.configFile);
    if (binary.expandEnv) text = expandEnv(text, env);
    if (root) sections = applyRootYamlText(tree, text, binary.configFile);
    else applyYamlText(tree, text, binary.configFile, fields);
    rawYamlText = text;
  }
  for (const { field, value } of parsed.assignments) setPath(tree, field.yaml, value);
  // The tree holds exactly `fields` (plus the structured sections for the root config); asConfig states why that makes a Config.
  const config = (root ? asConfig(withYamlSections(tree, sections)) : tree) as T;
  return rawYamlText === undefined
    ? { kind: "run", config, positional: parsed.positional }
    : { kind: "run", config, rawYamlText, positional: parsed.positional };
}
