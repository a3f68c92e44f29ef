/**
 * Child processes of the test servers: each runs in its own process group so that stopping it
 * also stops anything it forked. Groups still alive are killed when the test process exits (a failed
 * test included), when it gets SIGINT/SIGTERM/SIGHUP, and, should it be killed outright, by a small
 * watchdog shell that outlives it by at most a second.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const live = new Set<ChildProcess>();
const dataDirs = new Set<string>();
let hooksInstalled = false;
let stateFile: string | undefined;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function killAll(): void {
  for (const child of live) killGroup(child, "SIGKILL");
  live.clear();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  dataDirs.clear();
  writeState();
}

// The watchdog reads this file once the test process is gone: "g <process group>" to kill and
// "d <directory>" to remove, one per line.
function writeState(): void {
  if (stateFile === undefined) return;
  const groups = [...live].flatMap((c) => (c.pid !== undefined ? [`g ${c.pid}`] : []));
  writeFileSync(stateFile, [...groups, ...[...dataDirs].map((d) => `d ${d}`)].join("\n") + "\n");
}

/** Removes `dir` when the test process ends without cleaning up (crash, signal, SIGKILL). */
export function removeOnExit(dir: string): void {
  installHooks();
  dataDirs.add(dir);
  writeState();
}

/** Forgets a directory registered with removeOnExit (its owner removed it). */
export function forgetOnExit(dir: string): void {
  dataDirs.delete(dir);
  writeState();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", () => {
    killAll();
    if (stateFile !== undefined) rmSync(join(stateFile, ".."), { recursive: true, force: true });
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = (): void => {
      killAll();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
  stateFile = join(mkdtempSync(join(tmpdir(), "phlare-test-cleanup-")), "state");
  writeFileSync(stateFile, "");
  const script =
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ` +
    `[ -f "$1" ] && while read -r kind arg; do ` +
    `if [ "$kind" = g ]; then kill -KILL -"$arg" 2>/dev/null; elif [ "$kind" = d ]; then rm -rf "$arg"; fi; ` +
    `done < "$1"; rm -rf "$(dirname "$1")"`;
  const watchdog = spawn("/bin/sh", ["-c", script, "watchdog", stateFile], { detached: true, stdio: "ignore" });
  watchdog.unref();
}

/** A started server process whose output goes to a log file. */
export interface ServerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  /** Whether it has exited. */
  hasExited(): boolean;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): string;
}

/** Starts `command` in its own process group, stdout and stderr appended to `logFile`. */
export function startProcess(name: string, command: string, args: string[], logFile: string, cwd?: string): ServerProcess {
  installHooks();
  const fd = openSync(logFile, "a");
  const child = spawn(command, args, { cwd, detached: true, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  let done = false;
  live.add(child);
  writeState();
  const exited = new Promise<void>((resolve) => {
    const finish = (): void => {
      done = true;
      live.delete(child);
      writeState();
      resolve();
    };
    child.once("exit", finish);
    child.once("error", finish);
  });
  return {
    name,
    child,
    logFile,
    exited,
    hasExited: () => done,
    logTail(lines = 20) {
      try {
        return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
      } catch {
        return "";
      }
    },
  };
}

/** Stops a process group: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(proc: ServerProcess, graceMs = 3000): Promise<void> {
  if (proc.hasExited()) return;
  killGroup(proc.child, "SIGTERM");
  const timedOut = await Promise.race([proc.exited.then(() => false), sleep(graceMs).then(() => true)]);
  if (timedOut) {
    killGroup(proc.child, "SIGKILL");
    await proc.exited;
  }
  // The group may hold forked children after the leader exited.
  killGroup(proc.child, "SIGKILL");
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `probe` every `intervalMs` until it returns true, failing after `timeoutMs` or when `failFast` throws. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  failFast: () => void = () => {},
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    failFast();
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} not ready after ${timeoutMs} ms`, { cause: last });
    }
    await sleep(intervalMs);
  }
}
