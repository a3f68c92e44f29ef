/**
 * Start-up errors of the config layer. The CLI prints their message and exits with code 2,
 * as Go's flag package does on a bad command line.
 */

/** A bad command line; the message is Go's `flag` package wording, e.g. `flag provided but not defined: -foo`. */
export class FlagError extends Error {
  override readonly name = "FlagError";
}

/** A config file or runtime-config file that cannot be read, parsed or validated. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    message: string,
    /** YAML path of the offending key ("server.http_listen_port"), when one is known. */
    readonly path?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
