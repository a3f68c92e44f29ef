/**
 * Decodes pushed profiles on worker threads so that parsing a large profile does
 * not stall the event loop (every other request waits while the main thread is
 * busy). Small profiles are decoded inline: a round trip to a worker costs more
 * than decoding them.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { InvalidArgumentError, LimitExceededError } from "../model/errors.js";
import type { InvalidReason, LimitReason } from "../model/errors.js";
import type { FlatProfile } from "../model/pprof/flat-profile.js";
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

/** Worker bootstrap: the worker runs TypeScript through tsx's loader, like the main thread. */
const WORKER_BOOT = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL("./decode-worker.ts", import.meta.url).href)}); });`;

interface Pending {
  resolve: (r: { profile: FlatProfile; rawBytes: number }) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Pending>;
}

/** A pool of decode workers, started lazily on the first large profile. */
export class DecodePool {
  private slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: DecodePoolOptions) {}

  /** The decoded, normalized profile and its decompressed size. */
  async decode(bytes: Uint8Array, nowNanos: bigint): Promise<{ profile: FlatProfile; rawBytes: number }> {
    if (this.options.workers === 0 || bytes.byteLength < this.options.inlineBelowBytes || this.closed) {
      return decodeForHead(bytes, nowNanos, this.options.maxBytes);
    }
    const slot = this.leastBusy();
    const id = this.nextId++;
    // A copy the worker can own: the input is usually a view into the request body, and
    // Buffer#slice would be a view too (transferring it would detach the caller's memory).
    const req: DecodeRequest = { id, bytes: new Uint8Array(bytes), nowNanos, maxBytes: this.options.maxBytes };
    return new Promise((resolve, reject) => {
      slot.inFlight.set(id, { resolve, reject });
      slot.worker.postMessage(req, [req.bytes.buffer as ArrayBuffer]);
    });
  }

  /** Stops the workers; later calls decode inline. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private leastBusy(): Slot {
    while (this.slots.length < this.options.workers) this.slots.push(this.spawn());
    let best = this.slots[0]!;
    for (const s of this.slots) if (s.inFlight.size < best.inFlight.size) best = s;
    return best;
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_BOOT, { eval: true });
    worker.unref();
    const slot: Slot = { worker, inFlight: new Map() };
    worker.on("message", (res: DecodeResponse) => {
      const p = slot.inFlight.get(res.id);
      if (!p) return;
      slot.inFlight.delete(res.id);
      if ("profile" in res) p.resolve({ profile: res.profile, rawBytes: res.rawBytes });
      else p.reject(toError(res.error));
    });
    const fail = (err: Error): void => {
      for (const p of slot.inFlight.values()) p.reject(new Error("profile decode worker stopped", { cause: err }));
      slot.inFlight.clear();
      this.slots = this.slots.filter((s) => s !== slot);
    };
    worker.on("error", fail);
    worker.on("exit", (code) => {
      if (slot.inFlight.size > 0) fail(new Error(`exit code ${code}`));
      this.slots = this.slots.filter((s) => s !== slot);
    });
    return slot;
  }
}

function toError(e: { kind: "invalid" | "limit" | "other"; reason: string; message: string }): Error {
  if (e.kind === "invalid") return new InvalidArgumentError(e.reason as InvalidReason, e.message);
  if (e.kind === "limit") return new LimitExceededError(e.reason as LimitReason, e.message);
  return new Error(e.message);
}
