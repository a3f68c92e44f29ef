/**
 * Test fixtures for the store-gateway: heads filled with small CPU profiles,
 * uploaded to a bucket the way the shipper does (data files, meta.json last).
 */
import { ulid } from "ulid";
import { buildPprof, cpuProfile } from "../../test/helpers/pprof.js";
import { sortLabels } from "../model/labels.js";
import { decodePprof } from "../model/pprof/index.js";
import type { Bucket } from "../objstore/bucket.js";
import { buildBlock, BlockFileName } from "../storage/block/block-build.js";
import type { BlockOrigin, BuiltBlock } from "../storage/block/block-build.js";
import { tenantBlocksPrefix } from "../storage/block/bucket-blocks.js";
import { Head } from "../storage/head/head.js";

/** One profile's place in a test head. */
export interface TestProfileSpec {
  timeMs: number;
  service: string;
  pod: string;
  /** Function names, root first; the CPU value grows with `weight`. */
  frames: string[];
  weight: number;
}

/** `count` profiles 10 s apart from `startMs`, spread over two pods and a few leaf functions. */
export function profileSpecs(startMs: number, count: number, service: string): TestProfileSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    timeMs: startMs + i * 10_000,
    service,
    pod: i % 2 === 0 ? "a" : "b",
    frames: ["main", `${service}.work`, `leaf${i % 3}`],
    weight: i + 1,
  }));
}

/** Ingests `specs` into `head` (a new head when none is given) and returns it. */
export function fillHead(specs: readonly TestProfileSpec[], head = new Head()): Head {
  for (const s of specs) {
    const raw = buildPprof(cpuProfile(BigInt(s.timeMs) * 1_000_000n, [{ frames: s.frames, values: [1, 1_000 * s.weight] }]));
    head.ingest({
      id: crypto.randomUUID(),
      labels: sortLabels([
        { name: "__name__", value: "process_cpu" },
        { name: "service_name", value: s.service },
        { name: "pod", value: s.pod },
      ]),
      profile: decodePprof(raw),
    });
  }
  return head;
}

/** Options of `uploadHead`. */
export interface UploadOptions {
  ulid?: string;
  compaction?: BlockOrigin["compaction"];
  /** Leave meta.json out, as an upload cut short does. */
  withoutMeta?: boolean;
  /** Replaces a data file's bytes, to store a corrupt block. */
  replace?: Partial<Record<string, Uint8Array>>;
  /** Rewrites meta.json's text before upload. */
  editMeta?: (text: string) => string;
}

/** Builds a block from `head` and uploads it under `tenant`, meta.json last. */
export async function uploadHead(bucket: Bucket, tenant: string, head: Head, opts: UploadOptions = {}): Promise<BuiltBlock> {
  const id = opts.ulid ?? ulid();
  const built = buildBlock(head, {
    ulid: id,
    source: opts.compaction && opts.compaction.level > 1 ? "compactor" : "ingester",
    labels: {},
    compaction: opts.compaction ?? { level: 1, sources: [id], parents: [] },
  });
  if (!built) throw new Error("test head is empty");
  const prefix = `${tenantBlocksPrefix(tenant)}${id}/`;
  for (const f of built.files) await bucket.put(prefix + f.relPath, opts.replace?.[f.relPath] ?? f.bytes);
  if (!opts.withoutMeta) {
    const text = opts.editMeta ? opts.editMeta(built.metaJson) : built.metaJson;
    await bucket.put(prefix + BlockFileName.Meta, new TextEncoder().encode(text));
  }
  return built;
}
