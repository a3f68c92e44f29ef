import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyFlag, defaultsOf, getPath } from "../config/field.js";
import { FlagError } from "../model/errors.js";
import { querySchedulerFields } from "./config.js";

function field(flag: string): (typeof querySchedulerFields)[number] {
  const f = querySchedulerFields.find((x) => x.flag === flag);
  assert.ok(f, `no field ${flag}`);
  return f;
}

describe("query-scheduler config", () => {
  it("has Phlare's defaults", () => {
    assert.deepEqual(defaultsOf(querySchedulerFields), {
      query_scheduler: { max_outstanding_requests_per_tenant: 100, service_discovery_mode: "ring" },
      frontend: { scheduler_address: "" },
      frontend_worker: { scheduler_address: "", id: "" },
    });
  });

  const flags: [string, string, string, unknown][] = [
    ["query-scheduler.max-outstanding-requests-per-tenant", "7", "query_scheduler.max_outstanding_requests_per_tenant", 7],
    ["query-scheduler.service-discovery-mode", "dns", "query_scheduler.service_discovery_mode", "dns"],
    ["query-frontend.scheduler-address", "sched:9095", "frontend.scheduler_address", "sched:9095"],
    ["querier.scheduler-address", "sched:9095", "frontend_worker.scheduler_address", "sched:9095"],
  ];
  for (const [flag, raw, path, want] of flags) {
    it(`-${flag} sets ${path}`, () => {
      const tree = defaultsOf(querySchedulerFields);
      applyFlag(tree, field(flag), raw);
      assert.equal(getPath(tree, path), want);
    });
  }

  it("rejects an unknown discovery mode", () => {
    const tree = defaultsOf(querySchedulerFields);
    assert.throws(
      () => applyFlag(tree, field("query-scheduler.service-discovery-mode"), "consul"),
      (err: unknown) => err instanceof FlagError && /unsupported query-scheduler service discovery mode: consul/.test(err.message),
    );
  });
});
