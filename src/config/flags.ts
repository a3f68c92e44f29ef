/**
 * A command-line parser with the rules of Go's `flag` package, over the config field table,
 * plus the binary's own flags (-config.file, -modules, -version, ...) and Go-style -help output.
 */
import { FlagError } from "../model/errors.js";
import { flagValue, formatValue, setPath } from "./field.js";
import type { ConfigLeaf, Field } from "./field.js";

/** Flags of the binary itself; they steer start-up and are not part of the config tree. */
export interface BinaryOptions {
  /** Path of the YAML config file; "" for none. */
  configFile: string;
  /** Expand ${VAR} in the config file before parsing it. */
  expandEnv: boolean;
  /** Print the module names and exit. */
  modules: boolean;
  /** Print the version and exit. */
  version: boolean;
  /** Print help including hidden flags and exit. */
  helpAll: boolean;
}

/** The binary's flags as table rows; `yaml` here is the property of BinaryOptions they set. */
export const binaryFlags: readonly Field[] = [
  { flag: "config.file", yaml: "configFile", kind: "string", default: "", help: "Configuration file to load." },
  {
    flag: "config.expand-env",
    yaml: "expandEnv",
    kind: "bool",
    default: false,
    help: "Expands ${var} in config according to the values of the environment variables.",
  },
  { flag: "modules", yaml: "modules", kind: "bool", default: false, help: "List available values that can be used as target." },
  { flag: "version", yaml: "version", kind: "bool", default: false, help: "Show the version of phlare and exit" },
  {
    flag: "help-all",
    yaml: "helpAll",
    kind: "bool",
    default: false,
    help: "Print help, also including advanced and experimental parameters.",
  },
];

/** Fresh BinaryOptions holding the defaults of binaryFlags. */
export function defaultBinaryOptions(): BinaryOptions {
  return { configFile: "", expandEnv: false, modules: false, version: false, helpAll: false };
}

/** One flag given on the command line, already parsed and checked. */
export interface FlagAssignment {
  readonly field: Field;
  readonly value: ConfigLeaf;
}

/** Outcome of parsing a command line. */
export type FlagParse =
  | { readonly kind: "help" }
  | {
      readonly kind: "flags";
      readonly binary: BinaryOptions;
      /** Config flags in command-line order; a later one for the same flag wins. */
      readonly assignments: readonly FlagAssignment[];
      /** Arguments after the first non-flag argument or after "--". */
      readonly positional: readonly string[];
    };

// Go answers these with usage when no flag of that name is defined.
const HELP_NAMES = new Set(["h", "help"]);

function flagIndex(fields: readonly Field[]): Map<string, Field> {
  const index = new Map<string, Field>();
  for (const field of [...binaryFlags, ...fields]) {
    if (index.has(field.flag) || HELP_NAMES.has(field.flag)) throw new Error(`flag -${field.flag} is defined twice`);
    index.set(field.flag, field);
  }
  return index;
}

/**
 * Parses `argv` (without the program name) as Go's flag.FlagSet.Parse does: `-name=value`,
 * `--name=value`, `-name value` for non-bools, `-name` for bools, parsing stops at "--" or at the
 * first non-flag argument. Throws FlagError with Go's exact messages.
 */
export function parseFlags(argv: readonly string[], fields: readonly Field[]): FlagParse {
  const index = flagIndex(fields);
  const binary = defaultBinaryOptions();
  const assignments: FlagAssignment[] = [];
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] as string;
    if (arg.length < 2 || arg[0] !== "-") break;
    let minuses = 1;
    if (arg[1] === "-") {
      minuses = 2;
      if (arg.length === 2) {
        i++;
        break;
      }
    }
    let name = arg.slice(minuses);
    if (name === "" || name[0] === "-" || name[0] === "=") throw new FlagError(`bad flag syntax: ${arg}`);
    i++;
    let value: string | undefined;
    const eq = name.indexOf("=", 1);
    if (eq > 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const field = index.get(name);
    if (field === undefined) {
      if (HELP_NAMES.has(name)) return { kind: "help" };
      throw new FlagError(`flag provided but not defined: -${name}`);
    }
    if (field.kind !== "bool" && value === undefined) {
      if (i >= argv.length) throw new FlagError(`flag needs an argument: -${name}`);
      value = argv[i] as string;
      i++;
    }
    const parsed = flagValue(field, value ?? "true");
    if (binaryFlags.includes(field)) setPath(binary, field.yaml, parsed);
    else assignments.push({ field, value: parsed });
  }
  return { kind: "flags", binary, assignments, positional: argv.slice(i) };
}

/** Go's %q for the ASCII text flag defaults hold. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

function kindWord(field: Field): string {
  if (field.kind === "bool") return "";
  if (field.customValue === true) return "value";
  switch (field.kind) {
    case "string":
    case "int":
    case "float":
    case "duration":
      return field.kind;
    default:
      return "value";
  }
}

function isZeroDefault(field: Field, text: string): boolean {
  switch (field.kind) {
    case "string":
    case "strings":
    case "csv":
      return text === "";
    case "int":
    case "float":
      return text === "0";
    case "bool":
      return text === "false";
    case "duration":
    case "model-duration":
      return text === "0s";
  }
}

/** One flag as Go's flag.PrintDefaults writes it, ending in a newline. */
export function formatFlagHelp(field: Field): string {
  let usage = field.help;
  let word = kindWord(field);
  // Go's UnquoteUsage: a `back-quoted` word in the help text names the value.
  const quoted = /`([^`]*)`/.exec(usage);
  if (quoted !== null) {
    word = quoted[1] as string;
    usage = usage.replace(/`([^`]*)`/, "$1");
  }
  let line = `  -${field.flag}`;
  if (word !== "") line += ` ${word}`;
  line += line.length <= 4 ? "\t" : "\n    \t";
  line += usage.replaceAll("\n", "\n    \t");
  const text = formatValue(field, field.default);
  if (!isZeroDefault(field, text)) {
    line += field.kind === "string" && field.customValue !== true ? ` (default ${goQuote(text)})` : ` (default ${text})`;
  }
  return `${line}\n`;
}

// -h and -help are answered by the parser itself, but listed like the bool flags Phlare registers.
const helpFlags: readonly Field[] = [
  { flag: "h", yaml: "h", kind: "bool", default: false, help: "Print basic help." },
  { flag: "help", yaml: "help", kind: "bool", default: false, help: "Print basic help." },
];

/** The -help text: "Usage of phlare:" then every flag sorted by name; hidden ones only when `all`. */
export function formatHelp(fields: readonly Field[], all: boolean): string {
  const listed = [...binaryFlags, ...helpFlags, ...fields]
    .filter((f) => all || f.hidden !== true)
    .sort((a, b) => (a.flag < b.flag ? -1 : a.flag > b.flag ? 1 : 0));
  return `Usage of phlare:\n${listed.map(formatFlagHelp).join("")}`;
}
