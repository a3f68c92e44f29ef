/**
 * The compactor module: compacts the blocks of every tenant in object storage; with the rings in
 * etcd each tenant belongs to one compactor of the compactor ring.
 */
import { need } from "../module-context.js";
import type { ModuleContext } from "../module-context.js";
import { joinRing } from "../ring/module.js";
import type { Membership } from "../ring/module.js";
import { Write } from "../ring/ring.js";
import { fnv1 } from "../ring/token-hash.js";
import { Compactor } from "./compactor.js";
import { retentionOf } from "./config.js";

/** Starts the compactor over `ctx.bucket`; it stops with the process, after a running compaction. */
export async function initCompactor(ctx: ModuleContext): Promise<void> {
  const bucket = ctx.bucket;
  if (!bucket) {
    throw new Error("the compactor needs object storage: configure storage.backend (the storage module provides the bucket)");
  }
  const limits = need(ctx, "limits", "compactor");
  let membership: Membership | undefined;
  if (ctx.rings) {
    membership = await joinRing(ctx, ctx.config.compactor.sharding_ring, "/compactor/ring", {
      key: "compactor",
      name: "compactor",
      title: "Compactor Ring",
      numTokens: 128,
    });
  }
  const compactor = new Compactor({
    // A ring of one in memory owns every tenant.
    ...(membership && !ctx.rings?.local ? { owns: ownsTenant(membership) } : {}),
    bucket,
    config: ctx.config.compactor,
    limits: (tenant) => retentionOf(limits(tenant)),
    logger: ctx.logger.with({ component: "compactor" }),
    ...(ctx.blockWorkers ? { workers: ctx.blockWorkers } : {}),
  });
  compactor.start();
  ctx.stops.push({ name: "compactor", stop: () => compactor.stop() });
}

/**
 * Whether this compactor owns `tenant`: the first healthy owner of the tenant's token. Until
 * this instance is ACTIVE in the ring it owns nothing, so two compactors never work on a tenant
 * at once because one of them has not seen the ring yet.
 */
function ownsTenant(m: Membership): (tenant: string) => boolean {
  return (tenant) => {
    if (m.ring.desc().ingesters[m.id]?.state !== "ACTIVE") return false;
    try {
      return m.ring.get(fnv1(tenant), Write).instances[0]?.id === m.id;
    } catch {
      return false;
    }
  };
}
