/**
 * Every real profile of the corpus pushed through each transport (Connect
 * binary, Connect JSON, gRPC from @grpc/grpc-js) yields the expected profile
 * types, and per type the merged total equals the sum over the input samples as
 * pprof-format (an independent decoder) reads them.
 */
import assert from "node:assert/strict";
import { basename } from "node:path";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { Profile } from "pprof-format";
import { PushRequestSchema, PushResponseSchema } from "../src/gen/push/v1/push_pb.js";
import { validCorpus } from "../src/model/pprof/test-corpus.js";
import type { CorpusFile } from "../src/model/pprof/test-corpus.js";
import { grpcUnary } from "./helpers/grpc.js";
import { postJson, startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

/** The `__name__` each file is pushed with (testdata/README.md). */
function metricName(file: string): string {
  if (/heap|memory/.test(file)) return "memory";
  if (/wall|cpu-js/.test(file)) return "wall";
  if (file.includes("req_2")) return "goroutines";
  if (file.includes("req_3")) return "block";
  return "process_cpu";
}

/** Types the README states literally, checked on top of the computed ones. */
const STATED: Record<string, string[]> = {
  "og_convert_cpu.pprof": ["process_cpu:cpu:nanoseconds:cpu:nanoseconds", "process_cpu:samples:count:cpu:nanoseconds"],
  pprof_heap: [
    "memory:alloc_objects:count:space:bytes",
    "memory:alloc_space:bytes:space:bytes",
    "memory:inuse_objects:count:space:bytes",
    "memory:inuse_space:bytes:space:bytes",
  ],
  "og_convert_pprof_nodejs-wall.pb.gz": ["wall:samples:count:wall:microseconds", "wall:wall:microseconds:wall:microseconds"],
  "og_convert_pprof_nodejs-heap.pb.gz": ["memory:inuse_objects:count:inuse_space:bytes", "memory:inuse_space:bytes:inuse_space:bytes"],
  "og_convert_pprof_heap-js.pprof": ["memory:objects:count:space:bytes", "memory:space:bytes:space:bytes"],
  pprof_profile_java: ["process_cpu:cpu:nanoseconds:cpu:nanoseconds"],
  "og_convert_pprof_req_2.pprof": ["goroutines:goroutine:count:goroutine:count"],
};

interface Expected {
  /** Total per profile type. */
  types: Map<string, number>;
  /** Types with at least one non-zero value: only these become series. */
  present: Set<string>;
}

/** Profile types and per-type totals of a file, computed with pprof-format. */
function expected(f: CorpusFile, name: string): Expected {
  const p = Profile.decode(f.raw);
  const s = (i: number | bigint): string => p.stringTable.strings[Number(i)] ?? "";
  const pt = p.periodType ? [s(p.periodType.type), s(p.periodType.unit)] : ["", ""];
  const types = new Map<string, number>();
  const present = new Set<string>();
  p.sampleType.forEach((st, i) => {
    let total = 0;
    const id = `${name}:${s(st.type)}:${s(st.unit)}:${pt[0]}:${pt[1]}`;
    for (const sample of p.sample) {
      const v = Number(sample.value[i] ?? 0);
      if (v !== 0) present.add(id);
      // A sample without locations has no frame to show in a flame graph.
      if (sample.locationId.length > 0) total += v;
    }
    types.set(id, (types.get(id) ?? 0) + total);
  });
  return { types, present };
}

const files = validCorpus();
const transports = ["connect-binary", "connect-json", "grpc"] as const;

describe("the real corpus through every transport", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer([
      "-querier.max-query-lookback=0",
      "-querier.max-query-length=0",
      // The corpus holds a 2.6 MiB heap profile; the default 2 MiB burst would reject it.
      "-distributor.ingestion-rate-limit-mb=1000",
      "-distributor.ingestion-burst-size-mb=1000",
    ]);
  });
  after(() => s.stop());

  for (const transport of transports) {
    for (const f of files) {
      const file = basename(f.name);
      it(`${file} via ${transport}`, async () => {
        const name = metricName(file);
        const service = `${transport}-${file}`;
        const labels = [
          { name: "__name__", value: name },
          { name: "service_name", value: service },
          // Heap alloc_* are cumulative; store them as sent so totals can be compared.
          ...(name === "memory" ? [{ name: "__delta__", value: "false" }] : []),
        ];
        if (transport === "connect-binary") {
          await s.clients().push.push({ series: [{ labels, samples: [{ rawProfile: f.stored, ID: "" }] }] });
        } else if (transport === "connect-json") {
          // Mixed field spellings, as the Drilldown app sends them.
          const res = await postJson(s.url, "/push.v1.PusherService/Push", {
            series: [{ labels, samples: [{ raw_profile: Buffer.from(f.stored).toString("base64"), ID: "" }] }],
          });
          assert.equal(res.status, 200, JSON.stringify(res.body));
        } else {
          await grpcUnary(`127.0.0.1:${s.app.port}`, "/push.v1.PusherService/Push", PushRequestSchema, PushResponseSchema,
            create(PushRequestSchema, { series: [{ labels, samples: [{ rawProfile: f.stored, ID: "" }] }] }));
        }

        const want = expected(f, name);
        const q = s.clients().querier;
        const selector = `{service_name="${service}"}`;
        for (const id of STATED[file] ?? []) assert.ok(want.present.has(id), `README type ${id} not in the file`);
        const all = (await q.profileTypes({})).profileTypes.map((t) => t.ID);
        for (const id of want.present) assert.ok(all.includes(id), `ProfileTypes misses ${id}`);
        const series = await q.series({ matchers: [selector], labelNames: ["__profile_type__"] });
        const ids = series.labelsSet.map((l) => l.labels[0]!.value).sort();
        assert.deepEqual(ids, [...want.present].sort());

        for (const [id, total] of want.types) {
          const res = await q.selectMergeStacktraces({ profileTypeID: id, labelSelector: selector, start: 0n, end: BigInt(Date.now() + 3_600_000) });
          assert.equal(Number(res.flamegraph?.total ?? 0n), total, `${id} total`);
        }
      });
    }
  }
});
