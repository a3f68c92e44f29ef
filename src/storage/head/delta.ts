/**
 * Server-side delta for cumulative profiles (reference §3.5): Go heap `alloc_*`
 * counters only ever grow, so a stored profile is the difference to the previous
 * one of its series. The first profile of a series only seeds the state, and a
 * decrease (the process restarted) resets it; neither is stored.
 */
import { getLabel, LabelName } from "../../model/labels.js";
import type { Labels } from "../../model/labels.js";

/** Whether profiles of a series with these labels are turned into deltas. */
export function isDeltaSeries(labels: Labels): boolean {
  const d = getLabel(labels, LabelName.Delta);
  if (d === "false") return false;
  if (d === "true") return true;
  if (getLabel(labels, LabelName.MetricName) !== "memory") return false;
  const t = getLabel(labels, LabelName.Type);
  return t === "alloc_objects" || t === "alloc_space";
}

/** The highest cumulative value seen per stacktrace of one series. */
export class DeltaState {
  private readonly highest = new Map<number, number>();
  private seeded = false;

  /**
   * Rewrites values[0..n) (stacktrace ids in `stacks`) in place into deltas.
   * Returns false when the profile must not be stored (first profile or reset).
   */
  apply(stacks: Uint32Array, values: Float64Array, n: number): boolean {
    if (!this.seeded) {
      this.seed(stacks, values, n);
      return false;
    }
    if (this.highest.size === 0) return true;
    // Check for a reset before rewriting anything: a reset re-seeds from the original values.
    for (let i = 0; i < n; i++) {
      const last = this.highest.get(stacks[i]!);
      if (last !== undefined && last > values[i]!) {
        this.seed(stacks, values, n);
        return false;
      }
    }
    for (let i = 0; i < n; i++) {
      const id = stacks[i]!;
      const v = values[i]!;
      const last = this.highest.get(id);
      this.highest.set(id, v);
      if (last !== undefined) values[i] = v - last;
    }
    return true;
  }

  private seed(stacks: Uint32Array, values: Float64Array, n: number): void {
    this.highest.clear();
    for (let i = 0; i < n; i++) this.highest.set(stacks[i]!, (this.highest.get(stacks[i]!) ?? 0) + values[i]!);
    this.seeded = true;
  }
}
