/**
 * Interop: a flushed block's profiles table is plain Parquet that DuckDB reads, and
 * its SQL totals equal what the API answers.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { validCorpus } from "../src/model/pprof/test-corpus.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

describe("DuckDB reads a flushed block", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(["-querier.max-query-lookback=0", "-querier.max-query-length=0", "-distributor.ingestion-rate-limit-mb=1000", "-distributor.ingestion-burst-size-mb=1000"]);
  });
  after(() => s.stop());

  it("sums TotalValue per profile type as SelectSeries does", async () => {
    const { push, ingester, querier } = s.clients();
    for (const f of validCorpus().filter((x) => /cpu|heap/.test(x.name))) {
      const name = /heap/.test(f.name) ? "memory" : "process_cpu";
      await push.push({ series: [{ labels: [{ name: "__name__", value: name }, { name: "service_name", value: f.name }, { name: "__delta__", value: "false" }], samples: [{ rawProfile: f.stored, ID: "" }] }] });
    }
    await ingester.flush({});
    const localDir = join(s.dataDir, "anonymous", "local");
    const blocks = readdirSync(localDir).filter((d) => /^[0-9A-Z]{26}$/.test(d));
    assert.equal(blocks.length, 1);
    const parquet = join(localDir, blocks[0]!, "profiles.parquet");

    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    const rows = (await conn.runAndReadAll(`select ProfileType, sum(TotalValue) as total, count(*) as n from read_parquet('${parquet}') group by 1 order by 1`)).getRowObjects();
    assert.ok(rows.length >= 4, `profile types in the table: ${rows.length}`);
    for (const r of rows) {
      const id = String(r.ProfileType);
      // One step from 0 to `end`: the point at `end` sums every profile.
      const end = Date.now() + 60_000;
      const res = await querier.selectSeries({ profileTypeID: id, labelSelector: "{}", start: 0n, end: BigInt(end), step: end / 1000 });
      const api = res.series.reduce((a, x) => a + x.points.reduce((b, p) => b + p.value, 0), 0);
      assert.equal(Number(r.total), api, id);
    }
    conn.closeSync();
  });
});
