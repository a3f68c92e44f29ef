/**
 * A Phlare cluster on 127.0.0.1 in micro-services mode: a real etcd for the rings, Swift's s3api
 * as the S3 bucket, and one `bin/phlare -target=<component>` process per member, each on a free
 * port with its own data directory. Used by the cluster tests and by scripts/cluster.mjs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { childEnv, phlareBin } from "./child.js";
import { startEtcd } from "./etcd.js";
import type { EtcdServer } from "./etcd.js";
import { freePort } from "./objstore/processes.js";
import { startSwiftServer, SWIFT_KEY, SWIFT_S3_REGION, SWIFT_USER } from "./objstore/swift-server.js";
import type { SwiftServer } from "./objstore/swift-server.js";

/** How many processes of each component, and the replication factor. */
export interface ClusterShape {
  distributors: number;
  ingesters: number;
  queriers: number;
  queryFrontends: number;
  querySchedulers: number;
  storeGateways: number;
  compactors: number;
  replicationFactor: number;
  /** Extra flags for every process. */
  extraArgs?: string[];
}

/** The issue's local cluster: 2 distributors, 3 ingesters (RF 3), one of every other component. */
export const DEFAULT_SHAPE: ClusterShape = {
  distributors: 2,
  ingesters: 3,
  queriers: 1,
  queryFrontends: 1,
  querySchedulers: 1,
  storeGateways: 1,
  compactors: 1,
  replicationFactor: 3,
};

/** One process of the cluster. */
export interface Member {
  readonly name: string;
  readonly target: string;
  readonly port: number;
  readonly url: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** Whether the process is running. */
  running(): boolean;
  /** The process id while it runs. */
  pid(): number | undefined;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again with the same port, data and flags; resolves once /ready says 200. */
  start(): Promise<void>;
}

/** A running cluster. */
export interface Cluster {
  readonly etcd: EtcdServer;
  readonly swift: SwiftServer;
  readonly dir: string;
  readonly members: Member[];
  /** Members of one component. */
  of(target: string): Member[];
  /** Stops every process, then etcd and Swift, and removes the data (unless `keep`). */
  close(keep?: boolean): Promise<void>;
}

const BUCKET = "phlare-cluster";
const READY_TIMEOUT_MS = 60_000;

/** Starts etcd, Swift and every member; resolves once every member is ready. */
export async function startCluster(shape: ClusterShape = DEFAULT_SHAPE, opts: { dir?: string; log?: (line: string) => void } = {}): Promise<Cluster> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "phlare-cluster-"));
  mkdirSync(dir, { recursive: true });
  const log = opts.log ?? (() => undefined);
  log("starting etcd and the S3 server (Swift s3api)");
  const [etcd, swift] = await Promise.all([startEtcd(), startSwiftServer()]);
  await swift.createContainer(BUCKET);
  const ports = new Set<number>();
  const port = async (): Promise<number> => {
    for (;;) {
      const p = await freePort();
      if (!ports.has(p)) {
        ports.add(p);
        return p;
      }
    }
  };
  const plan: { name: string; target: string; port: number }[] = [];
  const add = async (target: string, n: number): Promise<void> => {
    for (let i = 0; i < n; i++) plan.push({ name: `${target}-${i + 1}`, target, port: await port() });
  };
  await add("query-scheduler", shape.querySchedulers);
  await add("ingester", shape.ingesters);
  await add("store-gateway", shape.storeGateways);
  await add("distributor", shape.distributors);
  await add("querier", shape.queriers);
  await add("query-frontend", shape.queryFrontends);
  await add("compactor", shape.compactors);
  const schedulers = plan.filter((p) => p.target === "query-scheduler").map((p) => `127.0.0.1:${p.port}`);
  const common = [
    `-distributor.replication-factor=${shape.replicationFactor}`,
    ...ringFlags("", etcd.endpoint),
    ...ringFlags("distributor.ring.", etcd.endpoint),
    ...ringFlags("store-gateway.sharding-ring.", etcd.endpoint),
    ...ringFlags("compactor.ring.", etcd.endpoint),
    "-storage.backend=s3",
    `-storage.s3.endpoint=${swift.endpoint.replace(/^http:\/\//, "")}`,
    "-storage.s3.insecure=true",
    `-storage.s3.region=${SWIFT_S3_REGION}`,
    `-storage.s3.bucket-name=${BUCKET}`,
    `-storage.s3.access-key-id=${SWIFT_USER}`,
    `-storage.s3.secret-access-key=${SWIFT_KEY}`,
    "-blocks-storage.bucket-store.sync-interval=5s",
    "-ingester.min-ready-duration=0s",
    "-ingester.readiness-check-ring-health=false",
    ...(schedulers.length > 0 ? [`-query-frontend.scheduler-address=${schedulers.join(",")}`, `-querier.scheduler-address=${schedulers.join(",")}`] : []),
    ...(shape.extraArgs ?? []),
  ];
  const members = plan.map((p) => member(p.name, p.target, p.port, dir, common));
  try {
    // Schedulers and ingesters first: the others find them through flags and the ring.
    for (const group of [["query-scheduler"], ["ingester", "store-gateway"], ["distributor", "querier", "query-frontend", "compactor"]]) {
      await Promise.all(members.filter((m) => group.includes(m.target)).map((m) => m.start()));
      log(`ready: ${members.filter((m) => group.includes(m.target)).map((m) => `${m.name} ${m.url}`).join(", ")}`);
    }
  } catch (err) {
    await Promise.allSettled(members.map((m) => m.stop("SIGKILL")));
    await Promise.allSettled([etcd.close(), swift.close()]);
    throw err;
  }
  return {
    etcd,
    swift,
    dir,
    members,
    of: (target) => members.filter((m) => m.target === target),
    async close(keep = false) {
      await Promise.allSettled(members.map((m) => m.stop("SIGTERM")));
      await Promise.allSettled([etcd.close(), swift.close()]);
      if (!keep && !opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function ringFlags(prefix: string, endpoint: string): string[] {
  const store = prefix === "" ? "ring." : prefix;
  return [`-${store}store=etcd`, `-${prefix}etcd.endpoints=${endpoint}`];
}

function member(name: string, target: string, port: number, root: string, common: string[]): Member {
  const dataDir = join(root, name);
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(root, `${name}.log`);
  const args = [
    `-target=${target}`,
    "-server.http-listen-address=127.0.0.1",
    `-server.http-listen-port=${port}`,
    `-phlaredb.data-path=${dataDir}`,
    "-ingester.lifecycler.addr=127.0.0.1",
    `-ingester.lifecycler.ID=${name}`,
    `-ingester.tokens-file-path=${join(root, `${name}.tokens.json`)}`,
    "-distributor.ring.instance-addr=127.0.0.1",
    `-distributor.ring.instance-id=${name}`,
    "-store-gateway.sharding-ring.instance-addr=127.0.0.1",
    `-store-gateway.sharding-ring.instance-id=${name}`,
    "-compactor.ring.instance-addr=127.0.0.1",
    `-compactor.ring.instance-id=${name}`,
    `-querier.id=${name}`,
    ...common,
  ];
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const m: Member = {
    name,
    target,
    port,
    url,
    dataDir,
    logFile,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    pid: () => (m.running() ? child!.pid : undefined),
    async stop(signal = "SIGTERM") {
      if (m.running()) child!.kill(signal);
      await exited;
    },
    async start() {
      const out = createWriteStream(logFile, { flags: "a" });
      const c = spawn(process.execPath, [phlareBin, ...args], { env: childEnv(), stdio: ["ignore", "pipe", "pipe"] });
      child = c;
      c.stdout.pipe(out);
      c.stderr.pipe(out);
      exited = new Promise((resolve) => c.once("exit", () => resolve()));
      const deadline = Date.now() + READY_TIMEOUT_MS;
      for (;;) {
        if (!m.running()) throw new Error(`${name} exited before it was ready:\n${logTail(logFile)}`);
        try {
          const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2000) });
          await res.text();
          if (res.status === 200) return;
        } catch {
          // Not listening yet.
        }
        if (Date.now() > deadline) throw new Error(`${name} was not ready after ${READY_TIMEOUT_MS}ms:\n${logTail(logFile)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
  return m;
}

/** The last lines of a member's log, for errors. */
function logTail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-15).join("\n");
  } catch {
    return "(no log)";
  }
}
