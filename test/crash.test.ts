/**
 * The durability promise end to end: the real program as a child process, several
 * clients pushing concurrently, SIGKILL mid-stream, restart — every acknowledged
 * profile is there (count and totals). Then a torn WAL tail: start-up survives it; then
 * SIGTERM flushes and ships the head, and the next start answers the same.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { PusherService } from "../src/gen/push/v1/push_pb.js";
import { QuerierService } from "../src/gen/querier/v1/querier_pb.js";
import { CPU, cpuTotal } from "./helpers/api.js";
import { freePort, startPhlareChild } from "./helpers/child.js";
import type { PhlareChild } from "./helpers/child.js";

const CLIENTS = 6;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(dataDir: string, port: number): Promise<PhlareChild> {
  return startPhlareChild(
    [`-server.http-listen-port=${port}`, "-server.http-listen-address=127.0.0.1", `-phlaredb.data-path=${dataDir}`, "-log.level=warn"],
    port,
  );
}

function clients(url: string) {
  const transport = createConnectTransport({ baseUrl: url, httpVersion: "1.1" });
  return { push: createClient(PusherService, transport), querier: createClient(QuerierService, transport) };
}

/** Every point of one client's series: timestamp (ms) → value. */
async function points(url: string, client: number, startMs: number, endMs: number): Promise<Map<number, number>> {
  const res = await clients(url).querier.selectSeries({
    profileTypeID: CPU,
    labelSelector: `{client="${client}"}`,
    start: BigInt(startMs),
    end: BigInt(endMs),
    step: 1,
  });
  const out = new Map<number, number>();
  for (const s of res.series) for (const p of s.points) out.set(Number(p.timestamp), p.value);
  return out;
}

describe("crash safety", () => {
  it("keeps every acknowledged profile across SIGKILL, and starts after a torn WAL tail", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "phlare-crash-"));
    dirs.push(dataDir);
    const port = await freePort();
    let server = await start(dataDir, port);
    // One profile per client and second, each with its own value: a point of the series is one profile.
    const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    const acked: Map<number, number>[] = Array.from({ length: CLIENTS }, () => new Map());
    let stop = false;
    const pushers = Array.from({ length: CLIENTS }, async (_, c) => {
      const { push } = clients(server.url);
      for (let k = 0; !stop; k++) {
        const t = base + k * 1000;
        const value = 1_000 + c * 100_000 + k;
        try {
          await push.push({ series: [cpuTotal({ __name__: "process_cpu", service_name: "crash", client: String(c) }, value, t)] });
          acked[c]!.set(t, value);
        } catch {
          return; // the server died under this push: it was never acknowledged
        }
      }
    });
    // Let the clients get going, then kill the server in the middle of their pushes.
    while (acked.reduce((n, m) => n + m.size, 0) < 300) await new Promise((r) => setTimeout(r, 20));
    const killed = await server.stop("SIGKILL");
    stop = true;
    await Promise.all(pushers);
    assert.equal(killed.signal, "SIGKILL");

    server = await start(dataDir, port);
    let total = 0;
    for (let c = 0; c < CLIENTS; c++) {
      const got = await points(server.url, c, base - 1000, base + 3_600_000);
      for (const [t, v] of acked[c]!) {
        assert.equal(got.get(t), v, `client ${c}: acknowledged profile at ${t} is missing or wrong`);
        total += v;
      }
    }
    const stored = await clients(server.url).querier.selectMergeStacktraces({ profileTypeID: CPU, labelSelector: '{service_name="crash"}', start: BigInt(base - 1000), end: BigInt(base + 3_600_000) });
    assert.ok(Number(stored.flamegraph!.total) >= total, "the flame graph holds at least every acknowledged value");
    await server.stop("SIGKILL");

    // Tear the tail of the newest WAL segment, as a crash in the middle of a write leaves it.
    const walDir = join(dataDir, "anonymous", "wal");
    const segments = readdirSync(walDir).filter((f) => f.endsWith(".wal")).sort();
    const last = join(walDir, segments.at(-1)!);
    const nonEmpty = segments.map((f) => join(walDir, f)).filter((f) => statSync(f).size > 64).at(-1) ?? last;
    truncateSync(nonEmpty, statSync(nonEmpty).size - 3);
    server = await start(dataDir, port);
    const after = await points(server.url, 0, base - 1000, base + 3_600_000);
    assert.ok(after.size > 0, "data before the torn record is still served");
    const { push } = clients(server.url);
    await push.push({ series: [cpuTotal({ __name__: "process_cpu", service_name: "crash", client: "new" }, 5, Date.now())] });
    const whole = await points(server.url, 0, base - 1000, base + 3_600_000);
    const r = await server.stop("SIGTERM");
    assert.equal(r.code, 0, `exit after SIGTERM; stderr:\n${r.stderr}`);

    // A graceful shutdown cuts the head into a block and ships it: the bucket holds it, the next start answers the same.
    const bucketBlocks = join(dataDir, "bucket", "anonymous", "phlaredb");
    const shipped = readdirSync(bucketBlocks).filter((d) => existsSync(join(bucketBlocks, d, "meta.json")));
    assert.ok(shipped.length > 0, "SIGTERM flushed and shipped a block");
    server = await start(dataDir, port);
    assert.deepEqual(await points(server.url, 0, base - 1000, base + 3_600_000), whole);
    const fresh = await clients(server.url).querier.selectSeries({ profileTypeID: CPU, labelSelector: '{client="new"}', start: BigInt(base), end: BigInt(Date.now() + 1000), step: 1 });
    assert.equal(fresh.series.length, 1, "the profile pushed before SIGTERM is there");
    await server.stop("SIGTERM");
  });
});
