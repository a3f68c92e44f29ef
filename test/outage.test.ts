/**
 * An object-storage outage delays shipping and loses nothing: with the S3 server
 * (Swift s3api) stopped, pushes keep being acknowledged (the WAL holds them) and
 * flushed blocks wait on disk; once it is back, every block arrives and every
 * acknowledged profile is in the answers.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CPU, cpuTotal, recentMs } from "./helpers/api.js";
import { startObjstoreServers, storageConfigFor } from "./helpers/objstore/backends.js";
import type { ObjstoreServers } from "./helpers/objstore/backends.js";
import { startTestServer } from "./helpers/server.js";

describe("object storage outage", () => {
  let servers: ObjstoreServers;
  before(async () => {
    servers = await startObjstoreServers();
  });
  after(() => servers.close());

  it("keeps acknowledging pushes, then ships every block once the store is back", async () => {
    const s = await startTestServer([], {
      edit: (c) => {
        c.storage = storageConfigFor("s3", servers);
        c.storage.storage_prefix = `outage${Date.now()}`;
      },
      // Few, quick retries: the shipper's own backoff carries the outage.
      bucketOptions: { retry: { maxAttempts: 2, minBackoffMs: 10, maxBackoffMs: 50 } },
    });
    try {
      const { push, ingester, querier } = s.clients();
      const t0 = recentMs() - 120_000;
      let acked = 0;
      let total = 0;
      let n = 0;
      const pushSome = async (count: number): Promise<void> => {
        for (let i = 0; i < count; i++, n++) {
          await push.push({ series: [cpuTotal({ __name__: "process_cpu", service_name: "outage", pod: `p${n % 4}` }, 10 + n, t0 + n * 100)] });
          acked++;
          total += 10 + n;
        }
      };
      await pushSome(20);
      await ingester.flush({});

      await servers.swift.stop();
      await pushSome(20);
      await ingester.flush({}); // the block is written locally; its upload fails and is retried
      await pushSome(20);
      await ingester.flush({});
      const local = join(s.dataDir, "anonymous", "local");
      const localBlocks = readdirSync(local).filter((d) => /^[0-9A-Z]{26}$/.test(d));
      assert.equal(localBlocks.length, 3);
      assert.equal(acked, 60, "every push was acknowledged during the outage");

      await servers.swift.start();
      const bucket = s.app.ctx.bucket!;
      const deadline = Date.now() + 90_000;
      let uploaded: string[] = [];
      while (Date.now() < deadline) {
        try {
          const { prefixes } = await bucket.list("anonymous/phlaredb/", { delimiter: "/" });
          uploaded = [];
          for (const p of prefixes) if (await bucket.exists(`${p}meta.json`)) uploaded.push(p.split("/")[2]!);
          if (uploaded.length === 3) break;
        } catch {
          // still coming back
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.deepEqual(uploaded.sort(), localBlocks.sort(), "every local block arrived in the bucket");

      await s.app.ctx.storeGateway!.sync();
      const fg = await querier.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: '{service_name="outage"}', start: BigInt(t0 - 1000), end: BigInt(t0 + 60_000) });
      assert.equal(Number(fg.flamegraph!.total), total, "every acknowledged profile, counted once");
      // Shipped blocks' WAL segments are gone; only the current one is left.
      const wal = readdirSync(join(s.dataDir, "anonymous", "wal")).filter((f) => f.endsWith(".wal"));
      assert.ok(wal.length <= 2, `wal segments left: ${wal.join(", ")}`);
    } finally {
      await s.stop();
    }
  });
});
