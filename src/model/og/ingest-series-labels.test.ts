import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LabelPair } from "../labels.js";
import { parseIngestKey } from "./ingest-key.js";
import { ingestSeriesLabels } from "./ingest-series-labels.js";

const ls = (...pairs: Array<[string, string]>): LabelPair[] => pairs.map(([name, value]) => ({ name, value }));

describe("ingestSeriesLabels", () => {
  const cases: Array<[string, string, string, string | undefined, LabelPair[]]> = [
    ["app name becomes service_name", "my.app.cpu{env=prod}", "process_cpu", "gospy",
      ls(["__delta__", "false"], ["__name__", "process_cpu"], ["env", "prod"], ["pyroscope_spy", "gospy"], ["service_name", "my.app"])],
    ["no spy label without a spy name", "app.cpu", "process_cpu", undefined,
      ls(["__delta__", "false"], ["__name__", "process_cpu"], ["service_name", "app"])],
    ["an empty spy name is no spy label", "app.cpu", "process_cpu", "",
      ls(["__delta__", "false"], ["__name__", "process_cpu"], ["service_name", "app"])],
    ["a key with service_name keeps it; the app name goes to app_name", "app.wall{service_name=svc}", "wall", "nodespy",
      ls(["__delta__", "false"], ["__name__", "wall"], ["app_name", "app"], ["pyroscope_spy", "nodespy"], ["service_name", "svc"])],
    ["a key with service_name and app_name keeps both", "app{service_name=svc,app_name=orig}", "process_cpu", undefined,
      ls(["__delta__", "false"], ["__name__", "process_cpu"], ["app_name", "orig"], ["service_name", "svc"])],
    ["private key labels are dropped", "app{__session_id__=5c7f,__delta__=true,x=1}", "memory", undefined,
      ls(["__delta__", "false"], ["__name__", "memory"], ["service_name", "app"], ["x", "1"])],
    ["empty values are dropped", "app{x=,y=2}", "process_cpu", undefined,
      ls(["__delta__", "false"], ["__name__", "process_cpu"], ["service_name", "app"], ["y", "2"])],
    ["spyName wins over a pyroscope_spy key label", "app{pyroscope_spy=mine}", "process_cpu", "pyspy",
      ls(["__delta__", "false"], ["__name__", "process_cpu"], ["pyroscope_spy", "pyspy"], ["service_name", "app"])],
    ["a pyroscope_spy key label stays without spyName", "app{pyroscope_spy=mine}", "process_cpu", undefined,
      ls(["__delta__", "false"], ["__name__", "process_cpu"], ["pyroscope_spy", "mine"], ["service_name", "app"])],
    ["empty app name: no service label (the distributor adds unspecified)", "{otel.scope.name=x}", "process_cpu", "nodespy",
      ls(["__delta__", "false"], ["__name__", "process_cpu"], ["otel.scope.name", "x"], ["pyroscope_spy", "nodespy"])],
  ];
  for (const [name, key, metric, spy, want] of cases) {
    it(name, () => assert.deepEqual(ingestSeriesLabels(parseIngestKey(key), metric, spy), want));
  }

  it("returns labels sorted by name", () => {
    const out = ingestSeriesLabels(parseIngestKey("app{zz=1,aa=2,mm=3}"), "process_cpu", "x");
    const names = out.map((l) => l.name);
    assert.deepEqual(names, [...names].sort());
  });
});
