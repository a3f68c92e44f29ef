/**
 * Wire details of the RPC endpoints: protojson leniency (int64 as numbers or
 * strings, proto and lowerCamel field names mixed, unknown fields), unknown binary
 * fields, response codecs mirroring the request, int64 as JSON strings, a gzipped
 * push without Connect headers (pyroscope-rs), and the other transports: gRPC-Web,
 * gRPC over h2c, Connect over HTTP/2.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { PushRequestSchema, PushResponseSchema, PusherService, RawProfileSeriesSchema } from "../src/gen/push/v1/push_pb.js";
import {
  QuerierService,
  SelectMergeStacktracesRequestSchema,
  SelectMergeStacktracesResponseSchema,
  SelectSeriesRequestSchema,
  SelectSeriesResponseSchema,
} from "../src/gen/querier/v1/querier_pb.js";
import { CPU, cpuTotal, post, postConnectJson, postProto, recentMs } from "./helpers/api.js";
import { grpcUnary } from "./helpers/grpc.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const T0 = recentMs();
const START = T0 - 1_000;
const END = T0 + 1_000;
const WIRE = '{service_name="wire"}';
const SMS = "/querier.v1.QuerierService/SelectMergeStacktraces";

/** Appends field 99 (varint 1) and field 100 (length-delimited "x"): unknown to every message here. */
function withUnknownFields(bytes: Uint8Array): Uint8Array {
  return Buffer.concat([bytes, Buffer.from([0x98, 0x06, 0x01, 0xa2, 0x06, 0x01, 0x78])]);
}

function flameTotal(json: unknown): unknown {
  return (json as { flamegraph?: { total?: unknown } }).flamegraph?.total;
}

describe("Connect wire details", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    await s.clients().push.push({ series: [cpuTotal({ __name__: "process_cpu", service_name: "wire" }, 123, T0)] });
  });
  after(() => s.stop());

  const jsonRequests = [
    { name: "int64 as strings, lowerCamel names", body: { profileTypeID: CPU, labelSelector: WIRE, start: String(START), end: String(END) } },
    { name: "int64 as numbers", body: { profileTypeID: CPU, labelSelector: WIRE, start: START, end: END } },
    { name: "proto field names", body: { profile_typeID: CPU, label_selector: WIRE, start: START, end: String(END), max_nodes: 10 } },
    { name: "proto and lowerCamel names mixed", body: { profile_typeID: CPU, labelSelector: WIRE, start: String(START), end: END, maxNodes: "10" } },
    { name: "unknown fields", body: { profileTypeID: CPU, labelSelector: WIRE, start: START, end: END, shinyNewField: { nested: [1, "a"] }, another: null } },
  ];
  for (const c of jsonRequests) {
    it(`accepts a JSON request with ${c.name}`, async () => {
      const res = await postConnectJson(s.url, SMS, c.body);
      assert.equal(res.status, 200, res.text);
      assert.equal(flameTotal(res.json), "123");
    });
  }

  it("accepts JSON with a charset parameter and Connect-Protocol-Version: 1", async () => {
    const res = await post(s.url, SMS, JSON.stringify({ profileTypeID: CPU, labelSelector: WIRE, start: START, end: END }), {
      "content-type": "application/json; charset=utf-8",
      "connect-protocol-version": "1",
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(flameTotal(res.json), "123");
  });

  it("answers JSON with JSON: int64 as strings, lowerCamel names, defaults omitted", async () => {
    const res = await postConnectJson(s.url, SMS, { profileTypeID: CPU, labelSelector: WIRE, start: START, end: END });
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    const fg = (res.json as { flamegraph: Record<string, unknown> }).flamegraph;
    assert.deepEqual(fg, {
      names: ["total", "main", "work"],
      levels: [{ values: ["0", "123", "0", "0"] }, { values: ["0", "123", "0", "1"] }, { values: ["0", "123", "123", "2"] }],
      total: "123",
      maxSelf: "123",
    });
    const types = await postConnectJson(s.url, "/querier.v1.QuerierService/ProfileTypes", {});
    assert.deepEqual((types.json as { profileTypes: unknown[] }).profileTypes[0], {
      ID: CPU,
      name: "process_cpu",
      sampleType: "cpu",
      sampleUnit: "nanoseconds",
      periodType: "cpu",
      periodUnit: "nanoseconds",
    });
    const none = await postConnectJson(s.url, "/querier.v1.QuerierService/LabelNames", { matchers: ['{service_name="none"}'] });
    assert.deepEqual(none.json, {});
  });

  it("answers SelectSeries JSON with timestamps as strings and values as numbers, group_by by proto name", async () => {
    const res = await postConnectJson(s.url, "/querier.v1.QuerierService/SelectSeries", {
      profile_typeID: CPU,
      label_selector: WIRE,
      start: T0,
      end: String(T0),
      step: 1.5,
      group_by: ["service_name"],
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { series: [{ labels: [{ name: "service_name", value: "wire" }], points: [{ value: 123, timestamp: String(T0) }] }] });
  });

  it("answers application/proto with application/proto", async () => {
    const req = create(SelectMergeStacktracesRequestSchema, { profileTypeID: CPU, labelSelector: WIRE, start: BigInt(START), end: BigInt(END) });
    const res = await postProto(s.url, SMS, SelectMergeStacktracesRequestSchema, req);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/proto/);
    assert.equal(fromBinary(SelectMergeStacktracesResponseSchema, res.body).flamegraph?.total, 123n);
  });

  it("ignores unknown fields in a binary request", async () => {
    const req = create(SelectSeriesRequestSchema, { profileTypeID: CPU, labelSelector: WIRE, start: BigInt(T0), end: BigInt(T0), step: 10 });
    const res = await post(s.url, "/querier.v1.QuerierService/SelectSeries", withUnknownFields(toBinary(SelectSeriesRequestSchema, req)), {
      "content-type": "application/proto",
    });
    assert.equal(res.status, 200, res.text);
    const series = fromBinary(SelectSeriesResponseSchema, res.body).series;
    assert.deepEqual(series.map((x) => x.points.map((p) => p.value)), [[123]]);
  });

  it("ignores unknown fields in a binary push, including inside nested messages", async () => {
    const push = create(PushRequestSchema, { series: [cpuTotal({ __name__: "process_cpu", service_name: "unknown-fields" }, 9, T0)] });
    const series = withUnknownFields(toBinary(RawProfileSeriesSchema, push.series[0]!));
    // series is field 1 of PushRequest: tag 0x0a, then the length.
    const body = Buffer.concat([Buffer.from([0x0a]), varint(series.length), series, Buffer.from([0x98, 0x06, 0x02])]);
    const res = await post(s.url, "/push.v1.PusherService/Push", body, { "content-type": "application/proto" });
    assert.equal(res.status, 200, res.text);
    const values = (await s.clients().querier.labelValues({ name: "service_name" })).names;
    assert.ok(values.includes("unknown-fields"));
  });

  it("accepts a gzipped binary push without Connect headers, as pyroscope-rs sends it", async () => {
    const push = create(PushRequestSchema, { series: [cpuTotal({ __name__: "process_cpu", service_name: "rust-client" }, 31, T0)] });
    const res = await fetch(`${s.url}/push.v1.PusherService/Push`, {
      method: "POST",
      headers: { "Content-Type": "application/proto", "Content-Encoding": "gzip" },
      body: gzipSync(toBinary(PushRequestSchema, push)),
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(fromBinary(PushResponseSchema, new Uint8Array(await res.arrayBuffer())).$typeName, "push.v1.PushResponse");
    const fg = await s.clients().querier.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: '{service_name="rust-client"}', start: BigInt(START), end: BigInt(END) });
    assert.equal(fg.flamegraph?.total, 31n);
  });

  it("accepts a gzipped JSON request", async () => {
    const body = gzipSync(JSON.stringify({ profileTypeID: CPU, labelSelector: WIRE, start: START, end: END }));
    const res = await post(s.url, SMS, body, { "content-type": "application/json", "content-encoding": "gzip" });
    assert.equal(res.status, 200, res.text);
    assert.equal(flameTotal(res.json), "123");
  });

  it("rejects an unsupported request encoding with a Connect unimplemented error", async () => {
    const res = await post(s.url, SMS, "{}", { "content-type": "application/json", "content-encoding": "snappy" });
    assert.notEqual(res.status, 200);
    assert.equal((res.json as { code?: string }).code, "unimplemented");
  });

  const transports: { name: string; make: (url: string) => Transport }[] = [
    { name: "gRPC-Web (HTTP/1.1)", make: (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }) },
    { name: "gRPC-Web JSON (HTTP/1.1)", make: (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false }) },
    { name: "gRPC over h2c", make: (baseUrl) => createGrpcTransport({ baseUrl }) },
    { name: "Connect over HTTP/2", make: (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "2" }) },
    { name: "Connect JSON over HTTP/2", make: (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: false }) },
  ];
  for (const t of transports) {
    it(`serves push and querier calls over ${t.name}`, async () => {
      const transport = t.make(s.url);
      const service = `via-${t.name.replace(/[^a-zA-Z0-9]+/g, "-")}`;
      await createClient(PusherService, transport).push({ series: [cpuTotal({ __name__: "process_cpu", service_name: service }, 17, T0)] });
      const q = createClient(QuerierService, transport);
      const fg = await q.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: `{service_name="${service}"}`, start: BigInt(START), end: BigInt(END) });
      assert.equal(fg.flamegraph?.total, 17n);
      const values = await q.labelValues({ name: "service_name", matchers: [`{service_name="${service}"}`] });
      assert.deepEqual(values.names, [service]);
    });

    it(`reports errors with their code over ${t.name}`, async () => {
      const q = createClient(QuerierService, t.make(s.url));
      await assert.rejects(q.selectSeries({ profileTypeID: CPU, labelSelector: "{}", start: BigInt(START), end: BigInt(END), step: 0 }), (err: unknown) => {
        assert.ok(err instanceof ConnectError);
        assert.equal(err.code, Code.InvalidArgument);
        assert.equal(err.rawMessage, "step must be non-zero");
        return true;
      });
    });
  }

  it("serves a querier call to @grpc/grpc-js over h2c, errors as gRPC status codes", async () => {
    const address = `127.0.0.1:${s.app.port}`;
    const res = await grpcUnary(
      address,
      SMS,
      SelectMergeStacktracesRequestSchema,
      SelectMergeStacktracesResponseSchema,
      create(SelectMergeStacktracesRequestSchema, { profileTypeID: CPU, labelSelector: '{service_name="wire"}', start: BigInt(START), end: BigInt(END) }),
    );
    assert.equal(res.flamegraph?.total, 123n);
    await assert.rejects(
      grpcUnary(address, SMS, SelectMergeStacktracesRequestSchema, SelectMergeStacktracesResponseSchema,
        create(SelectMergeStacktracesRequestSchema, { profileTypeID: CPU, labelSelector: "{oops", start: BigInt(START), end: BigInt(END) })),
      (err: unknown) => {
        assert.equal((err as { code?: number }).code, 3);
        assert.match((err as { details?: string }).details ?? "", /parse error/);
        return true;
      },
    );
  });
});

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
