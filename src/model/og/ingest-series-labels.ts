/**
 * The series labels of an /ingest push, as Pyroscope's ingest adapter builds them:
 * `__name__`, `__delta__="false"` (these bodies are already deltas, so the ingester must
 * never diff them), `pyroscope_spy`, the key's own labels, and the app name as
 * `service_name`, or as `app_name` when the key already names a service.
 */
import { LabelName, sortLabels } from "../labels.js";
import type { LabelPair } from "../labels.js";
import type { IngestKey } from "./ingest-key.js";

const SPY_LABEL = "pyroscope_spy";
const APP_NAME_LABEL = "app_name";

/**
 * The sorted labels of the series an /ingest body is pushed to. Key labels whose name
 * starts with `__` (e.g. the Go SDK's `__session_id__`) and key labels with an empty value
 * (no label, in Prometheus terms) are dropped; when `spyName` is set it wins over a
 * `pyroscope_spy` key label, which would otherwise be a duplicate name. With an empty app
 * name no service label is added, so the distributor's `unspecified` default applies.
 */
export function ingestSeriesLabels(key: IngestKey, metricName: string, spyName: string | undefined): LabelPair[] {
  const out: LabelPair[] = [
    { name: LabelName.MetricName, value: metricName },
    { name: LabelName.Delta, value: "false" },
  ];
  const hasSpy = spyName !== undefined && spyName !== "";
  if (hasSpy) out.push({ name: SPY_LABEL, value: spyName });
  let hasService = false;
  let hasAppName = false;
  for (const [name, value] of key.labels) {
    if (name.startsWith("__") || value === "") continue;
    if (name === SPY_LABEL && hasSpy) continue;
    if (name === LabelName.ServiceName) hasService = true;
    if (name === APP_NAME_LABEL) hasAppName = true;
    out.push({ name, value });
  }
  if (key.appName !== "") {
    if (!hasService) out.push({ name: LabelName.ServiceName, value: key.appName });
    else if (!hasAppName) out.push({ name: APP_NAME_LABEL, value: key.appName });
  }
  return sortLabels(out);
}
