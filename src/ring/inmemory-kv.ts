/**
 * The in-memory KV: one process (monolithic mode, tests). Values are kept encoded, as etcd keeps
 * them, so that no caller can change the stored ring through an object it was handed, and so
 * that the JSON format is exercised in every mode.
 */
import { EventEmitter } from "node:events";
import { decodeRingDesc, encodeRingDesc } from "./desc.js";
import type { RingDesc } from "./desc.js";
import { abortReason } from "./kv.js";
import type { CasUpdate, KV } from "./kv.js";

/** Creates an empty in-memory KV; every component of the process shares the one instance. */
export function createInMemoryKV(): KV {
  const values = new Map<string, string>();
  const changes = new EventEmitter();
  // One listener per watch; a ring, a lifecycler and a status page per ring add up past the default 10.
  changes.setMaxListeners(0);
  const closing = new AbortController();

  const read = (key: string): RingDesc | undefined => {
    const text = values.get(key);
    return text === undefined ? undefined : decodeRingDesc(text);
  };
  const check = (signal?: AbortSignal): void => {
    if (closing.signal.aborted) throw new Error("in-memory KV is closed");
    if (signal?.aborted) throw abortReason(signal);
  };

  return {
    async get(key, signal) {
      check(signal);
      return read(key);
    },

    async cas(key: string, update: CasUpdate, signal?: AbortSignal) {
      check(signal);
      // Read, update and write run without an await in between, so no other writer can interleave.
      const next = update(read(key));
      if (next === undefined) return;
      const text = encodeRingDesc(next);
      if (values.get(key) === text) return;
      values.set(key, text);
      changes.emit(key);
    },

    async watchKey(key, signal, onValue) {
      if (closing.signal.aborted || signal.aborted) return;
      const notify = (): void => onValue(read(key));
      changes.on(key, notify);
      try {
        notify();
        await new Promise<void>((resolve) => {
          const done = (): void => {
            signal.removeEventListener("abort", done);
            closing.signal.removeEventListener("abort", done);
            resolve();
          };
          signal.addEventListener("abort", done, { once: true });
          closing.signal.addEventListener("abort", done, { once: true });
        });
      } finally {
        changes.off(key, notify);
      }
    },

    async delete(key, signal) {
      check(signal);
      if (values.delete(key)) changes.emit(key);
    },

    async close() {
      closing.abort();
    },
  };
}
