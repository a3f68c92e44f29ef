/**
 * Azurite (Microsoft's Azure Storage emulator, from node_modules) serving the Blob API on 127.0.0.1,
 * data in a temporary directory, account `devstoreaccount1` with its well-known key.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { forgetOnExit, freePort, removeOnExit, startProcess, stopProcess, waitFor } from "./processes.js";

/** Azurite's fixed account. */
export const AZURITE_ACCOUNT = "devstoreaccount1";
/** Azurite's well-known key for that account (public, in Microsoft's documentation). */
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** A running Azurite blob service. */
export interface AzuriteServer {
  /** Blob service URL including the account: http://127.0.0.1:<port>/devstoreaccount1. */
  readonly endpoint: string;
  /** How long start-up took, in milliseconds. */
  readonly startMs: number;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** Starts Azurite's blob service on a free port; stop it with close(). */
export async function startAzurite(): Promise<AzuriteServer> {
  const t0 = Date.now();
  // A free port can be taken by someone else before Azurite binds it: then try a fresh port once.
  try {
    return await startOnce(t0);
  } catch (err) {
    if (!(err instanceof Error && /EADDRINUSE|address already in use/i.test(err.message))) throw err;
    return startOnce(t0);
  }
}

async function startOnce(t0: number): Promise<AzuriteServer> {
  const main = join(dirname(require.resolve("azurite/package.json")), "dist", "src", "blob", "main.js");
  const dir = mkdtempSync(join(tmpdir(), "phlare-azurite-"));
  removeOnExit(dir);
  const port = await freePort();
  const proc = startProcess(
    "azurite-blob",
    process.execPath,
    [main, "--blobHost", "127.0.0.1", "--blobPort", String(port), "--location", dir, "--silent", "--skipApiVersionCheck", "--disableTelemetry"],
    join(dir, "azurite.log"),
  );
  const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  try {
    // Any HTTP answer (an unauthenticated request gets 403) means it listens.
    await waitFor(
      "azurite",
      async () => {
        const res = await fetch(`${endpoint}?comp=list`);
        await res.arrayBuffer();
        return res.status > 0;
      },
      30_000,
      () => {
        if (proc.hasExited()) throw new Error(`azurite exited during start-up:\n${proc.logTail()}`);
      },
    );
  } catch (err) {
    await stopProcess(proc);
    rmSync(dir, { recursive: true, force: true });
    forgetOnExit(dir);
    throw err;
  }
  return {
    endpoint,
    startMs: Date.now() - t0,
    async close() {
      await stopProcess(proc);
      rmSync(dir, { recursive: true, force: true });
      forgetOnExit(dir);
    },
  };
}
