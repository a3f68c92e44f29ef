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

/**
 * The highest cumulative value seen per stacktrace of one series, as two sorted
 * typed arrays: profiles arrive as pairs sorted by stacktrace id, so applying one is
 * a merge join with no per-sample map operation.
 */
export class DeltaState {
  private ids = new Uint32Array(0);
  private values = new Float64Array(0);
  private seeded = false;

  /**
   * Rewrites values[0..n) (stacktrace ids ascending in `stacks`) in place into deltas.
   * Returns false when the profile must not be stored (first profile or reset).
   */
  apply(stacks: Uint32Array, values: Float64Array, n: number): boolean {
    if (!this.seeded) {
      this.seed(stacks, values, n);
      return false;
    }
    const ids = this.ids;
    const last = this.values;
    // A decrease means the process restarted: re-seed from the original values.
    for (let i = 0, j = 0; i < n && j < ids.length; ) {
      if (ids[j]! < stacks[i]!) j++;
      else if (ids[j]! > stacks[i]!) i++;
      else {
        if (last[j]! > values[i]!) {
          this.seed(stacks, values, n);
          return false;
        }
        i++;
        j++;
      }
    }
    const outIds = new Uint32Array(ids.length + n);
    const outValues = new Float64Array(ids.length + n);
    let k = 0;
    let i = 0;
    let j = 0;
    while (i < n || j < ids.length) {
      if (i < n && (j >= ids.length || stacks[i]! < ids[j]!)) {
        outIds[k] = stacks[i]!;
        outValues[k++] = values[i++]!;
      } else if (i >= n || ids[j]! < stacks[i]!) {
        outIds[k] = ids[j]!;
        outValues[k++] = last[j++]!;
      } else {
        outIds[k] = stacks[i]!;
        outValues[k++] = values[i]!;
        values[i++] -= last[j++]!;
      }
    }
    this.ids = outIds.subarray(0, k);
    this.values = outValues.subarray(0, k);
    return true;
  }

  private seed(stacks: Uint32Array, values: Float64Array, n: number): void {
    this.ids = stacks.slice(0, n);
    this.values = values.slice(0, n);
    this.seeded = true;
  }
}
