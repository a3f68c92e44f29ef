/**
 * A real OpenStack Swift (Debian's `swift-*` packages) with the s3api middleware, all in one on
 * 127.0.0.1: memcached, account, container and object servers and the proxy, on free ports, as the
 * current user, data in a temporary directory. It serves the S3 API (AK `test:tester`, SK `testing`,
 * path style, region us-east-1) and the native Swift API (tempauth v1 at /auth/v1.0) on one port.
 *
 * `stop()` and `start()` take the whole server down and up again on the same ports with the same
 * data, for outage tests; `close()` stops it and removes the data.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { forgetOnExit, freePort, removeOnExit, startProcess, stopProcess, waitFor } from "./processes.js";
import type { ServerProcess } from "./processes.js";

/** The tempauth user that also signs S3 requests (access key id). */
export const SWIFT_USER = "test:tester";
/** Its key (S3 secret access key). */
export const SWIFT_KEY = "testing";
/** The region s3api reports. */
export const SWIFT_S3_REGION = "us-east-1";

/** A running Swift all-in-one. */
export interface SwiftServer {
  /** Proxy base URL, e.g. http://127.0.0.1:41234; the S3 endpoint. */
  readonly endpoint: string;
  /** Tempauth URL (auth v1): `<endpoint>/auth/v1.0`. */
  readonly authUrl: string;
  readonly dataDir: string;
  /** How long the first start took, in milliseconds (processes up to a working object PUT). */
  readonly startMs: number;
  /** Creates a container, which s3api also serves as an S3 bucket of the same name. */
  createContainer(name: string): Promise<void>;
  /** Stops every process (memcached too) and keeps the data. */
  stop(): Promise<void>;
  /** Starts the processes again on the same ports, over the same data; resolves once it serves. */
  start(): Promise<void>;
  /** Stops everything and removes the data directory. */
  close(): Promise<void>;
}

const PYTHON = "/usr/bin/python3";
const SERVERS = ["object", "container", "account"] as const;
const START_TIMEOUT_MS = 45_000;

// Ring files hold a gzip of: "R1NG", format version (uint16 BE), JSON header length (uint32 BE), the
// JSON header, then per replica one uint16 device id per partition (host byte order). One device,
// one replica, 2^6 partitions all mapped to device 0.
function ringFile(port: number): Buffer {
  const partPower = 6;
  const header = Buffer.from(
    JSON.stringify({
      byteorder: "little",
      devs: [{ id: 0, region: 1, zone: 1, ip: "127.0.0.1", port, replication_ip: "127.0.0.1", replication_port: port, device: "d1", weight: 100, meta: "" }],
      part_shift: 32 - partPower,
      replica_count: 1,
    }),
  );
  const head = Buffer.alloc(10);
  head.write("R1NG", 0, "latin1");
  head.writeUInt16BE(1, 4);
  head.writeUInt32BE(header.length, 6);
  return gzipSync(Buffer.concat([head, header, Buffer.alloc(2 << partPower)]));
}

function serverConf(dir: string, name: string, port: number, user: string): string {
  return `[DEFAULT]
devices = ${dir}/node
mount_check = false
bind_ip = 127.0.0.1
bind_port = ${port}
workers = 0
user = ${user}
swift_dir = ${dir}
log_level = WARNING
recon_cache_path = ${dir}/cache
[pipeline:main]
pipeline = ${name}-server
[app:${name}-server]
use = egg:swift#${name}
`;
}

function proxyConf(dir: string, port: number, memcachePort: number, user: string): string {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${port}
workers = 0
user = ${user}
swift_dir = ${dir}
log_level = WARNING
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
recon_cache_path = ${dir}/cache
[filter:s3api]
use = egg:swift#s3api
location = ${SWIFT_S3_REGION}
[filter:tempauth]
use = egg:swift#tempauth
user_admin_admin = admin .admin .reseller_admin
user_test_tester = ${SWIFT_KEY} .admin
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:${memcachePort}
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
`;
}

// The object server keeps metadata in user.* extended attributes; tmpfs and ext4 have them, some
// overlay and network filesystems do not.
function supportsUserXattrs(dir: string): boolean {
  const probe = join(dir, "xattr-probe");
  writeFileSync(probe, "");
  const r = spawnSync(PYTHON, ["-c", "import os,sys; os.setxattr(sys.argv[1], 'user.phlare', b'1')", probe]);
  rmSync(probe, { force: true });
  return r.status === 0;
}

function makeDataDir(): string {
  for (const base of ["/dev/shm", tmpdir()]) {
    let dir: string | undefined;
    try {
      dir = mkdtempSync(join(base, "phlare-swift-"));
      if (supportsUserXattrs(dir)) return dir;
    } catch {
      // try the next base
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
  throw new Error(`no temporary directory with user xattrs for Swift (tried ${tmpdir()} and /dev/shm)`);
}

/** Starts a Swift all-in-one; stop it with close(), also when the test fails. */
export async function startSwiftServer(): Promise<SwiftServer> {
  const t0 = Date.now();
  // A free port can be taken by someone else before our server binds it: then try fresh ports once.
  try {
    return await startOnce(t0);
  } catch (err) {
    if (!(err instanceof Error && /Address already in use/i.test(err.message))) throw err;
    return startOnce(t0);
  }
}

async function startOnce(t0: number): Promise<SwiftServer> {
  // The packages' /etc/swift/swift.conf (hash prefix/suffix, storage policy) is used as installed.
  for (const file of ["/usr/bin/swift-proxy-server", "/usr/bin/memcached", "/etc/swift/swift.conf", PYTHON]) {
    if (!existsSync(file)) {
      throw new Error(
        `swift test server: ${file} is missing; install it with ` +
          "apt-get install -y --no-install-recommends swift swift-proxy swift-object swift-container swift-account memcached (see .ci/run)",
      );
    }
  }
  const user = userInfo().username;
  const dir = makeDataDir();
  removeOnExit(dir);
  const ports = {
    proxy: await freePort(),
    object: await freePort(),
    container: await freePort(),
    account: await freePort(),
    memcache: await freePort(),
  };
  for (const sub of ["node/d1", "run", "cache"]) mkdirSync(join(dir, sub), { recursive: true });
  for (const name of SERVERS) {
    writeFileSync(join(dir, `${name}.ring.gz`), ringFile(ports[name]));
    writeFileSync(join(dir, `${name}-server.conf`), serverConf(dir, name, ports[name], user));
  }
  writeFileSync(join(dir, "proxy-server.conf"), proxyConf(dir, ports.proxy, ports.memcache, user));

  const endpoint = `http://127.0.0.1:${ports.proxy}`;
  const authUrl = `${endpoint}/auth/v1.0`;
  let procs: ServerProcess[] = [];

  const failFast = (): void => {
    const dead = procs.find((p) => p.hasExited());
    if (dead !== undefined) throw new Error(`swift: ${dead.name} exited during start-up:\n${dead.logTail()}`);
  };

  async function token(): Promise<{ token: string; storageUrl: string }> {
    const res = await fetch(authUrl, { headers: { "X-Auth-User": SWIFT_USER, "X-Auth-Key": SWIFT_KEY } });
    await res.arrayBuffer();
    const t = res.headers.get("x-auth-token");
    const u = res.headers.get("x-storage-url");
    if (res.status !== 200 || t === null || u === null) throw new Error(`swift auth: HTTP ${res.status}`);
    return { token: t, storageUrl: u };
  }

  async function createContainer(name: string): Promise<void> {
    const auth = await token();
    const res = await fetch(`${auth.storageUrl}/${encodeURIComponent(name)}`, {
      method: "PUT",
      headers: { "X-Auth-Token": auth.token },
    });
    await res.arrayBuffer();
    if (res.status !== 201 && res.status !== 202) throw new Error(`swift: create container ${name}: HTTP ${res.status}`);
  }

  // Healthcheck only covers the proxy; a PUT and DELETE of an object reaches every server.
  async function probe(): Promise<boolean> {
    const health = await fetch(`${endpoint}/healthcheck`);
    await health.arrayBuffer();
    if (health.status !== 200) return false;
    await createContainer("probe");
    const auth = await token();
    const url = `${auth.storageUrl}/probe/probe`;
    const put = await fetch(url, { method: "PUT", headers: { "X-Auth-Token": auth.token }, body: "ok" });
    await put.arrayBuffer();
    if (put.status !== 201) throw new Error(`swift: probe PUT: HTTP ${put.status}`);
    const del = await fetch(url, { method: "DELETE", headers: { "X-Auth-Token": auth.token } });
    await del.arrayBuffer();
    return del.status === 204 || del.status === 404;
  }

  async function start(): Promise<void> {
    if (procs.some((p) => !p.hasExited())) throw new Error("swift: already running");
    const run = join(dir, "run");
    const memcachedArgs = ["-l", "127.0.0.1", "-p", String(ports.memcache), "-U", "0", "-m", "16", "-t", "1"];
    if (process.getuid?.() === 0) memcachedArgs.push("-u", "root");
    procs = [startProcess("memcached", "memcached", memcachedArgs, join(run, "memcached.log"))];
    for (const name of [...SERVERS, "proxy"] as const) {
      procs.push(
        startProcess(`${name}-server`, PYTHON, [`/usr/bin/swift-${name}-server`, join(dir, `${name}-server.conf`), "-v"], join(run, `${name}.log`)),
      );
    }
    try {
      await waitFor("swift", probe, START_TIMEOUT_MS, failFast);
    } catch (err) {
      const logs = procs.map((p) => `--- ${p.name}\n${p.logTail(10)}`).join("\n");
      await stop();
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${logs}`, { cause: err });
    }
  }

  async function stop(): Promise<void> {
    const running = procs;
    procs = [];
    await Promise.all(running.map((p) => stopProcess(p)));
  }

  try {
    await start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    forgetOnExit(dir);
    throw err;
  }
  const startMs = Date.now() - t0;
  return {
    endpoint,
    authUrl,
    dataDir: dir,
    startMs,
    createContainer,
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
      forgetOnExit(dir);
    },
  };
}
