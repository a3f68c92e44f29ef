import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { InvalidArgumentError, LimitExceededError, NotFoundError, UnauthenticatedError, UnimplementedError } from "../model/errors.js";
import { codeOf } from "../server/errors.js";
import { nopLogger } from "../server/logger.js";
import { SchedulerDiscovery } from "./discovery.js";
import { domainError, SchedulerQuerierClient } from "./frontend-client.js";

describe("domainError", () => {
  const cases: [Code, new (...args: never[]) => Error][] = [
    [Code.InvalidArgument, InvalidArgumentError],
    [Code.ResourceExhausted, LimitExceededError],
    [Code.NotFound, NotFoundError],
    [Code.Unauthenticated, UnauthenticatedError],
    [Code.Unimplemented, UnimplementedError],
    [Code.Unavailable, ConnectError],
    [Code.Internal, ConnectError],
  ];
  for (const [code, type] of cases) {
    it(`${Code[code]} keeps its code and message`, () => {
      const err = domainError(code, "what went wrong");
      assert.ok(err instanceof type);
      assert.equal(codeOf(err), code);
      assert.equal(err instanceof ConnectError ? err.rawMessage : err.message, "what went wrong");
    });
  }
});

describe("SchedulerQuerierClient without schedulers", () => {
  it("fails with unavailable when no address is known, and once closed", async () => {
    const discovery = new SchedulerDiscovery({ addresses: [], mode: "ring", logger: nopLogger() });
    const client = new SchedulerQuerierClient({ discovery });
    await assert.rejects(client.labelNames("t1", { selectors: [] }), (err: unknown) => codeOf(err) === Code.Unavailable);
    client.close();
    await assert.rejects(client.labelNames("t1", { selectors: [] }), /closed/);
  });
});
