// Starts a local Phlare cluster on 127.0.0.1 for people to try micro-services mode: etcd, Swift's
// s3api as the S3 bucket, and one bin/phlare process per member. Ctrl-C stops everything.
// See docs/cluster.md.
import { parseArgs } from "node:util";
import { register } from "tsx/esm/api";

register();
const { DEFAULT_SHAPE, startCluster } = await import("../test/helpers/cluster.ts");

const sizes = {
  distributors: "distributors",
  ingesters: "ingesters",
  queriers: "queriers",
  "query-frontends": "queryFrontends",
  "query-schedulers": "querySchedulers",
  "store-gateways": "storeGateways",
  compactors: "compactors",
  "replication-factor": "replicationFactor",
};
const { values } = parseArgs({
  options: {
    ...Object.fromEntries(Object.keys(sizes).map((k) => [k, { type: "string" }])),
    dir: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(`usage: node scripts/cluster.mjs [--dir DIR] ${Object.keys(sizes).map((k) => `[--${k} N]`).join(" ")}`);
  console.log(`defaults: ${Object.entries(sizes).map(([k, f]) => `--${k} ${DEFAULT_SHAPE[f]}`).join(" ")}`);
  process.exit(0);
}
const shape = { ...DEFAULT_SHAPE };
for (const [k, f] of Object.entries(sizes)) {
  if (values[k] === undefined) continue;
  const n = Number(values[k]);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${k} must be a whole number, got ${values[k]}`);
    process.exit(2);
  }
  shape[f] = n;
}

const t0 = Date.now();
const cluster = await startCluster(shape, {
  ...(values.dir ? { dir: values.dir } : {}),
  log: (line) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}`),
});
console.log(`\ncluster is up; data and logs in ${cluster.dir}`);
console.log(`etcd:  ${cluster.etcd.endpoint}`);
console.log(`S3:    ${cluster.swift.endpoint} (bucket phlare-cluster)`);
for (const m of cluster.members) console.log(`${m.name.padEnd(20)} ${m.url}  log: ${m.logFile}`);
const push = cluster.of("distributor")[0];
const query = cluster.of("query-frontend")[0] ?? cluster.of("querier")[0];
if (push) console.log(`\npush:  curl --data-binary @profile.pb.gz "${push.url}/ingest?name=my-app&format=pprof"`);
if (query) console.log(`query: open ${query.url}/ (UI) or POST ${query.url}/querier.v1.QuerierService/*`);
if (push) console.log(`rings: ${push.url}/ring  ${push.url}/distributor/ring`);
console.log("\nCtrl-C stops the cluster.");

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping…");
  await cluster.close(values.dir !== undefined);
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
