/**
 * Decodes pushed profiles on worker threads so that parsing a large profile does
 * not stall the event loop (every other request waits while the main thread is
 * busy). Small profiles are decoded inline: a round trip to a worker costs more
 * than decoding them.
 */
import { availableParallelism } from "node:os";
import { InvalidArgumentError, LimitExceededError } from "../model/errors.js";
import type { InvalidReason, LimitReason } from "../model/errors.js";
import { WorkerPool } from "../server/worker-pool.js";
import type { WorkerError } from "../server/worker-pool.js";
import { decodeForHead } from "./decode-worker.js";
import type { DecodeRequest, DecodeResponse } from "./decode-worker.js";

/** Options of a decode pool. */
export interface DecodePoolOptions {
  /** Worker threads; 0 decodes everything inline. */
  workers: number;
  /** Profiles smaller than this (as sent, compressed or not) are decoded inline. */
  inlineBelowBytes: number;
  /** Largest decompressed profile. */
  maxBytes: number;
}

/** Default options: one worker per spare core (at most 4), inline below 64 KiB. */
export function defaultDecodePoolOptions(maxBytes: number): DecodePoolOptions {
  return { workers: Math.max(1, Math.min(4, availableParallelism() - 1)), inlineBelowBytes: 64 * 1024, maxBytes };
}

/** A pool of decode workers, started lazily on the first large profile. */
export class DecodePool {
  private readonly pool: WorkerPool<DecodeRequest, DecodeResponse> | undefined;
  private closed = false;

  constructor(private readonly options: DecodePoolOptions) {
    this.pool =
      options.workers > 0
        ? new WorkerPool({ module: new URL("./decode-worker.ts", import.meta.url), workers: options.workers, name: "profile decode pool", reviveError })
        : undefined;
  }

  /** The decoded, normalized profile and its decompressed size. */
  async decode(bytes: Uint8Array, nowNanos: bigint): Promise<DecodeResponse> {
    if (!this.pool || bytes.byteLength < this.options.inlineBelowBytes || this.closed) {
      return decodeForHead(bytes, nowNanos, this.options.maxBytes);
    }
    // A copy the worker can own: the input is usually a view into the request body, and
    // Buffer#slice would be a view too (transferring it would detach the caller's memory).
    const req: DecodeRequest = { bytes: new Uint8Array(bytes), nowNanos, maxBytes: this.options.maxBytes };
    return this.pool.run(req, [req.bytes.buffer as ArrayBuffer]);
  }

  /** Stops the workers; later calls decode inline. */
  async close(): Promise<void> {
    this.closed = true;
    await this.pool?.close();
  }
}

function reviveError(e: WorkerError): Error {
  if (e.name === "InvalidArgumentError") return new InvalidArgumentError(e.reason as InvalidReason, e.message);
  if (e.name === "LimitExceededError") return new LimitExceededError(e.reason as LimitReason, e.message);
  return new Error(e.message);
}
