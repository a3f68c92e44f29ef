/**
 * Reads a tenant's data from remote ingesters and store-gateways, each profile counted once
 * however many replicas (ingesters with RF > 1, an ingester's local block and its copy in the
 * bucket, replica blocks not compacted yet) hold it.
 *
 * Every source lists its candidate profiles sorted by (time, series), never splitting the
 * profiles of one key between batches; the querier walks all lists at once in that order and
 * keeps each (time, series) key from the source that lists the most profiles of it (the first
 * such source on a tie): one series may legitimately have two profiles at one instant, and a
 * replica that missed a push lists fewer. The other sources drop the key. Each source then
 * merges only what it was told to keep. A source failing midway makes the merge start again without
 * it, as long as its group (ingesters, store-gateways) stays within its error budget.
 */
import type { FunctionTree } from "../model/flamegraph/function-tree.js";
import { labelsKey } from "../model/labels.js";
import type { Labels } from "../model/labels.js";
import type { ProfileType } from "../model/profile-type.js";
import type { LabelQuery, ProfileTotals, SelectQuery } from "../model/query.js";
import { mergeTotals } from "../storage/query/totals.js";
import type { PprofBuilder } from "../storage/query/pprof-builder.js";
import { compareKeyed } from "../ingester/merge-service.js";
import type { QueryReader } from "./querier.js";
import type { CandidateBatch, MergeSession, MergeSource } from "./remote-source.js";

/** Sources of one kind and how many of them may fail. */
export interface SourceGroup {
  /** "ingesters" or "store-gateways", for errors. */
  name: string;
  sources: MergeSource[];
  maxErrors: number;
}

/** A QueryReader over remote sources, deduplicating replicas. */
export class ReplicatedReader implements QueryReader {
  constructor(
    private readonly tenant: string,
    private readonly groups: SourceGroup[],
  ) {}

  async profileTypes(q: LabelQuery): Promise<ProfileType[]> {
    const byId = new Map<string, ProfileType>();
    for (const list of await this.all((s) => s.profileTypes(this.tenant, q))) for (const t of list) byId.set(t.id, t);
    return [...byId.values()];
  }

  async labelNames(q: LabelQuery): Promise<string[]> {
    return [...new Set((await this.all((s) => s.labelNames(this.tenant, q))).flat())];
  }

  async labelValues(name: string, q: LabelQuery): Promise<string[]> {
    return [...new Set((await this.all((s) => s.labelValues(this.tenant, name, q))).flat())];
  }

  async series(q: LabelQuery, names: readonly string[]): Promise<Labels[]> {
    const seen = new Map<string, Labels>();
    for (const list of await this.all((s) => s.series(this.tenant, q, names))) for (const ls of list) seen.set(labelsKey(ls), ls);
    return [...seen.values()];
  }

  async mergeTree(q: SelectQuery, tree: FunctionTree): Promise<void> {
    for (const t of await this.merge((s, signal) => s.mergeTree(this.tenant, q, signal))) tree.merge(t);
  }

  async mergePprof(q: SelectQuery, builder: PprofBuilder): Promise<void> {
    for (const p of await this.merge((s, signal) => s.mergePprof(this.tenant, q, signal))) builder.addProfile(p);
  }

  async profileTotals(q: SelectQuery, by: readonly string[]): Promise<ProfileTotals> {
    const parts = await this.merge((s, signal) => s.mergeTotals(this.tenant, q, by, signal));
    return parts.length === 0 ? { groups: [], group: new Uint32Array(0), timeMs: new Float64Array(0), value: new Float64Array(0) } : mergeTotals(parts);
  }

  /** Every source's answer; a group's failures beyond its budget fail the query. */
  private async all<T>(call: (s: MergeSource) => Promise<T>): Promise<T[]> {
    const out: T[] = [];
    await Promise.all(
      this.groups.map(async (g) => {
        const settled = await Promise.allSettled(g.sources.map(call));
        const failed = settled.filter((r) => r.status === "rejected");
        if (failed.length > g.maxErrors) throw failure(g, failed[0]!.reason);
        for (const r of settled) if (r.status === "fulfilled") out.push(r.value);
      }),
    );
    return out;
  }

  /** Runs the deduplicating merge, again without a source that failed while the budget allows. */
  private async merge<R>(open: (s: MergeSource, signal: AbortSignal) => MergeSession<R>): Promise<R[]> {
    const failed = new Set<MergeSource>();
    for (;;) {
      const live = this.groups.map((g) => ({ ...g, sources: g.sources.filter((s) => !failed.has(s)) }));
      const sources = live.flatMap((g) => g.sources);
      const abort = new AbortController();
      const sessions = sources.map((s) => open(s, abort.signal));
      try {
        return await dedupMerge(sessions, sources);
      } catch (err) {
        abort.abort();
        for (const s of sessions) s.cancel();
        if (!(err instanceof SourceError)) throw err;
        const culprit = err.source;
        failed.add(culprit);
        const g = this.groups.find((x) => x.sources.includes(culprit))!;
        const lost = g.sources.filter((s) => failed.has(s)).length;
        if (lost > g.maxErrors) throw failure(g, err.cause);
      }
    }
  }
}

/** An error of one source. */
class SourceError extends Error {
  constructor(
    readonly source: MergeSource,
    cause: unknown,
  ) {
    super(`${source.addr}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

function failure(g: SourceGroup, cause: unknown): Error {
  const msg = cause instanceof Error ? cause.message : String(cause);
  return new Error(`too many ${g.name} failed (more than ${g.maxErrors}): ${msg}`, { cause });
}

/** Calls `fn`, blaming `source` for a rejection. */
async function blame<T>(source: MergeSource, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new SourceError(source, err);
  }
}

interface Cursor<R> {
  session: MergeSession<R>;
  source: MergeSource;
  batch: CandidateBatch | undefined;
  pos: number;
  mask: boolean[];
}

/** The k-way walk over every source's candidates, then every source's result. */
async function dedupMerge<R>(sessions: MergeSession<R>[], sources: MergeSource[]): Promise<R[]> {
  const cursors: Cursor<R>[] = await Promise.all(
    sessions.map(async (session, i) => {
      const source = sources[i]!;
      const batch = await blame(source, () => session.next());
      return { session, source, batch, pos: 0, mask: [] };
    }),
  );
  const head = (c: Cursor<R>): { timeMs: number; key: string } => ({ timeMs: c.batch!.timeMs[c.pos]!, key: c.batch!.keys[c.pos]! });
  // How many profiles of `c`'s head key follow in its batch (the whole run: batches do not split it).
  const run = (c: Cursor<R>): number => {
    const b = c.batch!;
    let n = 1;
    while (c.pos + n < b.keys.length && b.timeMs[c.pos + n] === b.timeMs[c.pos] && b.keys[c.pos + n] === b.keys[c.pos]) n++;
    return n;
  };
  for (;;) {
    let min: { timeMs: number; key: string } | undefined;
    for (const c of cursors) {
      if (c.batch && (!min || compareKeyed(head(c), min) < 0)) min = head(c);
    }
    if (!min) break;
    const holders = cursors.filter((c) => c.batch && compareKeyed(head(c), min) === 0);
    const runs = holders.map(run);
    const best = runs.indexOf(Math.max(...runs));
    for (let h = 0; h < holders.length; h++) {
      const c = holders[h]!;
      for (let j = 0; j < runs[h]!; j++) c.mask.push(h === best);
      c.pos += runs[h]!;
      if (c.pos === c.batch!.keys.length) {
        c.session.reply(c.mask);
        c.mask = [];
        c.pos = 0;
        c.batch = await blame(c.source, () => c.session.next());
      }
    }
  }
  return Promise.all(cursors.map((c) => blame(c.source, () => c.session.result())));
}

