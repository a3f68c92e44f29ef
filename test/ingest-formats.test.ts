/**
 * POST /ingest with every body format besides pprof — folded, lines, the OG trie and
 * tree, speedscope, JFR (raw and multipart with a labels part) — end to end through
 * the real server, and hostile bodies of each: a clear 4xx, and the server keeps serving.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { encodeLabelsSnapshot } from "../src/model/jfr/test-labels.js";
import { encodeTree, encodeTrie } from "../src/model/og/test-og.js";
import { repoRoot } from "./helpers/child.js";
import { post } from "./helpers/api.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const TESTDATA = join(repoRoot, "testdata");
const CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";

function multipart(parts: Array<{ name: string; body: Uint8Array }>): { body: Uint8Array; contentType: string } {
  const boundary = "----phlare-formats-boundary";
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    chunks.push(Buffer.from(p.body), Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe("POST /ingest in every other format", () => {
  let server: TestServer;
  const now = Math.floor(Date.now() / 1000);
  before(async () => {
    server = await startTestServer(["-querier.max-query-length=0"]);
  });
  after(() => server.stop());

  function ingest(query: string, body: Uint8Array | string, headers: Record<string, string> = {}) {
    return post(server.url, `/ingest?from=${now - 10}&until=${now}&${query}`, body, { "content-type": "binary/octet-stream", ...headers });
  }

  async function total(profileTypeID: string, selector: string): Promise<number> {
    const res = await server.clients().querier.selectMergeStacktraces({ profileTypeID, labelSelector: selector, start: BigInt((now - 7200) * 1000), end: BigInt((now + 60) * 1000) });
    return Number(res.flamegraph?.total ?? 0n);
  }

  async function flame(profileTypeID: string, selector: string): Promise<{ names: string[]; total: number }> {
    const res = await server.clients().querier.selectMergeStacktraces({ profileTypeID, labelSelector: selector, start: BigInt((now - 7200) * 1000), end: BigInt((now + 60) * 1000) });
    return { names: res.flamegraph?.names ?? [], total: Number(res.flamegraph?.total ?? 0n) };
  }

  it("folded text (the default) and lines, cpu values scaled by the sample rate", async () => {
    assert.equal((await ingest("name=folded-app.cpu%7Benv%3Dprod%7D&sampleRate=100&spyName=rbspy", "main;work;hash 3\nmain;idle 1\n")).status, 200);
    assert.equal(await total(CPU, '{service_name="folded-app",env="prod",pyroscope_spy="rbspy"}'), 4 * 10_000_000);
    const f = await flame(CPU, '{service_name="folded-app"}');
    assert.ok(["main", "work", "hash", "idle"].every((n) => f.names.includes(n)), f.names.join(","));
    assert.equal((await ingest("name=lines-app.cpu&format=lines&sampleRate=50", "main;work\nmain;work\nmain\n")).status, 200);
    assert.equal(await total(CPU, '{service_name="lines-app"}'), 3 * 20_000_000);
  });

  it("the OG trie and tree binary formats, by format and by content type", async () => {
    const trie = encodeTrie([["main;work", 5], ["main;idle", 2]]);
    assert.equal((await ingest("name=trie-app.cpu&format=trie", trie)).status, 200);
    assert.equal((await ingest("name=trie-ct.cpu", trie, { "content-type": "binary/octet-stream+trie" })).status, 200);
    const tree = encodeTree([[["main", "work"], 4], [["main", "sleep"], 6]]);
    assert.equal((await ingest("name=tree-app.cpu&format=tree", tree)).status, 200);
    assert.equal(await total(CPU, '{service_name="trie-app"}'), 7 * 10_000_000);
    assert.equal(await total(CPU, '{service_name="trie-ct"}'), 7 * 10_000_000);
    assert.equal(await total(CPU, '{service_name="tree-app"}'), 10 * 10_000_000);
  });

  it("inuse_space and other suffixes map to their profile types", async () => {
    assert.equal((await ingest("name=mem-app.inuse_space", "main;alloc 4096\n")).status, 200);
    assert.equal(await total("memory:inuse_space:bytes::", '{service_name="mem-app"}'), 4096);
    assert.equal((await ingest("name=mem-app.nonsense", "main 1\n")).status, 400, "unknown type suffix");
  });

  it("speedscope files, every one in the corpus", async () => {
    for (const file of ["simple", "two-sampled", "two-sampled-bytes", "duplicates"]) {
      const body = readFileSync(join(TESTDATA, "speedscope", `${file}.speedscope.json`));
      const res = await ingest(`name=speedscope-${file}.cpu&format=speedscope`, body, { "content-type": "application/json" });
      assert.equal(res.status, 200, `${file}: ${res.text}`);
    }
    const types = (await server.clients().querier.profileTypes({})).profileTypes.map((t) => t.ID);
    const series = await server.clients().querier.series({ matchers: ['{service_name=~"speedscope-.*"}'], labelNames: ["service_name", "__name__"] });
    assert.equal(new Set(series.labelsSet.map((s) => s.labels.find((l) => l.name === "service_name")?.value)).size, 4, types.join(" "));
    // two-sampled: profile "one" weighs 1+1+4+3+5 = 14 seconds; "two" as much again.
    const wall = await total("wall:wall:nanoseconds:cpu:nanoseconds", '{service_name="speedscope-two-sampled",profile_name="one"}');
    assert.equal(wall, 14e9);
  });

  it("JFR, raw and as the Java agent's multipart with a labels part", async () => {
    const expected: Record<string, string[]> = {
      "dump1.jfr.gz": ["process_cpu"],
      "dump2.jfr.gz": ["memory", "process_cpu", "wall"],
      "cortex-dev-01__kafka-0__cpu__0.jfr.gz": ["process_cpu"],
      "cortex-dev-01__kafka-0__cpu_lock_alloc__0.jfr.gz": ["memory", "process_cpu"],
    };
    for (const [file, names] of Object.entries(expected)) {
      const app = `java-${file.split(".")[0]!.replace(/_+/g, "-")}`;
      const res = await ingest(`name=${app}&format=jfr&spyName=javaspy&sampleRate=100`, readFileSync(join(TESTDATA, "jfr", file)));
      assert.equal(res.status, 200, `${file}: ${res.text}`);
      const series = await server.clients().querier.series({ matchers: [`{service_name="${app}"}`], labelNames: ["__name__"] });
      assert.deepEqual([...new Set(series.labelsSet.map((s) => s.labels[0]!.value))].sort(), names, file);
    }
    assert.ok((await total(CPU, '{service_name="java-dump2",pyroscope_spy="javaspy"}')) > 0);

    const contexts: Record<number, Record<string, string>> = {};
    for (let id = 1; id <= 5000; id++) contexts[id] = { route: `/r${id % 2}` };
    const form = multipart([
      { name: "jfr", body: readFileSync(join(TESTDATA, "jfr", "dump2.jfr.gz")) },
      { name: "labels", body: gzipSync(encodeLabelsSnapshot(contexts)) },
    ]);
    const res = await ingest("name=java-labelled%7Bzone%3Da%7D&format=jfr&sampleRate=100", form.body, { "content-type": form.contentType });
    assert.equal(res.status, 200, res.text);
    const routes = await server.clients().querier.labelValues({ name: "route", matchers: ['{service_name="java-labelled",zone="a"}'] });
    assert.deepEqual(routes.names.sort(), ["/r0", "/r1"]);
    assert.equal(
      (await total(CPU, '{service_name="java-labelled"}')),
      await total(CPU, '{service_name="java-dump2"}'),
      "labels split the samples, they lose none",
    );
  });

  it("hostile bodies of every format get a 4xx with a message; the server keeps serving", async () => {
    const jfr = readFileSync(join(TESTDATA, "jfr", "dump1.jfr.gz"));
    const cases: Array<[string, Uint8Array | string, Record<string, string>?]> = [
      ["name=h.cpu&format=jfr", jfr.subarray(0, jfr.length / 2)],
      ["name=h.cpu&format=jfr", Buffer.from("this is not a recording")],
      ["name=h.cpu&format=trie", readFileSync(join(TESTDATA, "pprof", "og_convert_cpu.pprof"))],
      ["name=h.cpu&format=tree", Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])],
      ["name=h.cpu", Buffer.from([0x6d, 0x61, 0x69, 0x6e, 0xff, 0xfe, 0x20, 0x31, 0x0a])],
      ["name=h.cpu", "main;work\n"],
      ["name=h.cpu", "main;work -5\n"],
      ["name=h.cpu&format=speedscope", '{"profiles":[{"type":"sampled","samples":[[0,1,2]],"weights":[1]}],"shared":{"frames":[]}}'],
      ["name=h.cpu&format=speedscope", "[".repeat(100_000)],
      [`name=${"a".repeat(5000)}.cpu%7B${"k".repeat(3000)}%3Dv%7D`, "main 1\n"],
      ["name=h.cpu&format=jfr", gzipSync(Buffer.alloc(200 * 1024 * 1024))],
      ["name=h.cpu&format=pprof", gzipSync(Buffer.alloc(200 * 1024 * 1024))],
    ];
    for (const [query, body, headers] of cases) {
      const res = await ingest(query, body, headers);
      assert.ok(res.status >= 400 && res.status < 500, `${query} (${body.length} bytes): ${res.status} ${res.text.slice(0, 200)}`);
      assert.match(String((res.json as { message?: string } | undefined)?.message ?? ""), /\S/, `${query}: a message`);
    }
    assert.equal((await fetch(`${server.url}/ready`)).status, 200);
  });
});
