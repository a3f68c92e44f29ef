/**
 * Structured logs, logfmt by default or JSON (`-log.format`), filtered by
 * `-log.level`. Small on purpose: one line per event, key/value pairs.
 */

/** Log levels in increasing severity. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** A structured logger. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line. */
  with(fields: Record<string, unknown>): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Creates a logger writing to `write` (stderr by default). */
export function createLogger(
  level: LogLevel,
  format: "logfmt" | "json",
  write: (line: string) => void = (l) => process.stderr.write(l),
  base: Record<string, unknown> = {},
): Logger {
  const min = RANK[level];
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (RANK[lvl] < min) return;
    const all: Record<string, unknown> = { ts: new Date().toISOString(), level: lvl, ...base, msg, ...fields };
    write(format === "json" ? `${JSON.stringify(all, jsonValue)}\n` : `${logfmt(all)}\n`);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    with: (fields) => createLogger(level, format, write, { ...base, ...fields }),
  };
}

/** A logger that drops everything (tests). */
export function nopLogger(): Logger {
  const l: Logger = { debug() {}, info() {}, warn() {}, error() {}, with: () => l };
  return l;
}

function jsonValue(_key: string, v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Error) return v.message;
  return v;
}

function logfmt(fields: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    let s = v instanceof Error ? v.message : typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v, jsonValue) : String(v);
    if (s === "" || /[\s"=]/.test(s)) s = JSON.stringify(s);
    parts.push(`${k}=${s}`);
  }
  return parts.join(" ");
}
