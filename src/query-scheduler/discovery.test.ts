import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nopLogger } from "../server/logger.js";
import { joinHostPort, parseSchedulerAddresses, SchedulerDiscovery, splitHostPort } from "./discovery.js";

describe("scheduler addresses", () => {
  it("parses a comma-separated list", () => {
    assert.deepEqual(parseSchedulerAddresses(""), []);
    assert.deepEqual(parseSchedulerAddresses(" a:1, b:2 ,"), ["a:1", "b:2"]);
  });

  const good: [string, string, number][] = [
    ["scheduler:9095", "scheduler", 9095],
    ["10.0.0.1:80", "10.0.0.1", 80],
    ["[::1]:4100", "::1", 4100],
  ];
  for (const [address, host, port] of good) {
    it(`splits ${address}`, () => {
      assert.deepEqual(splitHostPort(address), { host, port });
      assert.equal(joinHostPort(host, port), address);
    });
  }
  for (const bad of ["scheduler", "scheduler:", "scheduler:http", ":9095", "a:99999", "::1:80"]) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => splitHostPort(bad), /is not host:port/));
  }
});

describe("SchedulerDiscovery", () => {
  it("ring mode uses the addresses as they are", async () => {
    const d = new SchedulerDiscovery({ addresses: ["a:1", "b:2"], mode: "ring", logger: nopLogger(), lookup: () => Promise.reject(new Error("no lookups")) });
    await d.start();
    assert.deepEqual(d.targets(), ["a:1", "b:2"]);
    d.stop();
  });

  it("dns mode targets every resolved address and follows changes", async () => {
    let answers: Record<string, string[]> = { sched: ["10.0.0.1", "10.0.0.2"], other: ["fd00::1"] };
    const seen: (readonly string[])[] = [];
    const d = new SchedulerDiscovery({
      addresses: ["sched:9095", "other:80"],
      mode: "dns",
      logger: nopLogger(),
      lookup: async (host) => answers[host] ?? [],
    });
    d.subscribe((t) => seen.push(t));
    await d.start();
    assert.deepEqual(d.targets(), ["10.0.0.1:9095", "10.0.0.2:9095", "[fd00::1]:80"]);
    answers = { sched: ["10.0.0.2", "10.0.0.3"], other: ["fd00::1"] };
    await d.refresh();
    assert.deepEqual(d.targets(), ["10.0.0.2:9095", "10.0.0.3:9095", "[fd00::1]:80"]);
    await d.refresh();
    d.stop();
    assert.deepEqual(seen.map((t) => t.length), [0, 3, 3], "one notification per change");
  });

  it("dns mode keeps an address's previous targets when its lookup fails", async () => {
    let fail = false;
    const d = new SchedulerDiscovery({
      addresses: ["sched:9095"],
      mode: "dns",
      logger: nopLogger(),
      lookup: async () => {
        if (fail) throw new Error("SERVFAIL");
        return ["10.0.0.1"];
      },
    });
    await d.start();
    fail = true;
    await d.refresh();
    assert.deepEqual(d.targets(), ["10.0.0.1:9095"]);
    d.stop();
  });

  it("resolves localhost with the system resolver", async () => {
    const d = new SchedulerDiscovery({ addresses: ["localhost:4100"], mode: "dns", logger: nopLogger() });
    await d.start();
    d.stop();
    assert.ok(d.targets().length >= 1);
    for (const t of d.targets()) assert.match(t, /^(127\.0\.0\.1|\[::1\]):4100$/);
  });
});
