/**
 * The `phlare` command: parse flags and config, then print help, version or modules, or start
 * the server. Returns the exit code instead of exiting so tests and bin/phlare share it.
 */
import type { Config } from "../config/config.js";
import { ConfigError, FlagError } from "../model/errors.js";
import { loadConfig } from "../config/load.js";
import { versionText } from "./version.js";
import type { VersionInfo } from "./version.js";

/** What main needs from the rest of the program. */
export interface MainDeps {
  /** The -modules listing. */
  modulesText(): string;
  /** Runs the selected modules until shutdown. */
  start(config: Config): Promise<void>;
  version: VersionInfo;
  /** Environment for -config.expand-env; process.env when absent. */
  env?: NodeJS.ProcessEnv;
  /** Where normal output goes; process.stdout when absent. */
  stdout?: (text: string) => void;
  /** Where errors go; process.stderr when absent. */
  stderr?: (text: string) => void;
}

// Go's flag package exits with 2 on a bad command line; a bad config file is the same kind of mistake.
const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

function withNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}

/**
 * Runs the command for `argv` (the arguments after the program name) and returns its exit code:
 * 0 after help/version/modules or a clean stop, 2 for a bad flag or config, 1 when start-up fails otherwise.
 */
export async function main(argv: string[], deps: MainDeps): Promise<number> {
  const out = deps.stdout ?? ((text: string) => void process.stdout.write(text));
  const err = deps.stderr ?? ((text: string) => void process.stderr.write(text));
  try {
    const result = loadConfig(argv, deps.env ?? process.env);
    switch (result.kind) {
      case "help":
        out(result.text);
        return 0;
      case "version":
        out(versionText(deps.version));
        return 0;
      case "modules":
        out(withNewline(deps.modulesText()));
        return 0;
      case "run":
        await deps.start(result.config);
        return 0;
    }
  } catch (e) {
    if (e instanceof FlagError || e instanceof ConfigError) {
      err(withNewline(e.message));
      return EXIT_USAGE;
    }
    err(withNewline(e instanceof Error ? `error: ${e.message}` : `error: ${String(e)}`));
    return EXIT_FAILURE;
  }
}
