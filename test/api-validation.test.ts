/**
 * Distributor validation over push.v1: Phlare's label rules and messages, the
 * label limits set by flags, the service_name default, undecodable profiles and
 * oversized bodies. A rejected push stores nothing, and the server keeps serving.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { PushRequestSchema, RawProfileSeriesSchema } from "../src/gen/push/v1/push_pb.js";
import type { RawProfileSeries } from "../src/gen/push/v1/push_pb.js";
import { CPU, connectErrorBody, cpuTotal, fgTotal, post, postConnectJson, rawSeries, recentMs, rejection } from "./helpers/api.js";
import { buildPprof, buildPprofGz, cpuProfile } from "./helpers/pprof.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const T0 = recentMs();
const PUSH = "/push.v1.PusherService/Push";

/** A valid CPU profile, gzipped and not. */
const profile = cpuProfile(BigInt(T0) * 1_000_000n, [{ frames: ["main", "work"], values: [1, 5] }]);
const GOOD_GZ = buildPprofGz(profile);
const GOOD_RAW = buildPprof(profile);

/** `n` extra labels l00, l01, … */
function extraLabels(n: number): [string, string][] {
  return Array.from({ length: n }, (_, i) => [`l${String(i).padStart(2, "0")}`, "v"] as [string, string]);
}

async function discarded(s: TestServer, reason: string): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const re = new RegExp(`^pyroscope_discarded_samples_total\\{[^}]*reason="${reason}"[^}]*\\} (\\d+)`, "m");
  return Number(re.exec(text)?.[1] ?? 0);
}

describe("push validation with default limits", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.stop());

  const labelCases: { name: string; series: RawProfileSeries[]; want: string | RegExp; reason?: string }[] = [
    { name: "no series", series: [], want: "no profiles received" },
    {
      name: "series without samples",
      series: [create(RawProfileSeriesSchema, { labels: rawSeries({ __name__: "process_cpu" }, GOOD_GZ).labels, samples: [] })],
      want: "no profiles received",
    },
    { name: "no labels", series: [rawSeries([], GOOD_GZ)], want: "error at least one label pair is required per profile", reason: "missing_labels" },
    {
      name: "missing __name__",
      series: [rawSeries({ service_name: "svc" }, GOOD_GZ)],
      want: `invalid labels '{service_name="svc"}' with error: invalid metric name`,
      reason: "invalid_labels",
    },
    {
      name: "empty __name__",
      series: [rawSeries({ __name__: "", service_name: "svc" }, GOOD_GZ)],
      want: `invalid labels '{__name__="", service_name="svc"}' with error: invalid metric name`,
    },
    {
      name: "__name__ starting with a digit",
      series: [rawSeries({ __name__: "1cpu", service_name: "svc" }, GOOD_GZ)],
      want: `invalid labels '{__name__="1cpu", service_name="svc"}' with error: invalid metric name`,
    },
    {
      name: "__name__ with a dash",
      series: [rawSeries({ __name__: "process-cpu" }, GOOD_GZ)],
      want: `invalid labels '{__name__="process-cpu", service_name="unspecified"}' with error: invalid metric name`,
    },
    {
      name: "label name with a dash",
      series: [rawSeries({ __name__: "process_cpu", service_name: "svc", "bad-name": "x" }, GOOD_GZ)],
      want: `invalid labels '{__name__="process_cpu", bad-name="x", service_name="svc"}' with error: invalid label name 'bad-name'`,
      reason: "invalid_labels",
    },
    {
      name: "label name starting with a digit",
      series: [rawSeries({ __name__: "process_cpu", service_name: "svc", "1abc": "x" }, GOOD_GZ)],
      want: /with error: invalid label name '1abc'$/,
    },
    {
      name: "label name with a dot",
      series: [rawSeries({ __name__: "process_cpu", service_name: "svc", "a.b": "x" }, GOOD_GZ)],
      want: /with error: invalid label name 'a\.b'$/,
    },
    {
      name: "duplicate label names",
      series: [rawSeries([["__name__", "process_cpu"], ["env", "b"], ["service_name", "svc"], ["env", "a"]], GOOD_GZ)],
      want: `profile with labels '{__name__="process_cpu", env="a", env="b", service_name="svc"}' has duplicate label name: 'env'`,
      reason: "duplicate_label_names",
    },
    {
      name: "31 label names (30 allowed)",
      series: [rawSeries([["__name__", "process_cpu"], ["service_name", "svc"], ...extraLabels(29)], GOOD_GZ)],
      want: /^profile series '\{__name__="process_cpu", l00="v", .*\}' has 31 label names; limit 30$/,
      reason: "max_label_names_per_series",
    },
    {
      name: "30 labels plus the defaulted service_name",
      series: [rawSeries([["__name__", "process_cpu"], ...extraLabels(29)], GOOD_GZ)],
      want: /service_name="unspecified"\}' has 31 label names; limit 30$/,
    },
    {
      name: "a label value of 2049 bytes (2048 allowed)",
      series: [rawSeries({ __name__: "process_cpu", service_name: "v".repeat(2049) }, GOOD_GZ)],
      want: `profile with labels '{__name__="process_cpu", service_name="${"v".repeat(2049)}"}' has label value too long: '${"v".repeat(2049)}'`,
      reason: "label_value_too_long",
    },
    {
      name: "a label name of 1025 bytes (1024 allowed)",
      series: [rawSeries({ __name__: "process_cpu", ["n".repeat(1025)]: "x" }, GOOD_GZ)],
      want: /has label name too long: 'n{1025}'$/,
      reason: "label_name_too_long",
    },
    {
      name: "one bad series among good ones",
      series: [cpuTotal({ __name__: "process_cpu", service_name: "good-before" }, 5, T0), rawSeries({ __name__: "process_cpu", "x-y": "1" }, GOOD_GZ)],
      want: /invalid label name 'x-y'/,
    },
  ];
  for (const c of labelCases) {
    it(`rejects ${c.name}: 400 invalid_argument`, async () => {
      const before = c.reason ? await discarded(s, c.reason) : 0;
      const err = await rejection(s.clients().push.push({ series: c.series }));
      assert.equal(err.code, Code.InvalidArgument);
      if (typeof c.want === "string") assert.equal(err.rawMessage, c.want);
      else assert.match(err.rawMessage, c.want);
      if (c.reason) assert.equal(await discarded(s, c.reason), before + 1, `discarded ${c.reason}`);
    });
  }

  it("stores nothing of a push that had one invalid series", async () => {
    const res = await s.clients().querier.labelValues({ name: "service_name" });
    assert.ok(!res.names.includes("good-before"), JSON.stringify(res.names));
  });

  it("answers rejections over HTTP as status 400 with a Connect JSON error", async () => {
    const res = await postConnectJson(s.url, PUSH, { series: [{ labels: [{ name: "service_name", value: "x" }], samples: [{ rawProfile: Buffer.from(GOOD_GZ).toString("base64") }] }] });
    assert.equal(res.status, 400);
    assert.deepEqual(connectErrorBody(res), { code: "invalid_argument", message: `invalid labels '{service_name="x"}' with error: invalid metric name` });
  });

  it("rejects a label value that is not valid UTF-8 (a lone surrogate in JSON)", async () => {
    const body = `{"series":[{"labels":[{"name":"__name__","value":"process_cpu"},{"name":"env","value":"\\ud800"}],"samples":[{"rawProfile":"${Buffer.from(GOOD_GZ).toString("base64")}"}]}]}`;
    const res = await postConnectJson(s.url, PUSH, body);
    assert.equal(res.status, 400, res.text);
    assert.equal(connectErrorBody(res).code, "invalid_argument");
  });

  it("accepts the limits exactly: 30 label names, 2048-byte value, 1024-byte name", async () => {
    await s.clients().push.push({ series: [rawSeries([["__name__", "process_cpu"], ["service_name", "thirty"], ...extraLabels(28)], GOOD_GZ)] });
    await s.clients().push.push({ series: [rawSeries({ __name__: "process_cpu", service_name: "w".repeat(2048) }, GOOD_GZ)] });
    await s.clients().push.push({ series: [rawSeries({ __name__: "process_cpu", service_name: "long-name", ["n".repeat(1024)]: "x" }, GOOD_GZ)] });
    const values = (await s.clients().querier.labelValues({ name: "service_name" })).names;
    for (const v of ["thirty", "w".repeat(2048), "long-name"]) assert.ok(values.includes(v), v.slice(0, 20));
  });

  it("defaults a missing service_name to unspecified and keeps a given one", async () => {
    await s.clients().push.push({
      series: [rawSeries({ __name__: "process_cpu", job: "no-service" }, GOOD_GZ), rawSeries({ __name__: "process_cpu", job: "with-service", service_name: "mine" }, GOOD_GZ)],
    });
    const q = s.clients().querier;
    const series = await q.series({ matchers: ['{job=~"no-service|with-service"}'], labelNames: ["job", "service_name", "__service_name__"] });
    assert.deepEqual(
      series.labelsSet.map((l) => l.labels.map((p) => `${p.name}=${p.value}`)),
      [
        ["__service_name__=mine", "job=with-service", "service_name=mine"],
        ["__service_name__=unspecified", "job=no-service", "service_name=unspecified"],
      ],
    );
  });

  const badProfiles = [
    { name: "random bytes", raw: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 0xff, 0xfe]), code: Code.InvalidArgument, want: /malformed pprof/ },
    { name: "plain text", raw: Buffer.from("this is not a profile at all"), code: Code.InvalidArgument, want: /malformed pprof/ },
    { name: "gzip cut in half", raw: GOOD_GZ.subarray(0, GOOD_GZ.length >> 1), code: Code.InvalidArgument, want: /not valid gzip/ },
    { name: "gzip magic then garbage", raw: new Uint8Array([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff, 1, 2, 3]), code: Code.InvalidArgument, want: /gzip/ },
    { name: "raw pprof cut inside the string table", raw: GOOD_RAW.subarray(0, GOOD_RAW.length - 40), code: Code.InvalidArgument, want: /malformed pprof|string|truncat|end/ },
    { name: "gzipped pprof whose payload is cut", raw: gzipSync(GOOD_RAW.subarray(0, GOOD_RAW.length - 40)), code: Code.InvalidArgument, want: /malformed pprof|string|truncat|end/ },
    { name: "strings that are not UTF-8 (testdata)", raw: readFileSync("testdata/malformed/invalid_utf8.pb.gz"), code: Code.InvalidArgument, want: /UTF-8/ },
    { name: "a gzip bomb (80 MiB of zeros)", raw: gzipSync(Buffer.alloc(80 * 1024 * 1024)), code: undefined, want: /larger than|too large|exceed/ },
  ];
  for (const c of badProfiles) {
    it(`rejects a raw_profile of ${c.name} with a 4xx and a message`, async () => {
      const body = toBinary(PushRequestSchema, create(PushRequestSchema, { series: [rawSeries({ __name__: "process_cpu", service_name: "bad-profile" }, c.raw)] }));
      const res = await post(s.url, PUSH, body, { "content-type": "application/proto" });
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}: ${res.text}`);
      const e = connectErrorBody(res);
      if (c.code === Code.InvalidArgument) assert.equal(e.code, "invalid_argument");
      assert.match(e.message, c.want);
    });
  }

  it("rejects an RPC body whose declared length is over the limit before reading it", async () => {
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(`${s.url}${PUSH}`, { method: "POST", headers: { "content-type": "application/proto", "content-length": String(300 * 1024 * 1024) } }, (res) => {
        let d = "";
        res.on("data", (c: Buffer) => (d += c.toString()));
        res.on("end", () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, text: d });
        });
      });
      req.on("error", reject);
      req.write(Buffer.alloc(1024));
    });
    assert.ok(status >= 400 && status < 500, `status ${status}`);
    assert.match(text, /larger than/);
  });

  it("rejects a gzipped RPC body that inflates past the limit", async () => {
    const body = toBinary(PushRequestSchema, create(PushRequestSchema, { series: [rawSeries({ __name__: "process_cpu" }, new Uint8Array(300 * 1024 * 1024))] }));
    const res = await post(s.url, PUSH, gzipSync(body), { "content-type": "application/proto", "content-encoding": "gzip" });
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    assert.match(connectErrorBody(res).message, /larger than/);
  });

  it("keeps serving after every rejection: a valid push and a query work", async () => {
    await s.clients().push.push({ series: [cpuTotal({ __name__: "process_cpu", service_name: "after-errors" }, 77, T0)] });
    const res = await s.clients().querier.selectMergeStacktraces({
      profileTypeID: CPU,
      labelSelector: '{service_name="after-errors"}',
      start: BigInt(T0 - 1000),
      end: BigInt(T0 + 1000),
    });
    assert.equal(fgTotal(res), 77);
    const values = (await s.clients().querier.labelValues({ name: "service_name" })).names;
    assert.ok(!values.includes("bad-profile"));
  });
});

describe("push validation with label limits from flags", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(["-validation.max-length-label-name=16", "-validation.max-length-label-value=12", "-validation.max-label-names-per-series=4"]);
  });
  after(() => s.stop());

  const cases: { name: string; labels: Record<string, string>; want: RegExp | undefined }[] = [
    { name: "a 13-byte value", labels: { __name__: "process_cpu", service_name: "abcdefghijklm" }, want: /has label value too long: 'abcdefghijklm'$/ },
    { name: "a 12-byte value", labels: { __name__: "process_cpu", service_name: "abcdefghijkl" }, want: undefined },
    { name: "7 characters that are 14 bytes", labels: { __name__: "process_cpu", service_name: "ééééééé" }, want: /has label value too long: 'ééééééé'$/ },
    { name: "a metric name over the value limit", labels: { __name__: "process_cpu_long", service_name: "s" }, want: /has label value too long: 'process_cpu_long'$/ },
    { name: "a 17-byte name", labels: { __name__: "process_cpu", service_name: "s", abcdefghijklmnopq: "v" }, want: /has label name too long: 'abcdefghijklmnopq'$/ },
    { name: "a 16-byte name", labels: { __name__: "process_cpu", service_name: "s2", abcdefghijklmnop: "v" }, want: undefined },
    { name: "5 label names", labels: { __name__: "process_cpu", service_name: "s", a: "1", b: "2", c: "3" }, want: /has 5 label names; limit 4$/ },
    { name: "4 label names", labels: { __name__: "process_cpu", service_name: "s3", a: "1", b: "2" }, want: undefined },
  ];
  for (const c of cases) {
    it(`${c.want ? "rejects" : "accepts"} ${c.name}`, async () => {
      const p = s.clients().push.push({ series: [rawSeries(c.labels, GOOD_GZ)] });
      if (c.want === undefined) {
        await p;
        return;
      }
      const err = await rejection(p);
      assert.equal(err.code, Code.InvalidArgument);
      assert.match(err.rawMessage, c.want);
    });
  }
});
