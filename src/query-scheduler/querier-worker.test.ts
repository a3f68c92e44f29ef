/**
 * Real servers on 127.0.0.1: a query-scheduler, a querier (a real Querier over an in-process
 * ingester, pulling through its worker) and a query-frontend whose querier is the scheduler
 * client. The same frontend over the in-process querier is the reference.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { defaultLimits } from "../config/limits.js";
import type { Limits } from "../config/limits.js";
import { ProfileFormat, QuerierService } from "../gen/querier/v1/querier_pb.js";
import { TimeSeriesAggregationType } from "../gen/types/v1/types_pb.js";
import { registerQuerierService } from "../querier/service.js";
import { QueryFrontend } from "../query-frontend/frontend.js";
import { nopLogger } from "../server/logger.js";
import { SchedulerDiscovery } from "./discovery.js";
import { SchedulerQuerierClient } from "./frontend-client.js";
import { concurrencyPerTarget, startQuerierWorker } from "./querier-worker.js";
import type { QuerierWorker } from "./querier-worker.js";
import { connectScheduler } from "./remote.js";
import type { SchedulerConnection } from "./remote.js";
import { QueryScheduler } from "./scheduler.js";
import { registerSchedulerService } from "./service.js";
import { createTestQuerier, DATA_END_MS, DATA_START_MS, RecordingQuerier, startServer, waitFor } from "./test-cluster.js";
import type { TestServer } from "./test-cluster.js";

const CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";
const S = BigInt(DATA_START_MS);
const E = BigInt(DATA_END_MS);
const MAX_OUTSTANDING = 5;
// Split by the hour, so flame graphs and series come back in pieces the frontend merges; two
// pieces at a time, so that a diff (two merges) stays within MAX_OUTSTANDING.
const limits = (): Limits => ({ ...defaultLimits(), split_queries_by_interval: 3_600_000, max_query_parallelism: 2, max_query_lookback: 0 });

type QuerierClient = Client<typeof QuerierService>;

function querierClient(server: TestServer, tenant: string): QuerierClient {
  const transport = createConnectTransport({
    baseUrl: `http://${server.address}`,
    httpVersion: "1.1",
    useBinaryFormat: true,
    interceptors: [
      (next) => async (req) => {
        req.header.set("X-Scope-OrgID", tenant);
        return next(req);
      },
    ],
  });
  return createClient(QuerierService, transport);
}

function codeOfRejection(code: Code): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.equal(Code[ConnectError.from(err).code], Code[code], ConnectError.from(err).message);
    return true;
  };
}

describe("concurrencyPerTarget", () => {
  const cases: [number, number, number[]][] = [
    [4, 1, [4]],
    [4, 2, [2, 2]],
    [5, 2, [3, 2]],
    [2, 3, [1, 1, 1]],
    [4, 0, []],
  ];
  for (const [max, targets, want] of cases) {
    it(`${max} over ${targets} schedulers`, () => assert.deepEqual(concurrencyPerTarget(max, targets), want));
  }
});

describe("query-scheduler between a frontend and a querier", { timeout: 120_000 }, () => {
  let data: Awaited<ReturnType<typeof createTestQuerier>>;
  let recorder: RecordingQuerier;
  let scheduler: QueryScheduler;
  let schedulerServer: TestServer;
  let referenceServer: TestServer;
  let frontendServer: TestServer;
  let client: SchedulerQuerierClient;
  let discovery: SchedulerDiscovery;
  let worker: QuerierWorker;
  const workerConnections: SchedulerConnection[] = [];

  const newScheduler = async (port?: number): Promise<void> => {
    scheduler = new QueryScheduler({ maxOutstandingPerTenant: MAX_OUTSTANDING, logger: nopLogger() });
    const s = scheduler;
    schedulerServer = await startServer((r) => registerSchedulerService(r, s), port === undefined ? {} : { port });
  };

  before(async () => {
    data = await createTestQuerier();
    recorder = new RecordingQuerier(data.querier);
    await newScheduler();
    worker = startQuerierWorker({
      addresses: [schedulerServer.address],
      maxConcurrent: 1,
      querier: recorder,
      logger: nopLogger(),
      id: "querier-1",
      backoffMinMs: 10,
      backoffMaxMs: 100,
      stopTimeoutMs: 10_000,
      connect: (target) => {
        const c = connectScheduler(target);
        workerConnections.push(c);
        return c;
      },
    });
    referenceServer = await startServer((r) => registerQuerierService(r, new QueryFrontend({ querier: data.querier, limits }), limits), { multitenancy: true });
    discovery = new SchedulerDiscovery({ addresses: [schedulerServer.address], mode: "ring", logger: nopLogger() });
    client = new SchedulerQuerierClient({ discovery });
    frontendServer = await startServer((r) => registerQuerierService(r, new QueryFrontend({ querier: client, limits }), limits), { multitenancy: true });
    await waitFor(() => scheduler.openStreams() === 1);
  });

  after(async () => {
    recorder?.release();
    await worker?.stop();
    client?.close();
    for (const s of [frontendServer, referenceServer, schedulerServer]) await s?.stop();
    scheduler?.stop();
    await data?.close();
  });

  const cases: [string, (c: QuerierClient) => Promise<unknown>, (r: unknown) => boolean][] = [
    ["ProfileTypes", (c) => c.profileTypes({ start: S, end: E }), (r) => JSON.stringify(r).includes(CPU)],
    ["LabelNames", (c) => c.labelNames({ matchers: ['{service_name=~"svc-.*"}'], start: S, end: E }), (r) => JSON.stringify(r).includes("region")],
    ["LabelValues", (c) => c.labelValues({ name: "service_name", matchers: ['{region="eu"}'], start: S, end: E }), (r) => JSON.stringify(r).includes("svc-b")],
    ["Series", (c) => c.series({ matchers: ['{region="us"}', '{service_name="svc-a"}'], labelNames: ["service_name", "region"], start: S, end: E }), (r) => JSON.stringify(r).includes("svc-a")],
    [
      "SelectMergeStacktraces flame graph",
      (c) => c.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: '{service_name="svc-a"}', start: S, end: E }),
      (r) => JSON.stringify(r).includes("svc-a.run"),
    ],
    [
      "SelectMergeStacktraces tree truncated to 3 nodes",
      (c) => c.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: "", start: S, end: E, format: ProfileFormat.TREE, maxNodes: 3n }),
      (r) => JSON.stringify(r).length > 100,
    ],
    [
      "SelectMergeProfile",
      (c) => c.selectMergeProfile({ profileTypeID: CPU, labelSelector: '{region!="eu"}', start: S, end: E }),
      (r) => JSON.stringify(r).includes("work"),
    ],
    [
      "SelectSeries",
      (c) => c.selectSeries({ profileTypeID: CPU, labelSelector: "{}", start: S, end: E, step: 600, groupBy: ["service_name"] }),
      (r) => JSON.stringify(r).includes("svc-b"),
    ],
    [
      "SelectSeries average, top 1",
      (c) =>
        c.selectSeries({
          profileTypeID: CPU,
          labelSelector: '{service_name="svc-b"}',
          start: S,
          end: E,
          step: 1200,
          groupBy: ["region"],
          aggregation: TimeSeriesAggregationType.AVERAGE,
          limit: 1n,
        }),
      (r) => JSON.stringify(r).includes("region"),
    ],
    [
      "Diff",
      (c) =>
        c.diff({
          left: { profileTypeID: CPU, labelSelector: '{region="eu"}', start: S, end: E },
          right: { profileTypeID: CPU, labelSelector: '{region="us"}', start: S, end: E },
        }),
      (r) => JSON.stringify(r).includes("leftTicks"),
    ],
  ];
  for (const [name, call, nonEmpty] of cases) {
    it(`${name} answers as the in-process path does`, async () => {
      const before = recorder.calls.length;
      const [remote, local] = await Promise.all([call(querierClient(frontendServer, "t1")), call(querierClient(referenceServer, "t1"))]);
      assert.deepEqual(remote, local);
      assert.ok(nonEmpty(JSON.parse(JSON.stringify(local, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)))), "the answer is not empty");
      assert.ok(recorder.calls.length > before, "the querier worker ran the query");
      assert.ok(recorder.calls.slice(before).every((c) => c.startsWith("t1:")), "as tenant t1");
    });
  }

  it("passes a querier's error back to the frontend with its code", async () => {
    await assert.rejects(
      querierClient(frontendServer, "t1").selectMergeStacktraces({ profileTypeID: CPU, labelSelector: '{service_name=~"("}', start: S, end: E }),
      codeOfRejection(Code.InvalidArgument),
    );
  });

  it("refuses a flooding tenant past the limit while another tenant's query gets the next turn", async () => {
    await waitFor(() => scheduler.queueLengths().size === 0);
    recorder.hold();
    const start = recorder.calls.length;
    const flood = querierClient(frontendServer, "flood");
    const pending = [flood.labelNames({})];
    await waitFor(() => recorder.calls.length === start + 1);
    assert.deepEqual(recorder.calls.slice(start), ["flood:labelNames"]);
    for (let i = 0; i < MAX_OUTSTANDING; i++) pending.push(flood.labelNames({}));
    await waitFor(() => scheduler.queueLengths().get("flood") === MAX_OUTSTANDING);

    const res = await fetch(`http://${frontendServer.address}/querier.v1.QuerierService/LabelNames`, {
      method: "POST",
      headers: { "content-type": "application/json", "X-Scope-OrgID": "flood" },
      body: "{}",
    });
    assert.equal(res.status, 429);
    const body = (await res.json()) as { code: string; message: string };
    assert.equal(body.code, "resource_exhausted");
    assert.match(body.message, /too many outstanding requests/);
    await assert.rejects(flood.labelNames({}), codeOfRejection(Code.ResourceExhausted));

    const quiet = querierClient(frontendServer, "quiet").labelNames({});
    await waitFor(() => scheduler.queueLengths().get("quiet") === 1);
    recorder.release();
    await Promise.all([...pending, quiet]);
    const order = recorder.calls.slice(start);
    assert.equal(order.length, MAX_OUTSTANDING + 2);
    // The running flood query, at most one more flood turn, then the quiet tenant.
    assert.ok(order.indexOf("quiet:labelNames") <= 2, `quiet ran at position ${order.indexOf("quiet:labelNames")}: ${order.join(", ")}`);
  });

  it("fails the running query with unavailable when the querier's connection dies", async () => {
    recorder.hold();
    const start = recorder.calls.length;
    const running = querierClient(frontendServer, "t1").labelNames({});
    await waitFor(() => recorder.calls.length === start + 1);
    assert.deepEqual(recorder.calls.slice(start), ["t1:labelNames"]);
    for (const c of workerConnections) c.close();
    await assert.rejects(running, (err: unknown) => {
      codeOfRejection(Code.Unavailable)(err);
      assert.match(ConnectError.from(err).rawMessage, /querier querier-1 went away/);
      return true;
    });
    recorder.release();
    await waitFor(() => scheduler.openStreams() === 1);
    const again = await querierClient(frontendServer, "t1").labelNames({});
    assert.ok(again.names.includes("service_name"));
  });

  it("removes a call from the queue when its frontend stops waiting", async () => {
    recorder.hold();
    const start = recorder.calls.length;
    const running = querierClient(frontendServer, "t1").labelNames({});
    await waitFor(() => recorder.calls.length === start + 1);
    const impatient = new SchedulerQuerierClient({ discovery, timeoutMs: 50 });
    try {
      await assert.rejects(impatient.labelNames("t2", { selectors: [] }), codeOfRejection(Code.DeadlineExceeded));
      await waitFor(() => scheduler.queueLengths().get("t2") === undefined);
    } finally {
      impatient.close();
    }
    recorder.release();
    await running;
    assert.deepEqual(recorder.calls.slice(start), ["t1:labelNames"], "the abandoned call never ran");
  });

  it("keeps working across a scheduler restart on the same address", async () => {
    const port = schedulerServer.port;
    await schedulerServer.stop();
    scheduler.stop();
    await newScheduler(port);
    await waitFor(() => scheduler.openStreams() === 1);
    assert.equal(scheduler.connectedQueriers(), 1);
    const r = await querierClient(frontendServer, "t2").labelValues({ name: "service_name", start: S, end: E });
    assert.deepEqual(r.names, ["svc-a", "svc-b"]);
  });

  it("fails over to the next scheduler when one is unreachable", async () => {
    const dead = await startServer(() => undefined);
    const deadAddress = dead.address;
    await dead.stop();
    const d = new SchedulerDiscovery({ addresses: [deadAddress, schedulerServer.address], mode: "ring", logger: nopLogger() });
    const c = new SchedulerQuerierClient({ discovery: d });
    try {
      for (let i = 0; i < 4; i++) assert.ok((await c.labelNames("t1", { selectors: [] })).includes("region"));
    } finally {
      c.close();
    }
    const alone = new SchedulerQuerierClient({ discovery: new SchedulerDiscovery({ addresses: [deadAddress], mode: "ring", logger: nopLogger() }) });
    try {
      await assert.rejects(alone.labelNames("t1", { selectors: [] }), codeOfRejection(Code.Unavailable));
    } finally {
      alone.close();
    }
  });

  it("stop lets the running query finish, then closes the worker's streams", async () => {
    recorder.hold();
    const start = recorder.calls.length;
    const running = querierClient(frontendServer, "t1").labelNames({});
    await waitFor(() => recorder.calls.length === start + 1);
    const stopped = worker.stop();
    recorder.release();
    assert.ok((await running).names.includes("service_name"));
    await stopped;
    await waitFor(() => scheduler.openStreams() === 0);
  });
});

describe("querier worker and frontend client in dns mode", { timeout: 60_000 }, () => {
  it("resolve the scheduler's host and use every address found", async () => {
    const data = await createTestQuerier();
    const scheduler = new QueryScheduler({ maxOutstandingPerTenant: 10, logger: nopLogger() });
    const server = await startServer((r) => registerSchedulerService(r, scheduler));
    const address = `query-scheduler.test:${server.port}`;
    const lookups: string[] = [];
    const lookup = async (host: string): Promise<string[]> => {
      lookups.push(host);
      return ["127.0.0.1"];
    };
    const worker = startQuerierWorker({ addresses: [address], maxConcurrent: 2, querier: data.querier, logger: nopLogger(), id: "dns-querier", discoveryMode: "dns", lookup });
    const discovery = new SchedulerDiscovery({ addresses: [address], mode: "dns", logger: nopLogger(), lookup });
    await discovery.start();
    const client = new SchedulerQuerierClient({ discovery });
    try {
      await waitFor(() => scheduler.openStreams() === 2);
      assert.deepEqual(await client.labelValues("t1", "service_name", { selectors: [] }), ["svc-a", "svc-b"]);
      assert.deepEqual([...new Set(lookups)], ["query-scheduler.test"]);
    } finally {
      discovery.stop();
      client.close();
      await worker.stop();
      await server.stop();
      scheduler.stop();
      await data.close();
    }
  });
});

describe("querier worker stop timeout", { timeout: 60_000 }, () => {
  it("cuts a query still running when the timeout passes, which fails as unavailable", async () => {
    const data = await createTestQuerier();
    const recorder = new RecordingQuerier(data.querier);
    const scheduler = new QueryScheduler({ maxOutstandingPerTenant: 10, logger: nopLogger() });
    const server = await startServer((r) => registerSchedulerService(r, scheduler));
    const worker = startQuerierWorker({ addresses: [server.address], maxConcurrent: 1, querier: recorder, logger: nopLogger(), id: "stuck", stopTimeoutMs: 1 });
    const client = new SchedulerQuerierClient({ discovery: new SchedulerDiscovery({ addresses: [server.address], mode: "ring", logger: nopLogger() }) });
    try {
      recorder.hold();
      const stuck = client.labelNames("t1", { selectors: [] });
      await waitFor(() => recorder.calls.length === 1);
      await worker.stop();
      await assert.rejects(stuck, codeOfRejection(Code.Unavailable));
      await waitFor(() => scheduler.openStreams() === 0);
    } finally {
      recorder.release();
      client.close();
      await server.stop();
      scheduler.stop();
      await data.close();
    }
  });
});
