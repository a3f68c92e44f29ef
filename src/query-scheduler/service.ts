/**
 * scheduler.v1.SchedulerService over a QueryScheduler: Enqueue for query-frontends and
 * QuerierLoop for querier workers. The tenant is in the messages: the service is internal.
 */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import { EnqueueResponseSchema, QueryResultSchema, SchedulerService, SchedulerToQuerierSchema } from "../gen/scheduler/v1/scheduler_pb.js";
import type { EnqueueRequest, QuerierToScheduler, QueryResult, SchedulerToQuerier } from "../gen/scheduler/v1/scheduler_pb.js";
import { InvalidArgumentError } from "../model/errors.js";
import { validateTenantId } from "../server/tenant.js";
import type { CallResult, QuerierMessage, QueryScheduler } from "./scheduler.js";

/** Registers scheduler.v1.SchedulerService over `scheduler`. */
export function registerSchedulerService(router: ConnectRouter, scheduler: QueryScheduler): void {
  router.service(SchedulerService, {
    async enqueue(req: EnqueueRequest, ctx: HandlerContext) {
      validateTenantId(req.tenant);
      if (!req.request || req.request.method === "") throw new InvalidArgumentError("invalid_request", "request.method is required");
      const result = await scheduler.enqueue(req.tenant, { method: req.request.method, payload: req.request.payload }, ctx.signal);
      // A status, not a result: the frontend tries its next scheduler on unavailable.
      if (result.kind === "refused") throw new ConnectError(result.message, Code.Unavailable);
      return create(EnqueueResponseSchema, { result: toPbResult(result) });
    },

    async *querierLoop(reqs: AsyncIterable<QuerierToScheduler>, ctx: HandlerContext): AsyncGenerator<SchedulerToQuerier> {
      const it = reqs[Symbol.asyncIterator]();
      const first = await it.next();
      if (first.done) return;
      if (first.value.msg.case !== "hello") throw new InvalidArgumentError("invalid_request", "the first message of a querier loop must be hello");
      const querierId = first.value.msg.value.querierId || "unnamed";
      for await (const task of scheduler.serveQuerier(querierId, messagesOf(it), ctx.signal)) {
        yield create(SchedulerToQuerierSchema, { queryId: task.queryId, tenant: task.tenant, request: { method: task.call.method, payload: task.call.payload } });
      }
    },
  });
}

/** The querier's messages after its hello, in domain types; a malformed one breaks the stream. */
async function* messagesOf(it: AsyncIterator<QuerierToScheduler>): AsyncGenerator<QuerierMessage> {
  for (;;) {
    const n = await it.next();
    if (n.done) return;
    const m = n.value.msg;
    switch (m.case) {
      case "answer":
        yield { kind: "answer", queryId: m.value.queryId, result: fromPbResult(m.value.result) };
        break;
      case "closing":
        yield { kind: "closing" };
        break;
      default:
        throw new InvalidArgumentError("invalid_request", `unexpected ${m.case ?? "empty"} message from a querier`);
    }
  }
}

/** A scheduler.v1.QueryResult message. */
export function toPbResult(r: CallResult): QueryResult {
  switch (r.kind) {
    case "ok":
      return create(QueryResultSchema, { result: { case: "response", value: r.response } });
    case "error":
      return create(QueryResultSchema, { result: { case: "error", value: { code: r.code, message: r.message } } });
    case "refused":
      return create(QueryResultSchema, { result: { case: "error", value: { code: "unavailable", message: r.message } } });
  }
}

/** A call result from a scheduler.v1.QueryResult message; an empty one is an internal error. */
export function fromPbResult(r: QueryResult | undefined): CallResult {
  switch (r?.result.case) {
    case "response":
      return { kind: "ok", response: r.result.value };
    case "error":
      return { kind: "error", code: r.result.value.code, message: r.result.value.message };
    default:
      return { kind: "error", code: "internal", message: "empty query result" };
  }
}
