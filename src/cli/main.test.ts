import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { Config } from "../config/config.js";
import { ConfigError } from "../model/errors.js";
import { main } from "./main.js";
import type { MainDeps } from "./main.js";
import type { VersionInfo } from "./version.js";

const dir = mkdtempSync(join(tmpdir(), "phlare-main-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const version: VersionInfo = {
  version: "0.1.0",
  branch: "main",
  revision: "unknown",
  buildUser: "unknown",
  buildDate: "unknown",
  runtimeVersion: "node v20.0.0",
  platform: "linux/amd64",
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  started: Config[];
}

async function run(argv: string[], start?: (config: Config) => Promise<void>): Promise<Run> {
  const r: Run = { code: -1, stdout: "", stderr: "", started: [] };
  const deps: MainDeps = {
    modulesText: () => "ingester *\nquerier *\n\nModules marked with * are included in target All.",
    start: async (config) => {
      r.started.push(config);
      await start?.(config);
    },
    version,
    env: { PORT: "4321" },
    stdout: (t) => (r.stdout += t),
    stderr: (t) => (r.stderr += t),
  };
  r.code = await main(argv, deps);
  return r;
}

describe("main", () => {
  test("-help prints usage to stdout and exits 0", async () => {
    const r = await run(["-help"]);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.startsWith("Usage of phlare:\n"));
    assert.equal(r.stderr, "");
    assert.equal(r.started.length, 0);
  });

  test("-version prints the version text", async () => {
    const r = await run(["-version"]);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.startsWith("phlare, version 0.1.0 (branch: main, revision: unknown)\n"));
  });

  test("-modules prints the modules text with a final newline", async () => {
    const r = await run(["-modules"]);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.endsWith("Modules marked with * are included in target All.\n"));
  });

  const failures: Array<{ name: string; argv: () => string[]; stderr: RegExp }> = [
    { name: "unknown flag", argv: () => ["-nope"], stderr: /^flag provided but not defined: -nope\n$/ },
    { name: "missing value", argv: () => ["-target"], stderr: /^flag needs an argument: -target\n$/ },
    {
      name: "bad value",
      argv: () => ["-server.http-listen-port=x"],
      stderr: /^invalid value "x" for flag -server\.http-listen-port: parse error\n$/,
    },
    {
      name: "bad config file",
      argv: () => {
        const file = join(dir, "bad.yaml");
        writeFileSync(file, "server:\n  nope: 1\n");
        return ["-config.file", file];
      },
      stderr: /bad\.yaml:2:3: unknown key server\.nope\n$/,
    },
  ];
  for (const c of failures) {
    test(`${c.name} exits 2 with the message on stderr`, async () => {
      const r = await run(c.argv());
      assert.equal(r.code, 2);
      assert.match(r.stderr, c.stderr);
      assert.equal(r.stdout, "");
      assert.equal(r.started.length, 0);
    });
  }

  test("starts with the loaded config, env expanded from deps.env", async () => {
    const file = join(dir, "ok.yaml");
    writeFileSync(file, "server:\n  http_listen_port: ${PORT}\n");
    const r = await run(["-config.file", file, "-config.expand-env", "-target=ingester"]);
    assert.equal(r.code, 0);
    assert.equal(r.started.length, 1);
    assert.equal(r.started[0]?.server.http_listen_port, 4321);
    assert.deepEqual(r.started[0]?.target, ["ingester"]);
  });

  test("a ConfigError from start-up exits 2", async () => {
    const r = await run([], async () => {
      throw new ConfigError("read runtime config o.yaml: ENOENT");
    });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "read runtime config o.yaml: ENOENT\n");
  });

  test("any other start-up failure exits 1", async () => {
    const r = await run([], async () => {
      throw new Error("listen EADDRINUSE: address already in use :::4100");
    });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "error: listen EADDRINUSE: address already in use :::4100\n");
  });
});
