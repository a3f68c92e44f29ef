/**
 * Picks the profile type from ProfileTypes over the page's range. With no type chosen yet
 * it chooses one (CPU time first, as Pyroscope does), so a bare URL shows data at once.
 */
import { useEffect } from "react";
import type { ReactNode } from "react";
import { useApi } from "../api/context.ts";
import type { ProfileType } from "../api/client.ts";
import { useAsync } from "../hooks/use-async.ts";
import { rangeKey } from "../hooks/use-range.ts";
import type { TimeRangeMs } from "../lib/time-range.ts";
import { ErrorMessage } from "./status.tsx";

/** The type a page starts with: CPU time if present, else the first by name. */
export function preferredType(types: readonly ProfileType[]): string | undefined {
  const ids = types.map((t) => t.ID).sort();
  return ids.find((id) => id.startsWith("process_cpu:cpu:")) ?? ids[0];
}

/** Props of ProfileTypeSelect. */
export interface ProfileTypeSelectProps {
  value: string;
  range: TimeRangeMs | null;
  refresh: number;
  /** `initial` is true when the select chose a default rather than the user. */
  onChange(id: string, initial: boolean): void;
}

/** The picker. */
export function ProfileTypeSelect(p: ProfileTypeSelectProps): ReactNode {
  const api = useApi();
  const key = p.range ? `${rangeKey(p.range)}-${p.refresh}` : null;
  const st = useAsync(key, (signal) => api.profileTypes(p.range!, signal));
  const types = st.data ?? [];

  useEffect(() => {
    if (p.value !== "" || !st.data) return;
    const id = preferredType(st.data);
    if (id) p.onChange(id, true);
  }, [st.data, p.value]);

  const ids = types.map((t) => t.ID).sort();
  // Keep the current type listed even when the range holds none of it.
  if (p.value && !ids.includes(p.value)) ids.unshift(p.value);
  return (
    <label className="field">
      <span className="field-label">Profile type</span>
      <select
        className="input"
        data-testid="profile-type-select"
        value={p.value}
        disabled={st.loading && ids.length === 0}
        onChange={(e) => p.onChange(e.target.value, false)}
      >
        {ids.length === 0 && <option value="">{st.loading ? "Loading…" : "No profile types in this range"}</option>}
        {ids.map((id) => (
          <option key={id} value={id}>
            {id}
          </option>
        ))}
      </select>
      {st.error && <ErrorMessage testId="profile-types-error" error={st.error} />}
    </label>
  );
}
