/**
 * A tenant's blocks in object storage: `<tenant>/phlaredb/<ULID>/…`, complete once
 * meta.json is there, hidden once `deletion-mark.json` is there or once a
 * compacted block lists them among its sources (so that a crash between
 * uploading a compacted block and marking its sources never counts data twice).
 */
import type { Bucket } from "../../objstore/bucket.js";
import { CorruptionError, NotFoundError } from "../../model/errors.js";
import { BlockFileName } from "./block-build.js";
import { parseMeta } from "./meta.js";
import type { BlockMeta } from "./meta.js";
import type { BlockSource } from "./open-block.js";

/** Marker file that schedules a block for deletion. */
export const DELETION_MARK = "deletion-mark.json";

/** Content of deletion-mark.json (Cortex/Mimir's shape). */
export interface DeletionMark {
  id: string;
  /** Seconds since epoch. */
  deletion_time: number;
  version: 1;
}

/** One block found in the bucket. */
export interface BucketBlock {
  meta: BlockMeta;
  /** When it was marked for deletion (ms), if it was. */
  deletionMarkedMs?: number;
}

/** The object prefix of a tenant's blocks. */
export function tenantBlocksPrefix(tenant: string): string {
  return `${tenant}/phlaredb/`;
}

/** Tenants with a `phlaredb/` folder in the bucket. */
export async function listBucketTenants(bucket: Bucket): Promise<string[]> {
  const top = await bucket.list("", { delimiter: "/" });
  const out: string[] = [];
  for (const p of top.prefixes) {
    const tenant = p.replace(/\/$/, "");
    if (tenant.startsWith("__")) continue;
    const inner = await bucket.list(`${tenant}/`, { delimiter: "/" });
    if (inner.prefixes.includes(tenantBlocksPrefix(tenant))) out.push(tenant);
  }
  return out.sort();
}

/**
 * Every complete block of `tenant` (meta.json present), with deletion marks. A block
 * whose meta.json does not parse is left out and reported to `onCorrupt`, so that one
 * bad object does not hide every other block of the tenant.
 */
export async function listBucketBlocks(bucket: Bucket, tenant: string, onCorrupt?: (ulid: string, err: CorruptionError) => void): Promise<BucketBlock[]> {
  const prefix = tenantBlocksPrefix(tenant);
  const { prefixes } = await bucket.list(prefix, { delimiter: "/" });
  const out: BucketBlock[] = [];
  await Promise.all(
    prefixes.map(async (p) => {
      const id = p.slice(prefix.length).replace(/\/$/, "");
      if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) return;
      let meta: BlockMeta;
      try {
        meta = parseMeta(new TextDecoder().decode(await bucket.get(`${p}${BlockFileName.Meta}`)), `${p}${BlockFileName.Meta}`);
      } catch (err) {
        // No meta.json: an upload in progress or abandoned, not a block yet.
        if (err instanceof NotFoundError) return;
        if (err instanceof CorruptionError) {
          onCorrupt?.(id, err);
          return;
        }
        throw err;
      }
      const b: BucketBlock = { meta };
      try {
        const mark = JSON.parse(new TextDecoder().decode(await bucket.get(`${p}${DELETION_MARK}`))) as Partial<DeletionMark>;
        b.deletionMarkedMs = typeof mark.deletion_time === "number" ? mark.deletion_time * 1000 : 0;
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
      out.push(b);
    }),
  );
  return out.sort((a, b) => (a.meta.ulid < b.meta.ulid ? -1 : 1));
}

/**
 * The blocks queries should read: not marked for deletion, and not a source of
 * another listed block of a higher compaction level.
 */
export function visibleBlocks(blocks: readonly BucketBlock[]): BucketBlock[] {
  const replaced = new Set<string>();
  for (const b of blocks) {
    if (b.meta.compaction.level <= 1) continue;
    for (const s of b.meta.compaction.sources) if (s !== b.meta.ulid) replaced.add(s);
    for (const p of b.meta.compaction.parents) replaced.add(p.ulid);
  }
  return blocks.filter((b) => b.deletionMarkedMs === undefined && !replaced.has(b.meta.ulid));
}

/** A BlockSource reading a block's files from the bucket. */
export function bucketSource(bucket: Bucket, tenant: string, ulid: string): BlockSource {
  const prefix = `${tenantBlocksPrefix(tenant)}${ulid}/`;
  return { describe: `${bucket.kind}:${prefix}`, read: (relPath) => bucket.get(prefix + relPath) };
}

/** Marks a block for deletion: readers stop using it at once; it is deleted later. */
export async function markForDeletion(bucket: Bucket, tenant: string, ulid: string, nowMs: number): Promise<void> {
  const mark: DeletionMark = { id: ulid, deletion_time: Math.floor(nowMs / 1000), version: 1 };
  await bucket.put(`${tenantBlocksPrefix(tenant)}${ulid}/${DELETION_MARK}`, Buffer.from(JSON.stringify(mark)));
}

/** Deletes every object of a block, meta.json first so that a half-deleted block is never read. */
export async function deleteBucketBlock(bucket: Bucket, tenant: string, ulid: string): Promise<void> {
  const prefix = `${tenantBlocksPrefix(tenant)}${ulid}/`;
  await bucket.delete(prefix + BlockFileName.Meta);
  const { objects } = await bucket.list(prefix);
  for (const o of objects) await bucket.delete(o.key);
}
