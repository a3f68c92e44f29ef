/**
 * GET /pyroscope/label-values and /pyroscope/labels over a QuerierApi. Phlare asked
 * for the values of no label at all (so every label but `__name__` came back empty);
 * here any label works, filtered by `query` / `match[]` selectors and `from`/`until`.
 */
import { InvalidArgumentError } from "../../model/errors.js";
import { LabelName } from "../../model/labels.js";
import type { HttpRequest, HttpResponse } from "../../server/router.js";
import { json } from "../../server/server.js";
import type { QuerierApi } from "../api.js";
import { parseLabelQuery } from "./params.js";

/** What the label routes read. */
export interface LabelDeps {
  api: QuerierApi;
  /** The clock `now` in from/until means; Date.now when absent. */
  nowMs?: () => number;
}

/** GET /pyroscope/label-values?label=…: a JSON array; `__name__` lists profile type IDs. */
export async function handleLabelValues(req: HttpRequest, deps: LabelDeps): Promise<HttpResponse> {
  const tenant = req.tenant();
  const p = req.url.searchParams;
  const label = p.get("label") ?? "";
  if (label === "") throw new InvalidArgumentError("invalid_request", "'label' is required");
  const q = parseLabelQuery(p, (deps.nowMs ?? Date.now)());
  if (label === LabelName.MetricName) {
    const types = await deps.api.profileTypes(tenant, q);
    return json(200, types.map((t) => t.id));
  }
  return json(200, await deps.api.labelValues(tenant, label, q));
}

/** GET /pyroscope/labels: the label names, a JSON array. */
export async function handleLabelNames(req: HttpRequest, deps: LabelDeps): Promise<HttpResponse> {
  const tenant = req.tenant();
  const q = parseLabelQuery(req.url.searchParams, (deps.nowMs ?? Date.now)());
  return json(200, await deps.api.labelNames(tenant, q));
}
