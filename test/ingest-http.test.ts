/**
 * POST /ingest with pprof bodies as real clients send them: the recorded requests of
 * @pyroscope/nodejs 0.6.4 (raw gzipped pprof) and 0.6.1 (multipart) replayed byte for
 * byte, Go SDK forms with sample_type_config, the refused prev_profile, and the status
 * codes of everything that is wrong.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { Profile } from "pprof-format";
import { repoRoot } from "./helpers/child.js";
import { post } from "./helpers/api.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const TESTDATA = join(repoRoot, "testdata");

interface Capture {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

function capture(name: string, bodyFile: string): Capture {
  const req = JSON.parse(readFileSync(join(TESTDATA, "captures", `${name}.request.json`), "utf8")) as { url: string; headers: Record<string, string> };
  const headers = { ...req.headers };
  // Transport-level headers belong to the recorded connection, not to the request.
  for (const h of ["host", "connection", "content-length", "accept-encoding"]) delete headers[h];
  return { url: req.url, headers, body: readFileSync(join(TESTDATA, "captures", bodyFile)) };
}

/** Sum of each sample type's values over a pprof file, computed with pprof-format. */
function pprofTotals(bytes: Uint8Array): Map<string, number> {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  const p = Profile.decode(raw);
  const st = (i: number | bigint) => String(p.stringTable.strings[Number(i)]);
  const out = new Map<string, number>();
  p.sampleType.forEach((t, i) => out.set(st(t.type), p.sample.reduce((n, s) => n + Number(s.value[i] ?? 0), 0)));
  return out;
}

function multipart(parts: Array<{ name: string; filename?: string; body: Uint8Array | string }>): { body: Uint8Array; contentType: string } {
  const boundary = "----phlare-test-boundary-7d1f";
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ""}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: application/octet-stream\r\n\r\n`));
    chunks.push(Buffer.from(p.body));
    chunks.push(Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe("POST /ingest with pprof bodies", () => {
  let server: TestServer;
  before(async () => {
    // Corpus profiles are years old: no lookback limit, so queries reach them.
    server = await startTestServer(["-auth.multitenancy-enabled", "-distributor.ingestion-body-limit-mb=1", "-querier.max-query-lookback=0", "-querier.max-query-length=0"]);
  });
  after(() => server.stop());

  async function typesOf(tenant: string): Promise<string[]> {
    const res = await server.clients({ tenant }).querier.profileTypes({});
    return res.profileTypes.map((t) => t.ID).sort();
  }

  async function total(tenant: string, profileTypeID: string, selector: string): Promise<number> {
    const res = await server.clients({ tenant }).querier.selectMergeStacktraces({ profileTypeID, labelSelector: selector, start: 0n, end: BigInt(Date.now() + 86_400_000) });
    return Number(res.flamegraph?.total ?? 0n);
  }

  it("stores what @pyroscope/nodejs 0.6.4 sends (raw gzipped pprof), with the SDK's labels", async () => {
    for (const kind of ["wall", "heap"]) {
      const c = capture(`nodejs-0.6.4-${kind}`, `nodejs-0.6.4-${kind}.pprof.gz`);
      const res = await post(server.url, c.url, c.body, c.headers);
      assert.equal(res.status, 200, res.text);
    }
    const types = await typesOf("tenant-a");
    assert.ok(types.includes("wall:wall:nanoseconds:wall:nanoseconds"), types.join(" "));
    assert.ok(types.some((t) => t.startsWith("memory:inuse_space:bytes")), types.join(" "));
    const series = await server.clients({ tenant: "tenant-a" }).querier.series({ matchers: ['{service_name="nodejs-demo"}'], labelNames: [] });
    const labels = series.labelsSet.map((s) => Object.fromEntries(s.labels.map((l) => [l.name, l.value])));
    const wall = labels.find((l) => l["__name__"] === "wall")!;
    assert.equal(wall["pyroscope_spy"], "nodespy");
    assert.equal(wall["region"], "eu-north");
    assert.equal(wall["env"], "test");
    assert.equal(wall["otel_scope_name"], "com.grafana.pyroscope/nodejs", "dotted names are stored with underscores");
    const want = pprofTotals(capture("nodejs-0.6.4-wall", "nodejs-0.6.4-wall.pprof.gz").body).get("wall")!;
    assert.equal(await total("tenant-a", "wall:wall:nanoseconds:wall:nanoseconds", '{service_name="nodejs-demo",region="eu-north"}'), want);
  });

  it("stores what @pyroscope/nodejs 0.6.1 sends (multipart, part profile)", async () => {
    const c = capture("nodejs-0.6.1-wall-multipart", "nodejs-0.6.1-wall-multipart.body");
    const res = await post(server.url, c.url.replace("nodejs-demo", "nodejs-old"), c.body, c.headers);
    assert.equal(res.status, 200, res.text);
    assert.ok((await total("tenant-a", "wall:wall:nanoseconds:wall:nanoseconds", '{service_name="nodejs-old"}')) > 0);
  });

  it("names series by sample_type_config (req_2 goroutines, req_3 block)", async () => {
    for (const [file, app] of [["og_convert_pprof_req_2", "go-goroutines"], ["og_convert_pprof_req_3", "go-block"]] as const) {
      const form = multipart([
        { name: "profile", filename: "profile.pprof", body: readFileSync(join(TESTDATA, "pprof", `${file}.pprof`)) },
        { name: "sample_type_config", filename: "sample_type_config.json", body: readFileSync(join(TESTDATA, "pprof", `${file}.st.json`)) },
      ]);
      const q = `/ingest?name=${app}%7Bteam%3Dcore%7D&from=${Math.floor(Date.now() / 1000) - 10}&until=${Math.floor(Date.now() / 1000)}&spyName=gospy&sampleRate=100`;
      const res = await post(server.url, q, form.body, { "content-type": form.contentType, "x-scope-orgid": "tenant-b" });
      assert.equal(res.status, 200, res.text);
    }
    const types = await typesOf("tenant-b");
    assert.ok(types.includes("goroutines:goroutine:count:goroutine:count"), types.join(" "));
    assert.ok(types.includes("block:contentions:count:contentions:count"), types.join(" "));
    assert.ok(types.includes("block:delay:nanoseconds:contentions:count"), types.join(" "));
    const want = pprofTotals(readFileSync(join(TESTDATA, "pprof", "og_convert_pprof_req_2.pprof"))).get("goroutine")!;
    assert.equal(await total("tenant-b", "goroutines:goroutine:count:goroutine:count", '{service_name="go-goroutines",team="core"}'), want);
  });

  it("refuses prev_profile with 422, and says why", async () => {
    const cpu = readFileSync(join(TESTDATA, "pprof", "og_convert_cpu.pprof"));
    const form = multipart([
      { name: "profile", filename: "profile.pprof", body: cpu },
      { name: "prev_profile", filename: "profile.pprof", body: cpu },
    ]);
    const res = await post(server.url, "/ingest?name=old-go", form.body, { "content-type": form.contentType, "x-scope-orgid": "tenant-c" });
    assert.equal(res.status, 422);
    assert.match(String((res.json as { message: string }).message), /unsupported client version/);
  });

  it("answers 400, 401 and 413 with a message", async () => {
    const h = { "x-scope-orgid": "tenant-d", "content-type": "application/octet-stream" };
    const bad = await post(server.url, "/ingest?name=x&format=pprof", Buffer.from("not a profile"), h);
    assert.equal(bad.status, 400);
    assert.match(String((bad.json as { message: string }).message), /\S/);
    assert.equal((await post(server.url, "/ingest?format=pprof", Buffer.from("x"), h)).status, 400, "no name");
    assert.equal((await post(server.url, "/ingest?name=x&from=yesterday&format=pprof", Buffer.from("x"), h)).status, 400, "bad from");
    assert.equal((await post(server.url, "/ingest?name=x&sampleRate=abc&format=pprof", Buffer.from("x"), h)).status, 400, "bad sampleRate");
    const noTenant = await post(server.url, "/ingest?name=x&format=pprof", Buffer.from("x"), { "content-type": "application/octet-stream" });
    assert.equal(noTenant.status, 401);
    assert.match(noTenant.text, /no org id/);
    const big = await post(server.url, "/ingest?name=x&format=pprof", new Uint8Array(2 * 1024 * 1024), h);
    assert.equal(big.status, 413);
    const torn = multipart([{ name: "profile", body: readFileSync(join(TESTDATA, "pprof", "og_convert_cpu.pprof")) }]);
    const cut = await post(server.url, "/ingest?name=x", torn.body.subarray(0, torn.body.length - 30), { ...h, "content-type": torn.contentType });
    assert.equal(cut.status, 400, cut.text);
    // The server is still serving.
    assert.equal((await fetch(`${server.url}/ready`)).status, 200);
  });

  it("stamps a profile without a time (or with one in 1970) with from", async () => {
    // time_nanos (field 9) appended as 0: protobuf keeps the last value, so the profile has no time.
    const cpu = Buffer.concat([gunzipSync(readFileSync(join(TESTDATA, "pprof", "og_convert_cpu.pprof"))), Buffer.from([0x48, 0x00])]);
    const from = Math.floor(Date.now() / 1000) - 3600;
    const res = await post(server.url, `/ingest?name=stamped&format=pprof&from=${from}&until=${from + 10}`, cpu, { "x-scope-orgid": "tenant-e" });
    assert.equal(res.status, 200, res.text);
    const s = await server.clients({ tenant: "tenant-e" }).querier.selectSeries({ profileTypeID: "process_cpu:cpu:nanoseconds:cpu:nanoseconds", labelSelector: '{service_name="stamped"}', start: BigInt(from * 1000 - 60_000), end: BigInt(from * 1000 + 60_000), step: 1 });
    const times = s.series.flatMap((x) => x.points.map((p) => Number(p.timestamp)));
    assert.ok(times.length > 0 && times.every((t) => Math.abs(t - from * 1000) <= 1000), `points at ${times.join(",")}, expected ${from * 1000}`);
  });
});
