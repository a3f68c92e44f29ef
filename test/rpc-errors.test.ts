/**
 * Error responses as Phlare's connect-go served them: a body that is not valid
 * protobuf is invalid_argument on every protocol, and Connect statuses follow
 * connect-go 1.4 (unimplemented → 404).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { PushRequestSchema } from "../src/gen/push/v1/push_pb.js";
import * as grpc from "@grpc/grpc-js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

describe("RPC error responses", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.stop());

  it("answers a truncated binary body with 400 invalid_argument", async () => {
    const res = await fetch(`${s.url}/push.v1.PusherService/Push`, {
      method: "POST",
      headers: { "content-type": "application/proto" },
      body: new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { code: string; message: string };
    assert.equal(body.code, "invalid_argument");
    assert.match(body.message, /premature EOF|parse binary/);
  });

  it("answers gRPC with status 3 for a truncated message", async () => {
    const client = new grpc.Client(`127.0.0.1:${s.app.port}`, grpc.credentials.createInsecure());
    const err = await new Promise<grpc.ServiceError | null>((resolve) => {
      client.makeUnaryRequest(
        "/push.v1.PusherService/Push",
        () => Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
        (b: Buffer) => b,
        create(PushRequestSchema, {}),
        (e) => resolve(e),
      );
    });
    client.close();
    assert.equal(err?.code, grpc.status.INVALID_ARGUMENT);
  });

  it("answers an unserved RPC with 404 unimplemented", async () => {
    const res = await fetch(`${s.url}/querier.v1.QuerierService/SelectMergeSpanProfile`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ profileTypeID: "process_cpu:cpu:nanoseconds:cpu:nanoseconds", labelSelector: "{}", start: 0, end: 1 }),
    });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { code: string }).code, "unimplemented");
  });

  it("keeps 400 for invalid_argument", async () => {
    const res = await fetch(`${s.url}/querier.v1.QuerierService/SelectSeries`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ profileTypeID: "bad", labelSelector: "{}", start: 0, end: 1, step: 1 }),
    });
    assert.equal(res.status, 400);
  });
});
