/**
 * Several BlockReaders (a tenant's head and its blocks) answering as one.
 */
import type { FunctionTree } from "../../model/flamegraph/function-tree.js";
import { labelsKey } from "../../model/labels.js";
import type { Labels } from "../../model/labels.js";
import type { ProfileType } from "../../model/profile-type.js";
import type { LabelQuery, ProfileTotals, SelectedProfile, SelectQuery } from "../../model/query.js";
import type { BlockReader } from "../block-reader.js";
import type { PprofBuilder } from "./pprof-builder.js";
import { mergeTotals } from "./totals.js";

/** A BlockReader over the readers `list()` returns at each call. */
export class MultiReader implements BlockReader {
  constructor(private readonly list: () => readonly BlockReader[]) {}

  get minTimeMs(): number {
    return Math.min(Infinity, ...this.list().map((r) => r.minTimeMs));
  }

  get maxTimeMs(): number {
    return Math.max(-Infinity, ...this.list().map((r) => r.maxTimeMs));
  }

  async profileTypes(q: LabelQuery): Promise<ProfileType[]> {
    const byId = new Map<string, ProfileType>();
    for (const list of await Promise.all(this.list().map((r) => r.profileTypes(q)))) for (const t of list) byId.set(t.id, t);
    return [...byId.values()];
  }

  async labelNames(q: LabelQuery): Promise<string[]> {
    return union(await Promise.all(this.list().map((r) => r.labelNames(q))));
  }

  async labelValues(name: string, q: LabelQuery): Promise<string[]> {
    return union(await Promise.all(this.list().map((r) => r.labelValues(name, q))));
  }

  async series(q: LabelQuery, names: readonly string[]): Promise<Labels[]> {
    const seen = new Map<string, Labels>();
    for (const list of await Promise.all(this.list().map((r) => r.series(q, names)))) for (const ls of list) seen.set(labelsKey(ls), ls);
    return [...seen.values()];
  }

  async mergeTree(q: SelectQuery, tree: FunctionTree): Promise<void> {
    // One after the other: the tree is shared and merges are CPU-bound anyway.
    for (const r of this.list()) await r.mergeTree(q, tree);
  }

  async mergePprof(q: SelectQuery, builder: PprofBuilder): Promise<void> {
    for (const r of this.list()) await r.mergePprof(q, builder);
  }

  async selectProfiles(q: SelectQuery): Promise<SelectedProfile[]> {
    return (await Promise.all(this.list().map((r) => r.selectProfiles(q)))).flat();
  }

  async profileTotals(q: SelectQuery, by: readonly string[]): Promise<ProfileTotals> {
    const parts = await Promise.all(this.list().map((r) => r.profileTotals(q, by)));
    return parts.length === 0 ? { groups: [], group: new Uint32Array(0), timeMs: new Float64Array(0), value: new Float64Array(0) } : mergeTotals(parts);
  }
}

function union(lists: string[][]): string[] {
  const set = new Set<string>();
  for (const l of lists) for (const s of l) set.add(s);
  return [...set];
}
