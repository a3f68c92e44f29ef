/**
 * The few error classes every component throws. Only src/server/ turns them into
 * connect codes and HTTP statuses.
 */

/** Why a request or profile was rejected; also the `reason` label of the discarded-profiles metrics. */
export type InvalidReason =
  | "invalid_labels"
  | "missing_labels"
  | "out_of_order"
  | "max_label_names_per_series"
  | "label_name_too_long"
  | "label_value_too_long"
  | "duplicate_label_names"
  | "invalid_profile"
  | "invalid_query"
  | "invalid_request"
  | "invalid_tenant"
  | "query_limit";

/** Why a limit stopped a request. */
export type LimitReason = "rate_limited" | "series_limit" | "body_too_large" | "too_many_requests";

/** The request is malformed or breaks a validation rule (connect invalid_argument, HTTP 400). */
export class InvalidArgumentError extends Error {
  override readonly name = "InvalidArgumentError";
  constructor(
    readonly reason: InvalidReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A per-tenant limit was hit (connect resource_exhausted, HTTP 429; 413 for body size). */
export class LimitExceededError extends Error {
  override readonly name = "LimitExceededError";
  constructor(
    readonly reason: LimitReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** No or a bad tenant on a request that needs one (connect unauthenticated, HTTP 401). */
export class UnauthenticatedError extends Error {
  override readonly name = "UnauthenticatedError";
}

/** The thing asked for does not exist (connect not_found, HTTP 404). */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
}

/** A feature of the API that this server does not serve (connect unimplemented). */
export class UnimplementedError extends Error {
  override readonly name = "UnimplementedError";
}

/** Stored bytes are not what their writer wrote; carries where corruption starts. */
export class CorruptionError extends Error {
  override readonly name = "CorruptionError";
  constructor(
    readonly file: string,
    readonly offset: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${file} at byte ${offset}: ${message}`, options);
  }
}

/** A bad command line (exit code 2); the message is Go's `flag` package wording, e.g. `flag provided but not defined: -foo`. */
export class FlagError extends Error {
  override readonly name = "FlagError";
}

/** A config file or runtime-config file (exit code 2) that cannot be read, parsed or validated. */
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
