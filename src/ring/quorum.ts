/**
 * Calling a replication set until a quorum answered, as dskit's DoUntilQuorum without "minimize
 * requests": every member is called at once; the call succeeds as soon as all but `maxErrors` of
 * them succeeded and fails as soon as more than `maxErrors` failed. Either way the calls still
 * running are cancelled through their signal.
 */
import { abortReason } from "./kv.js";
import type { ReplicationSet, RingInstance } from "./ring.js";

/** One member's answer. */
export interface QuorumResult<T> {
  instance: RingInstance;
  result: T;
}

/**
 * Calls `call` for every member of `set` and resolves with the first `instances - maxErrors`
 * answers (in the order they arrived), or rejects with the error that broke the quorum.
 */
export function doUntilQuorum<T>(
  set: ReplicationSet,
  call: (instance: RingInstance, signal: AbortSignal) => Promise<T>,
  signal?: AbortSignal,
): Promise<QuorumResult<T>[]> {
  const needed = set.instances.length - set.maxErrors;
  if (needed <= 0) return Promise.resolve([]);
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  const cancel = new AbortController();
  const callSignal = signal ? AbortSignal.any([signal, cancel.signal]) : cancel.signal;
  return new Promise<QuorumResult<T>[]>((resolve, reject) => {
    const results: QuorumResult<T>[] = [];
    let failed = 0;
    let done = false;
    const finish = (err?: unknown): void => {
      if (done) return;
      done = true;
      signal?.removeEventListener("abort", onAbort);
      const reason = new Error(err === undefined ? "quorum reached" : "quorum failed");
      reason.name = "AbortError";
      cancel.abort(reason);
      if (err === undefined) resolve(results);
      else reject(err);
    };
    const onAbort = (): void => finish(abortReason(signal as AbortSignal));
    signal?.addEventListener("abort", onAbort, { once: true });
    for (const instance of set.instances) {
      let pending: Promise<T>;
      try {
        pending = call(instance, callSignal);
      } catch (err) {
        pending = Promise.reject(err);
      }
      pending.then(
        (result) => {
          if (done) return;
          results.push({ instance, result });
          if (results.length >= needed) finish();
        },
        (err: unknown) => {
          if (done) return;
          failed++;
          if (failed > set.maxErrors) finish(err);
        },
      );
    }
  });
}
