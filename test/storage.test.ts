/**
 * Durable storage end to end, against every object-store backend's real (or, for
 * GCS, fake) server: push, query, flush, query again from the local block, let the
 * store-gateway take the block over from the bucket, query again — the answers
 * never change. Blocks land as `<tenant>/phlaredb/<ULID>/…` with meta.json.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { buildFlameGraph } from "../src/model/flamegraph/index.js";
import { FunctionTree } from "../src/model/flamegraph/function-tree.js";
import { CPU, cpuSeries, recentMs } from "./helpers/api.js";
import { FAST_RETRY, startObjstoreServers, storageConfigFor } from "./helpers/objstore/backends.js";
import type { BackendName, ObjstoreServers } from "./helpers/objstore/backends.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const BACKENDS: BackendName[] = ["filesystem", "s3", "swift", "azure", "gcs"];

interface Answers {
  flame: unknown;
  series: unknown;
  values: string[];
  pprofTotal: number;
}

async function answers(s: TestServer, t0: number): Promise<Answers> {
  const q = s.clients().querier;
  const range = { start: BigInt(t0 - 60_000), end: BigInt(t0 + 60_000) };
  const fg = await q.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: '{service_name="store"}', ...range });
  const series = await q.selectSeries({ profileTypeID: CPU, labelSelector: "{}", groupBy: ["pod"], step: 10, ...range });
  const values = (await q.labelValues({ name: "pod", start: range.start, end: range.end })).names;
  const pprof = await q.selectMergeProfile({ profileTypeID: CPU, labelSelector: "{}", ...range });
  return {
    flame: fg.flamegraph,
    series: series.series.map((x) => ({ labels: x.labels.map((l) => `${l.name}=${l.value}`), points: x.points.map((p) => [Number(p.timestamp), p.value]) })),
    values,
    pprofTotal: pprof.sample.reduce((a, x) => a + Number(x.value[0]), 0),
  };
}

describe("durable storage on every backend", () => {
  let servers: ObjstoreServers;
  before(async () => {
    servers = await startObjstoreServers();
  });
  after(() => servers.close());

  for (const backend of BACKENDS) {
    it(`${backend}: same answers from the head, a local block and the bucket`, async () => {
      const tenant = `t-${backend}`;
      const s = await startTestServer(["-auth.multitenancy-enabled"], {
        edit: (c) => {
          c.storage = storageConfigFor(backend, servers, `e2e-${Date.now()}`);
        },
        bucketOptions: { retry: FAST_RETRY },
      });
      try {
        const t0 = recentMs();
        const { push, ingester } = s.clients({ tenant });
        for (let i = 0; i < 30; i++) {
          await push.push({ series: [cpuSeries({ __name__: "process_cpu", service_name: "store", pod: `p${i % 3}` }, [{ frames: ["main", `f${i % 4}`, `g${i % 7}`], values: [1, 100 + i] }], t0 - 30_000 + i * 1000)] });
        }
        const clients = s.clients({ tenant });
        const fromHead = await answers({ ...s, clients: () => clients }, t0);
        assert.ok(Number((fromHead.flame as { total: bigint }).total) > 0);

        await ingester.flush({});
        const fromLocal = await answers({ ...s, clients: () => clients }, t0);
        assert.deepEqual(fromLocal, fromHead, "after the flush (local block)");

        // The block is in the bucket under the reference's layout, meta.json included.
        const bucket = s.app.ctx.bucket!;
        const { prefixes } = await bucket.list(`${tenant}/phlaredb/`, { delimiter: "/" });
        assert.equal(prefixes.length, 1);
        const files = (await bucket.list(prefixes[0]!)).objects.map((o) => o.key.slice(prefixes[0]!.length)).sort();
        assert.deepEqual(files, ["index.bin", "meta.json", "profiles.parquet", "samples.bin", "symbols.bin"]);
        const gw = s.app.ctx.storeGateway!;
        await gw.sync();
        const blocks = gw.tenantBlocks(tenant)?.blocks ?? [];
        assert.equal(blocks.length, 1, "the store-gateway sees the uploaded block");
        const fromBucket = await answers({ ...s, clients: () => clients }, t0);
        assert.deepEqual(fromBucket, fromHead, "from the bucket through the store-gateway");

        // The head must not answer for the block any more: only the store-gateway's copy counts.
        const tree = new FunctionTree();
        await gw.view(tenant).reader.mergeTree({ profileType: { id: CPU, name: "process_cpu", sampleType: "cpu", sampleUnit: "nanoseconds", periodType: "cpu", periodUnit: "nanoseconds" }, matchers: [], startMs: t0 - 60_000, endMs: t0 + 60_000 }, tree);
        assert.deepEqual(buildFlameGraph(tree, 2048).total, Number((fromHead.flame as { total: bigint }).total));
      } finally {
        await s.stop();
      }
    });
  }
});
