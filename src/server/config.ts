/**
 * Config of the HTTP server, logging, the API base URL and multitenancy (YAML `server:`, `api:`,
 * `multitenancy_enabled`). Keys, flags and defaults are Phlare's (weaveworks/dskit server config).
 */
import { minutes, seconds } from "../config/duration.js";
import type { Field } from "../config/field.js";

/** Log severities `-log.level` accepts. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Log line formats `-log.format` accepts. */
export type LogFormat = "logfmt" | "json";

const LOG_LEVELS: readonly string[] = ["debug", "info", "warn", "error"];
const LOG_FORMATS: readonly string[] = ["logfmt", "json"];

/** YAML `server:`; timeouts are milliseconds. */
export interface ServerConfig {
  http_listen_address: string;
  http_listen_port: number;
  /** Accepted for compatibility; gRPC is served on the HTTP port, nothing listens here. */
  grpc_listen_port: number;
  http_server_read_timeout: number;
  http_server_write_timeout: number;
  http_server_idle_timeout: number;
  graceful_shutdown_timeout: number;
  http_path_prefix: string;
  register_instrumentation: boolean;
  log_level: LogLevel;
  log_format: LogFormat;
}

/** YAML `api:`; the hyphenated key is Phlare's. */
export interface ApiConfig {
  "base-url": string;
}

/** Rows for `server.*`, `api.base-url` and `multitenancy_enabled`. */
export const serverFields: readonly Field[] = [
  {
    flag: "api.base-url",
    yaml: "api.base-url",
    kind: "string",
    default: "",
    help: "base URL for when the server is behind a reverse proxy with a different path",
  },
  {
    flag: "server.http-listen-address",
    yaml: "server.http_listen_address",
    kind: "string",
    default: "",
    help: "HTTP server listen address.",
  },
  {
    flag: "server.http-listen-port",
    yaml: "server.http_listen_port",
    kind: "int",
    default: 4100,
    help: "HTTP server listen port.",
  },
  {
    flag: "server.grpc-listen-port",
    yaml: "server.grpc_listen_port",
    kind: "int",
    default: 9095,
    hidden: true,
    help: "gRPC server listen port. Accepted for compatibility: gRPC is served on the HTTP port.",
  },
  {
    flag: "server.http-read-timeout",
    yaml: "server.http_server_read_timeout",
    kind: "duration",
    default: seconds(30),
    help: "Read timeout for HTTP server",
  },
  {
    flag: "server.http-write-timeout",
    yaml: "server.http_server_write_timeout",
    kind: "duration",
    default: seconds(30),
    help: "Write timeout for HTTP server",
  },
  {
    flag: "server.http-idle-timeout",
    yaml: "server.http_server_idle_timeout",
    kind: "duration",
    default: minutes(2),
    help: "Idle timeout for HTTP server",
  },
  {
    flag: "server.graceful-shutdown-timeout",
    yaml: "server.graceful_shutdown_timeout",
    kind: "duration",
    default: seconds(30),
    help: "Timeout for graceful shutdowns",
  },
  {
    flag: "server.path-prefix",
    yaml: "server.http_path_prefix",
    kind: "string",
    default: "",
    help: "Base path to serve all API routes from (e.g. /v1/)",
  },
  {
    flag: "server.register-instrumentation",
    yaml: "server.register_instrumentation",
    kind: "bool",
    default: true,
    hidden: true,
    help: "Register the instrumentation handlers (/metrics etc).",
  },
  {
    flag: "log.level",
    yaml: "server.log_level",
    kind: "string",
    default: "info",
    customValue: true,
    validate: (v) => (LOG_LEVELS.includes(v) ? undefined : `unrecognized log level ${JSON.stringify(v)}`),
    help: "Only log messages with the given severity or above. Valid levels: [debug, info, warn, error]",
  },
  {
    flag: "log.format",
    yaml: "server.log_format",
    kind: "string",
    default: "logfmt",
    customValue: true,
    validate: (v) => (LOG_FORMATS.includes(v) ? undefined : `unrecognized log format ${JSON.stringify(v)}`),
    help: "Output log messages in the given format. Valid formats: [logfmt, json]",
  },
  {
    flag: "auth.multitenancy-enabled",
    yaml: "multitenancy_enabled",
    kind: "bool",
    default: false,
    help:
      "When set to true, incoming HTTP requests must specify tenant ID in HTTP X-Scope-OrgId header. " +
      "When set to false, tenant ID anonymous is used instead.",
  },
];
