/**
 * The KV store interface the ring lives in: one value per key (the ring descriptor, see desc.ts),
 * read, changed by compare-and-swap, and watched. Two implementations: in-memory (one process)
 * and etcd (many processes).
 */
import type { RingDesc } from "./desc.js";

/**
 * A CAS update: gets the current value (undefined when the key does not exist) and returns the new
 * value, or undefined to leave the key as it is. It may be called several times when writers race,
 * so it must not have side effects that cannot be repeated; it may throw to abort the CAS.
 */
export type CasUpdate = (old: RingDesc | undefined) => RingDesc | undefined;

/** A key/value store of ring descriptors. */
export interface KV {
  /** The current value, or undefined when the key does not exist. */
  get(key: string, signal?: AbortSignal): Promise<RingDesc | undefined>;
  /**
   * Reads, applies `update` and writes back only if nobody wrote in between, retrying on conflict.
   * Values passed to `update` are copies: it may change and return them.
   */
  cas(key: string, update: CasUpdate, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `onValue` with the key's value now and after every change, until `signal` aborts.
   * While the store is unreachable no calls are made (callers keep the last value they saw); calls
   * resume once it is back. Resolves when the watch has stopped. `onValue` must not throw: it
   * may run inside another client's write.
   */
  watchKey(key: string, signal: AbortSignal, onValue: (value: RingDesc | undefined) => void): Promise<void>;
  /** Removes the key; a missing key is not an error. */
  delete(key: string, signal?: AbortSignal): Promise<void>;
  /** Releases connections; watches end. */
  close(): Promise<void>;
}

/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
export function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The signal's reason as an Error (an AbortError when it has none). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error("aborted");
  err.name = "AbortError";
  return err;
}
