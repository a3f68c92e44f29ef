/**
 * Retries of object-storage requests: bounded attempts, exponential backoff with jitter. Only transient
 * failures are retried: 5xx, 429, 408, connection errors and timeouts; other 4xx fail at once.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../server/logger.js";

/** How often and how patiently a request is retried. */
export interface RetryOptions {
  /** Attempts in total, the first one included (1 = no retry). */
  maxAttempts: number;
  /** Backoff before the first retry; it doubles on each further retry. */
  minBackoffMs: number;
  /** Upper bound of one backoff. */
  maxBackoffMs: number;
}

/** Ten attempts, 100 ms doubling up to 10 s: rides out about half a minute of outage. */
export function defaultRetryOptions(): RetryOptions {
  return { maxAttempts: 10, minBackoffMs: 100, maxBackoffMs: 10_000 };
}

/**
 * Backoff before retry number `retry` (1-based): half of the capped exponential delay plus a random
 * part of the other half, so clients that failed together do not retry together.
 */
export function backoffMs(retry: number, options: RetryOptions, random: () => number = Math.random): number {
  const exp = Math.min(options.maxBackoffMs, options.minBackoffMs * 2 ** Math.max(0, retry - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** Whether an HTTP status is worth retrying: server errors, 429 Too Many Requests, 408 Request Timeout. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

const CONNECTION_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ERR_STREAM_PREMATURE_CLOSE",
]);

const TIMEOUT_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);

function field(err: unknown, name: string): unknown {
  return typeof err === "object" && err !== null ? (err as Record<string, unknown>)[name] : undefined;
}

/** Whether the error, or any error in its `cause` chain, is a connection failure or a timeout. */
export function isConnectionError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; e = field(e, "cause"), depth++) {
    const code = field(e, "code");
    if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
    const name = field(e, "name");
    if (typeof name === "string" && TIMEOUT_NAMES.has(name)) return true;
    const errno = field(e, "errno");
    if (typeof errno === "string" && CONNECTION_CODES.has(errno)) return true;
  }
  return false;
}

/** Runs requests under one retry policy. */
export interface Retrier {
  /** Runs `fn`, retrying it while `isTransient` says its failure is transient and attempts remain. */
  run<T>(what: string, fn: () => Promise<T>): Promise<T>;
}

/** Settings of a Retrier beyond the policy. */
export interface RetrierOptions extends RetryOptions {
  /** Classifies a failure of one attempt. */
  isTransient: (err: unknown) => boolean;
  logger?: Logger;
  /** Waits between attempts; replaced in tests. */
  sleep?: (ms: number) => Promise<unknown>;
}

/** Creates a Retrier; `maxAttempts` below 1 is treated as 1. */
export function createRetrier(options: RetrierOptions): Retrier {
  const wait = options.sleep ?? ((ms: number) => sleep(ms));
  const attempts = Math.max(1, Math.floor(options.maxAttempts));
  return {
    async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await fn();
        } catch (err) {
          if (attempt >= attempts || !options.isTransient(err)) throw err;
          const delayMs = backoffMs(attempt, options);
          options.logger?.warn("object storage request failed, retrying", {
            op: what,
            attempt,
            max_attempts: attempts,
            delay_ms: delayMs,
            err: errorText(err),
          });
          await wait(delayMs);
        }
      }
    },
  };
}

/** A short description of an error for logs: its message, or its name when the message is empty. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message !== "" ? err.message : err.name;
  return String(err);
}
