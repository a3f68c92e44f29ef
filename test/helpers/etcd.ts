/**
 * A real etcd (Debian's etcd-server, /usr/bin/etcd) for ring tests: one member on 127.0.0.1 with
 * free client and peer ports and a temporary data directory. `stop()` and `start()` take it down
 * and up again on the same ports over the same data, for outage tests; `close()` stops it and
 * removes the data.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forgetOnExit, freePort, removeOnExit, startProcess, stopProcess, waitFor } from "./objstore/processes.js";
import type { ServerProcess } from "./objstore/processes.js";

/** Where Debian's etcd-server installs the server. */
export const ETCD_BIN = "/usr/bin/etcd";

const START_TIMEOUT_MS = 30_000;

/** A running single-member etcd. */
export interface EtcdServer {
  /** host:port of the client URL, as `-etcd.endpoints` takes it. */
  readonly endpoint: string;
  readonly dataDir: string;
  /** Stops the server (SIGTERM) and keeps the data. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data; resolves once /health says true. */
  start(): Promise<void>;
  /** Stops it and removes the data directory. */
  close(): Promise<void>;
}

/** Why etcd tests cannot run here, or undefined when they can. */
export function etcdSkipReason(): string | undefined {
  return existsSync(ETCD_BIN) ? undefined : `${ETCD_BIN} is not installed (apt-get install etcd-server)`;
}

/** Starts a fresh etcd; resolves once it reports healthy. */
export async function startEtcd(): Promise<EtcdServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "phlare-etcd-"));
  removeOnExit(dataDir);
  const clientPort = await freePort();
  let peerPort = await freePort();
  while (peerPort === clientPort) peerPort = await freePort();
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const args = [
    "--name", "ring-test",
    "--data-dir", join(dataDir, "member"),
    "--listen-client-urls", clientUrl,
    "--advertise-client-urls", clientUrl,
    "--listen-peer-urls", peerUrl,
    "--initial-advertise-peer-urls", peerUrl,
    "--initial-cluster", `ring-test=${peerUrl}`,
    "--logger", "zap",
    "--log-level", "warn",
  ];
  const logFile = join(dataDir, "etcd.log");
  let proc: ServerProcess | undefined;

  const start = async (): Promise<void> => {
    const p = startProcess("etcd", ETCD_BIN, args, logFile, dataDir);
    proc = p;
    await waitFor(
      "etcd",
      async () => {
        const res = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
        const body = (await res.json()) as { health?: string };
        return res.ok && body.health === "true";
      },
      START_TIMEOUT_MS,
      () => {
        if (p.hasExited()) throw new Error(`etcd exited during start:\n${p.logTail()}`);
      },
    );
  };
  const stop = async (): Promise<void> => {
    if (proc !== undefined) await stopProcess(proc);
    proc = undefined;
  };

  await start();
  return {
    endpoint: `127.0.0.1:${clientPort}`,
    dataDir,
    stop,
    start,
    async close() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
      forgetOnExit(dataDir);
    },
  };
}
