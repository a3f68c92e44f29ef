/**
 * Test support for the compactor: profiles, blocks built from heads and uploaded in the
 * shipper's layout, and query results over a tenant's visible blocks.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ulid } from "ulid";
import { buildPprof, cpuProfile } from "../../test/helpers/pprof.js";
import { blockKey } from "../ingester/shipper.js";
import { buildFlameGraph } from "../model/flamegraph/index.js";
import { FunctionTree } from "../model/flamegraph/function-tree.js";
import { sortLabels } from "../model/labels.js";
import { decodePprof } from "../model/pprof/index.js";
import { parseProfileType } from "../model/profile-type.js";
import type { IngestProfile, SelectQuery } from "../model/query.js";
import type { Bucket } from "../objstore/bucket.js";
import { createFilesystemBucket } from "../objstore/filesystem.js";
import { nopLogger } from "../server/logger.js";
import type { BlockReader } from "../storage/block-reader.js";
import { BlockFileName, buildBlock } from "../storage/block/block-build.js";
import { bucketSource, listBucketBlocks, visibleBlocks } from "../storage/block/bucket-blocks.js";
import type { BlockMeta } from "../storage/block/meta.js";
import { OpenBlock } from "../storage/block/open-block.js";
import { Head } from "../storage/head/head.js";
import { MemBlockReader } from "../storage/query/mem-block-reader.js";

/** Milliseconds in an hour and a day. */
export const HOUR_MS = 3_600_000;
/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;
/** A day boundary every test starts from. */
export const T0_MS = Date.UTC(2024, 0, 1);

/** The CPU profile type the test profiles carry. */
export const CPU: SelectQuery = { profileType: parseProfileType("process_cpu:cpu:nanoseconds:cpu:nanoseconds"), matchers: [], startMs: 0, endMs: 1e13 };

/** What `profiles` generates. */
export interface ProfileSpec {
  startMs: number;
  count: number;
  stepMs: number;
  /** Makes profile IDs unique across calls. */
  idBase: number;
  frames: string[];
  service?: string;
}

/** `count` CPU profiles every `stepMs` from `startMs`, over three pods. */
export function profiles(s: ProfileSpec): IngestProfile[] {
  return Array.from({ length: s.count }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(s.idBase + i).padStart(12, "0")}`,
    labels: sortLabels([
      { name: "__name__", value: "process_cpu" },
      { name: "service_name", value: s.service ?? "svc" },
      { name: "pod", value: `p${i % 3}` },
    ]),
    profile: decodePprof(
      buildPprof(cpuProfile(BigInt(s.startMs + i * s.stepMs) * 1_000_000n, [{ frames: ["main", ...s.frames, `leaf${i % 4}`], values: [1, 10 + i] }])),
    ),
  }));
}

/** A head holding `ps`, ingested in time order. */
export function headOf(ps: readonly IngestProfile[]): Head {
  const h = new Head();
  for (const p of [...ps].sort((a, b) => Number(a.profile.timeNanos - b.profile.timeNanos))) h.ingest(p);
  return h;
}

/** Builds a level-1 block of `ps` (unless `compaction` says otherwise) and uploads it like the shipper. */
export async function uploadBlock(bucket: Bucket, tenant: string, ps: readonly IngestProfile[], compaction?: BlockMeta["compaction"]): Promise<BlockMeta> {
  const id = ulid();
  const built = buildBlock(headOf(ps), { ulid: id, source: "ingester", labels: {}, compaction: compaction ?? { level: 1, sources: [id], parents: [] } });
  if (!built) throw new Error("test block is empty");
  for (const f of built.files) await bucket.put(blockKey(tenant, id, f.relPath), f.bytes);
  await bucket.put(blockKey(tenant, id, BlockFileName.Meta), Buffer.from(built.metaJson));
  return built.meta;
}

/** Readers over the tenant's visible blocks, as a store-gateway would query them. */
export async function visibleReaders(bucket: Bucket, tenant: string): Promise<{ metas: BlockMeta[]; readers: BlockReader[] }> {
  const metas = visibleBlocks(await listBucketBlocks(bucket, tenant)).map((b) => b.meta);
  const readers: BlockReader[] = [];
  for (const m of metas) readers.push(new MemBlockReader(await (await OpenBlock.open(bucketSource(bucket, tenant, m.ulid), { meta: m })).load()));
  return { metas, readers };
}

/** The query answers the compaction must keep: flame graph, per-profile totals and label values. */
export interface QueryAnswers {
  flame: unknown;
  totals: string[];
  pods: string[];
  services: string[];
}

/** The answers over the union of `readers`. */
export async function answers(readers: readonly BlockReader[]): Promise<QueryAnswers> {
  const tree = new FunctionTree();
  const totals: string[] = [];
  const pods = new Set<string>();
  const services = new Set<string>();
  for (const r of readers) {
    await r.mergeTree(CPU, tree);
    const t = await r.profileTotals(CPU, ["pod"]);
    for (let i = 0; i < t.timeMs.length; i++) {
      const pod = t.groups[t.group[i]!]!.find((l) => l.name === "pod")?.value ?? "";
      totals.push(`${t.timeMs[i]} ${pod} ${t.value[i]}`);
    }
    for (const v of await r.labelValues("pod", { selectors: [] })) pods.add(v);
    for (const v of await r.labelValues("service_name", { selectors: [] })) services.add(v);
  }
  return { flame: buildFlameGraph(tree, -1), totals: totals.sort(), pods: [...pods].sort(), services: [...services].sort() };
}

/** A filesystem bucket in a fresh temporary directory, and its cleanup. */
export async function tempBucket(): Promise<{ bucket: Bucket; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "phlare-compactor-"));
  const bucket = await createFilesystemBucket({ dir, logger: nopLogger() });
  return {
    bucket,
    cleanup: async () => {
      await bucket.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
