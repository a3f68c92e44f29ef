/**
 * The one place where domain errors become connect codes and HTTP statuses.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import {
  CorruptionError,
  InvalidArgumentError,
  LimitExceededError,
  NotFoundError,
  UnauthenticatedError,
  UnimplementedError,
} from "../model/errors.js";

/** The connect code of an error. */
export function codeOf(err: unknown): Code {
  if (err instanceof ConnectError) return err.code;
  if (err instanceof InvalidArgumentError) return Code.InvalidArgument;
  if (err instanceof LimitExceededError) return Code.ResourceExhausted;
  if (err instanceof UnauthenticatedError) return Code.Unauthenticated;
  if (err instanceof NotFoundError) return Code.NotFound;
  if (err instanceof UnimplementedError) return Code.Unimplemented;
  if (err instanceof CorruptionError) return Code.DataLoss;
  if (err instanceof Error && err.name === "AbortError") return Code.Canceled;
  return Code.Internal;
}

/** Wraps any error as a ConnectError with the right code and the original message. */
export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ConnectError(message, codeOf(err), undefined, undefined, err);
}

/** The HTTP status of an error on a plain (non-RPC) route. */
export function httpStatusOf(err: unknown): number {
  if (err instanceof LimitExceededError && err.reason === "body_too_large") return 413;
  switch (codeOf(err)) {
    case Code.InvalidArgument:
    case Code.OutOfRange:
    case Code.FailedPrecondition:
      return 400;
    case Code.Unauthenticated:
      return 401;
    case Code.PermissionDenied:
      return 403;
    case Code.NotFound:
      return 404;
    case Code.ResourceExhausted:
      return 429;
    case Code.Canceled:
      return 499;
    case Code.Unimplemented:
      return 501;
    case Code.Unavailable:
      return 503;
    case Code.DeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

/** The snake_case name of a connect code, as in error JSON bodies. */
export function codeName(code: Code): string {
  return Code[code].replace(/[A-Z]/g, (c, i: number) => (i === 0 ? c.toLowerCase() : `_${c.toLowerCase()}`));
}
