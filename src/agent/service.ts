/**
 * agent.v1.AgentService/GetTargets and its REST form GET /api/v1/targets, which answers with the
 * same message as JSON the way Phlare's grpc-gateway writes it (camelCase names, enums by name,
 * every field present).
 */
import { create, toJson } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import { AgentService, GetTargetsResponseSchema, Health, State, StateSchema, TargetSchema } from "../gen/agent/v1/agent_pb.js";
import type { GetTargetsResponse, Target } from "../gen/agent/v1/agent_pb.js";
import { InvalidArgumentError } from "../model/errors.js";
import type { PhlareServer } from "../server/server.js";
import type { Agent } from "./agent.js";
import type { LabelSet } from "./discovery/target-group.js";
import type { ScrapeLoop } from "./scrape-loop.js";
import type { DroppedTarget } from "./target.js";

function record(ls: LabelSet): Record<string, string> {
  return Object.fromEntries(ls);
}

const HEALTH: Record<ScrapeLoop["health"], Health> = { unknown: Health.UNSPECIFIED, up: Health.UP, down: Health.DOWN };

function activeTarget(loop: ScrapeLoop): Target {
  const t = loop.target;
  return create(TargetSchema, {
    discoveredLabels: record(t.discoveredLabels),
    labels: record(t.labels),
    scrapePool: t.job,
    scrapeUrl: t.url,
    lastError: loop.lastError,
    lastScrape: loop.lastScrapeMs === 0 ? undefined : timestampFromMs(loop.lastScrapeMs),
    lastScrapeDuration: durationFromMs(loop.lastDurationMs),
    health: HEALTH[loop.health],
    scrapeTimeout: durationFromMs(t.timeoutMs),
    scrapeInterval: durationFromMs(t.intervalMs),
  });
}

function droppedTarget(d: DroppedTarget): Target {
  return create(TargetSchema, { discoveredLabels: record(d.discoveredLabels), scrapePool: d.job, lastError: d.reason ?? "" });
}

/** The targets in `state` (both lists for UNSPECIFIED). */
export function getTargets(agent: Agent, state: State): GetTargetsResponse {
  const snapshot = agent.targets();
  return create(GetTargetsResponseSchema, {
    activeTargets: state === State.DROPPED ? [] : snapshot.active.map(activeTarget),
    droppedTargets: state === State.ACTIVE ? [] : snapshot.dropped.map(droppedTarget),
  });
}

function parseState(value: string | null): State {
  if (value === null || value === "") return State.UNSPECIFIED;
  const byName = StateSchema.values.find((v) => v.name === value || String(v.number) === value);
  if (byName === undefined) {
    throw new InvalidArgumentError("invalid_request", `invalid state ${JSON.stringify(value)}: expected STATE_ACTIVE, STATE_DROPPED or STATE_UNSPECIFIED`);
  }
  return byName.number as State;
}

/** Registers the RPC and the REST route. */
export function registerAgentService(server: PhlareServer, agent: Agent): void {
  server.rpc((r: ConnectRouter) =>
    r.service(AgentService, {
      getTargets: async (req) => getTargets(agent, req.state),
    }),
  );
  server.route(["GET"], "/api/v1/targets", async (req) => ({
    status: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(toJson(GetTargetsResponseSchema, getTargets(agent, parseState(req.url.searchParams.get("state"))), { alwaysEmitImplicit: true })),
  }));
}
