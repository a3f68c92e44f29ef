/** Config tables, parsing (flags, YAML, env), runtime overrides and YAML dumps. */
export { allFields, asConfig, defaultConfig, targetField } from "./config.js";
export type { Config } from "./config.js";
export { configDiffYaml, configYaml, defaultsYaml, overridesYaml } from "./dump.js";
export {
  days,
  formatGoDuration,
  formatModelDuration,
  hours,
  minutes,
  parseGoDuration,
  parseModelDuration,
  seconds,
} from "./duration.js";
export { ConfigError, FlagError } from "../model/errors.js";
export { expandEnv, expandWith } from "./expand-env.js";
export {
  applyFlag,
  applyYaml,
  defaultsOf,
  dumpValue,
  formatValue,
  getPath,
  parseFlagValue,
  setPath,
  yamlValue,
} from "./field.js";
export type { ConfigLeaf, ConfigTree, Field, FieldKind, FieldOf } from "./field.js";
export { binaryFlags, defaultBinaryOptions, formatFlagHelp, formatHelp, parseFlags } from "./flags.js";
export type { BinaryOptions, FlagAssignment, FlagParse } from "./flags.js";
export { defaultLimits, limitsFields } from "./limits.js";
export type { Limits, LimitsKey } from "./limits.js";
export { applyYamlText, loadConfig } from "./load.js";
export type { LoadResult } from "./load.js";
export { parseRuntimeConfig, RuntimeConfigWatcher, runtimeConfigFields } from "./runtime-config.js";
export type { OverridesListener, RuntimeConfigOptions, TenantOverrides } from "./runtime-config.js";
