/**
 * The ring status pages of a single process (-target=all): each ring is a ring of one in memory,
 * with this process ACTIVE in it, shown as HTML and JSON; "forget" removes a member.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

interface RingJson {
  shards: { id: string; state: string; address: string; num_tokens: number }[];
}

async function ringJson(url: string, path: string): Promise<RingJson> {
  const res = await fetch(`${url}${path}`, { headers: { accept: "application/json" } });
  assert.equal(res.status, 200);
  return (await res.json()) as RingJson;
}

async function until(fn: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await fn()); i++) await new Promise((r) => setTimeout(r, 25));
}

describe("ring pages of -target=all", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer([
      "-ingester.lifecycler.ID=ing-a",
      "-distributor.ring.instance-id=dist-a",
      "-store-gateway.sharding-ring.instance-id=sg-a",
      "-compactor.ring.instance-id=comp-a",
    ]);
  });
  after(async () => {
    await s?.stop();
  });

  for (const [path, id, tokens] of [
    ["/ring", "ing-a", 128],
    ["/distributor/ring", "dist-a", 1],
    ["/store-gateway/ring", "sg-a", 128],
    ["/compactor/ring", "comp-a", 128],
  ] as const) {
    it(`${path} lists this process, ACTIVE, at the port it serves`, async () => {
      await until(async () => (await ringJson(s.url, path)).shards[0]?.state === "ACTIVE");
      const ring = await ringJson(s.url, path);
      assert.equal(ring.shards.length, 1);
      assert.equal(ring.shards[0]!.id, id);
      assert.equal(ring.shards[0]!.state, "ACTIVE");
      assert.equal(ring.shards[0]!.num_tokens, tokens);
      assert.ok(ring.shards[0]!.address.endsWith(`:${new URL(s.url).port}`), ring.shards[0]!.address);
      const html = await (await fetch(`${s.url}${path}`)).text();
      assert.match(html, new RegExp(`<td>${id}</td>`));
    });
  }

  it("forget removes a member and answers a form without one with 400", async () => {
    const res = await fetch(`${s.url}/compactor/ring`, { method: "POST", body: new URLSearchParams({ forget: "comp-a" }), redirect: "manual" });
    assert.equal(res.status, 302);
    assert.equal((await ringJson(s.url, "/compactor/ring")).shards.length, 0);
    const bad = await fetch(`${s.url}/compactor/ring`, { method: "POST", body: new URLSearchParams({}) });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /forget/);
  });
});
