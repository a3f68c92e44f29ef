/** Runs an async query keyed by a string: a new key aborts the previous run and starts afresh. */
import { useEffect, useRef, useState } from "react";

/** The state of one query. */
export interface AsyncState<T> {
  loading: boolean;
  error: Error | null;
  data: T | undefined;
}

const IDLE = { loading: false, error: null, data: undefined };

/**
 * Runs `fn` whenever `key` changes (null: run nothing). Data of an older key is dropped
 * at once, so a view never shows the answer to a question it no longer asks.
 */
export function useAsync<T>(key: string | null, fn: (signal: AbortSignal) => Promise<T>): AsyncState<T> {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const [state, setState] = useState<AsyncState<T> & { key: string | null }>({ ...IDLE, key: null });
  useEffect(() => {
    if (key === null) {
      setState({ ...IDLE, key });
      return undefined;
    }
    const ctl = new AbortController();
    setState({ loading: true, error: null, data: undefined, key });
    fnRef.current(ctl.signal).then(
      (data) => {
        if (!ctl.signal.aborted) setState({ loading: false, error: null, data, key });
      },
      (err: unknown) => {
        if (!ctl.signal.aborted) setState({ loading: false, error: err instanceof Error ? err : new Error(String(err)), data: undefined, key });
      },
    );
    return () => ctl.abort();
  }, [key]);
  // Between a key change and the effect, report loading rather than the old key's answer.
  if (state.key !== key) return key === null ? IDLE : { loading: true, error: null, data: undefined };
  return state;
}
