/**
 * Runs the real program (bin/phlare) as a child process: one-shot commands
 * (-help, -modules, bad flags) and a long-running server that is waited on
 * until /ready answers and then stopped with a signal.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, the working directory of every child. */
export const repoRoot: string = fileURLToPath(new URL("../../", import.meta.url));

/** The program under test. */
export const phlareBin: string = join(repoRoot, "bin", "phlare");

/** How a finished child ended. */
export interface ChildResult {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

// Guards against a hung child; no test asserts on how long anything takes.
const HANG_GUARD_MS = 60_000;

/** Environment for a child: ours minus anything that would change its config, plus `extra`. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env["NODE_OPTIONS"];
  delete env["NODE_TEST_CONTEXT"];
  return env;
}

function collect(child: ChildProcess): Promise<ChildResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`phlare did not exit; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, HANG_GUARD_MS);
    child.on("error", (err) => {
      clearTimeout(guard);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Spawns `node bin/phlare ...args` from the repository root. */
function spawnPhlare(args: readonly string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [phlareBin, ...args], { cwd: repoRoot, env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs the program to completion with `args`. */
export function runPhlare(args: readonly string[], env: Record<string, string> = {}): Promise<ChildResult> {
  return collect(spawnPhlare(args, env));
}

/** A port that was free a moment ago: bind 127.0.0.1:0, read the number, close. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** A server started as a child process. */
export interface PhlareChild {
  readonly url: string;
  /** Sends `signal` and resolves with how the child ended. */
  stop(signal?: NodeJS.Signals): Promise<ChildResult>;
}

/**
 * Starts the program with `args` (which must make it listen on 127.0.0.1:`port`) and resolves once
 * GET /ready answers 200. Rejects with the child's output if it exits first.
 */
export async function startPhlareChild(args: readonly string[], port: number, env: Record<string, string> = {}): Promise<PhlareChild> {
  const child = spawnPhlare(args, env);
  const done = collect(child);
  let exited: ChildResult | undefined;
  void done.then((r) => (exited = r), () => undefined);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + HANG_GUARD_MS;
  for (;;) {
    if (exited !== undefined) {
      throw new Error(`phlare exited with ${exited.code ?? exited.signal} before it was ready; stderr:\n${exited.stderr}`);
    }
    try {
      const res = await fetch(`${url}/ready`);
      await res.text();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      const r = await done;
      throw new Error(`phlare never became ready; stderr:\n${r.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async stop(signal = "SIGTERM") {
      if (exited === undefined) child.kill(signal);
      return done;
    },
  };
}
