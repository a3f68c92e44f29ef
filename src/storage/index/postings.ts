/**
 * In-memory postings: label name → value → ascending series refs. Series refs are
 * handed out in increasing order, so appending keeps every list sorted.
 */
import type { Labels } from "../../model/labels.js";
import type { Matcher } from "../../model/selector.js";

/** Postings of one head. */
export class MemPostings {
  private readonly byName = new Map<string, Map<string, number[]>>();

  /** Indexes series `ref` under each of its labels. */
  add(ref: number, labels: Labels): void {
    for (const l of labels) {
      let values = this.byName.get(l.name);
      if (!values) this.byName.set(l.name, (values = new Map()));
      let refs = values.get(l.value);
      if (!refs) values.set(l.value, (refs = []));
      refs.push(ref);
    }
  }

  /** Sets the whole list of series with `name` = `value` (ascending refs), as a stored index provides it. */
  setList(name: string, value: string, refs: number[]): void {
    let values = this.byName.get(name);
    if (!values) this.byName.set(name, (values = new Map()));
    values.set(value, refs);
  }

  /** All label names. */
  labelNames(): string[] {
    return [...this.byName.keys()];
  }

  /** All values of label `name`. */
  labelValues(name: string): string[] {
    const values = this.byName.get(name);
    return values ? [...values.keys()] : [];
  }

  /** Series refs with label `name` equal to `value`. */
  get(name: string, value: string): readonly number[] {
    return this.byName.get(name)?.get(value) ?? [];
  }

  /**
   * Series refs matching all `matchers`, ascending. Matchers that cannot match an
   * empty value narrow the candidates through postings; every candidate is then
   * checked against all matchers on its own labels, which keeps the empty-value
   * rules of Prometheus (`{a=""}` selects series without `a`) exact.
   */
  select(matchers: readonly Matcher[], seriesCount: number, labelsOf: (ref: number) => Labels): number[] {
    let candidates: number[] | undefined;
    for (const m of matchers) {
      if (m.matches("")) continue;
      let refs: number[];
      if (m.type === "=") {
        refs = this.get(m.name, m.value) as number[];
      } else {
        const values = this.byName.get(m.name);
        const lists: (readonly number[])[] = [];
        if (values) for (const [v, r] of values) if (m.matches(v)) lists.push(r);
        refs = unionSorted(lists);
      }
      candidates = candidates === undefined ? refs.slice() : intersectSorted(candidates, refs);
      if (candidates.length === 0) return candidates;
    }
    const out: number[] = [];
    const check = (ref: number): void => {
      const ls = labelsOf(ref);
      for (const m of matchers) {
        let v = "";
        for (const l of ls) {
          if (l.name === m.name) {
            v = l.value;
            break;
          }
        }
        if (!m.matches(v)) return;
      }
      out.push(ref);
    };
    if (candidates === undefined) for (let ref = 0; ref < seriesCount; ref++) check(ref);
    else for (const ref of candidates) check(ref);
    return out;
  }
}

/** Intersection of two ascending lists. */
export function intersectSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

/** Union of ascending lists, ascending and without duplicates. */
export function unionSorted(lists: readonly (readonly number[])[]): number[] {
  if (lists.length === 0) return [];
  if (lists.length === 1) return lists[0]!.slice();
  const all: number[] = [];
  for (const l of lists) for (const x of l) all.push(x);
  all.sort((x, y) => x - y);
  const out: number[] = [];
  for (const x of all) if (out.length === 0 || out[out.length - 1] !== x) out.push(x);
  return out;
}
