/**
 * Real pprof endpoints for the agent's tests: a Go program built here from the standard library's
 * net/http/pprof, a Node process exporting @datadog/pprof profiles, and misbehaving servers (slow,
 * garbage, huge, failing) on 127.0.0.1 free ports.
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./child.js";

/** A running target: its host:port and how to stop it. */
export interface RunningTarget {
  readonly address: string;
  stop(): Promise<void>;
}

/** Whether `go` can be used (CI installs golang-go; PHLARE_SKIP_GO=1 opts out). */
export const goAvailable: boolean =
  process.env["PHLARE_SKIP_GO"] !== "1" && spawnSync("sh", ["-c", "command -v go"], { encoding: "utf8" }).status === 0;

function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`${what} printed no address within 60 s; stderr: ${err}`)), 60_000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl).trim());
      }
    });
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}; stderr: ${err}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/** Builds test/fixtures/go-pprof-target with `go build` and runs it. */
export async function startGoTarget(): Promise<RunningTarget> {
  const dir = mkdtempSync(join(tmpdir(), "phlare-go-target-"));
  const bin = join(dir, "go-pprof-target");
  const env = { ...process.env, HOME: dir, GOCACHE: join(dir, "cache"), GOPATH: join(dir, "gopath"), GOFLAGS: "", GO111MODULE: "off", GOTOOLCHAIN: "local" };
  const build = spawnSync("go", ["build", "-o", bin, join(repoRoot, "test/fixtures/go-pprof-target/main.go")], { env, encoding: "utf8", timeout: 300_000 });
  if (build.status !== 0) throw new Error(`go build failed: ${build.stderr || build.error?.message}`);
  const child = spawn(bin, [], { stdio: ["ignore", "pipe", "pipe"] });
  const address = await firstLine(child, "the Go target");
  return {
    address,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs test/fixtures/datadog-pprof-target.mjs in its own Node process. */
export async function startDatadogTarget(): Promise<RunningTarget> {
  const child = spawn(process.execPath, [join(repoRoot, "test/fixtures/datadog-pprof-target.mjs")], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  const address = await firstLine(child, "the Node target");
  return { address, stop: () => stopChild(child) };
}

/** Starts an in-process HTTP server with `handler`. */
export async function startHttpTarget(handler: http.RequestListener): Promise<RunningTarget> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Targets that fail in the ways a scraper meets: never answering, garbage, a huge body, HTTP 500. */
export async function startBadTargets(): Promise<{ slow: RunningTarget; garbage: RunningTarget; huge: RunningTarget; failing: RunningTarget }> {
  const slow = await startHttpTarget(() => {
    // Never answers; the scrape must time out.
  });
  const garbage = await startHttpTarget((_req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream" }).end("this is not a pprof profile\n");
  });
  const huge = await startHttpTarget((_req, res) => {
    // 256 MiB in 1 MiB chunks, written as the client reads: the scraper must stop reading at its limit.
    res.writeHead(200, { "content-type": "application/octet-stream" });
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    let left = 256;
    const write = (): void => {
      while (left > 0) {
        left--;
        if (!res.write(chunk)) return void res.once("drain", write);
      }
      res.end();
    };
    res.on("close", () => (left = 0));
    write();
  });
  const failing = await startHttpTarget((_req, res) => {
    res.writeHead(500).end("boom\n");
  });
  return { slow, garbage, huge, failing };
}
