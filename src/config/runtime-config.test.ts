import assert from "node:assert/strict";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { days, hours } from "./duration.js";
import { ConfigError } from "../model/errors.js";
import { defaultLimits } from "./limits.js";
import type { Limits } from "./limits.js";
import { parseRuntimeConfig, RuntimeConfigWatcher } from "./runtime-config.js";
import type { TenantOverrides } from "./runtime-config.js";

const dir = mkdtempSync(join(tmpdir(), "phlare-runtime-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let seq = 0;
function tempFile(text: string): string {
  const file = join(dir, `overrides-${seq++}.yaml`);
  writeFileSync(file, text);
  return file;
}

// Replaces the file in one rename, as editors and Kubernetes config maps do, so a reload never sees half a file.
function rewrite(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

async function waitFor(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const PERIOD_MS = 50;

describe("parseRuntimeConfig", () => {
  const ok: Array<{ name: string; yaml: string; want: TenantOverrides }> = [
    { name: "empty file", yaml: "", want: {} },
    { name: "empty overrides", yaml: "overrides:\n", want: {} },
    {
      name: "two tenants",
      yaml:
        "overrides:\n  tenant-a:\n    ingestion_rate_mb: 10\n    max_query_lookback: 30d\n" +
        "  tenant-b:\n    max_label_names_per_series: 50\n",
      want: {
        "tenant-a": { ingestion_rate_mb: 10, max_query_lookback: days(30) },
        "tenant-b": { max_label_names_per_series: 50 },
      },
    },
    { name: "tenant with no keys", yaml: "overrides:\n  tenant-a:\n", want: { "tenant-a": {} } },
  ];
  for (const c of ok) {
    test(c.name, () => assert.deepEqual(parseRuntimeConfig(c.yaml, "o.yaml"), c.want));
  }

  const bad: Array<{ name: string; yaml: string; message: string }> = [
    {
      name: "unknown limit names tenant and key",
      yaml: "overrides:\n  tenant-a:\n    ingestion_rate_mb: 1\n    max_bananas: 3\n",
      message: 'o.yaml:4:5: overrides.tenant-a.max_bananas: unknown limit "max_bananas" for tenant "tenant-a"',
    },
    { name: "unknown top-level key", yaml: "multi_kv_config: {}\n", message: "o.yaml:1:1: unknown key multi_kv_config" },
    {
      name: "wrong type",
      yaml: "overrides:\n  t:\n    max_global_series_per_tenant: lots\n",
      message: 'o.yaml:3:5: overrides.t.max_global_series_per_tenant: expected int, got string "lots"',
    },
    {
      name: "tenant given a scalar",
      yaml: "overrides:\n  t: 5\n",
      message: 'o.yaml:2:3: overrides.t: expected a mapping of limits for tenant "t", got number',
    },
    { name: "bad YAML", yaml: "overrides:\n  t:\n    x: [\n", message: "o.yaml:4:1: " },
  ];
  for (const c of bad) {
    test(`rejects ${c.name}`, () => {
      assert.throws(
        () => parseRuntimeConfig(c.yaml, "o.yaml"),
        (err: unknown) => err instanceof ConfigError && err.message.startsWith(c.message),
      );
    });
  }
});

describe("RuntimeConfigWatcher", () => {
  const base: Limits = { ...defaultLimits(), ingestion_rate_mb: 6 };

  test("limitsFor merges the tenant's keys over the main config's limits", async () => {
    const file = tempFile("overrides:\n  a:\n    ingestion_burst_size_mb: 20\n    max_query_length: 12h\n");
    const watcher = new RuntimeConfigWatcher({ file, periodMs: PERIOD_MS, defaults: base });
    await watcher.start();
    watcher.stop();
    const a = watcher.limitsFor("a");
    assert.equal(a.ingestion_burst_size_mb, 20);
    assert.equal(a.max_query_length, hours(12));
    assert.equal(a.ingestion_rate_mb, 6, "unset key takes the main config's value, not the table default");
    assert.equal(a.max_label_name_length, 1024);
    assert.deepEqual(watcher.limitsFor("other"), base);
    assert.deepEqual(watcher.overrides(), { a: { ingestion_burst_size_mb: 20, max_query_length: hours(12) } });
    assert.match(watcher.rawYaml(), /ingestion_burst_size_mb: 20/);
  });

  test("limits handed out cannot be changed by a caller", async () => {
    const watcher = new RuntimeConfigWatcher({ file: "", periodMs: PERIOD_MS, defaults: base });
    await watcher.start();
    assert.throws(() => {
      watcher.limitsFor("x").ingestion_rate_mb = 1;
    }, TypeError);
  });

  test("no file: every tenant gets the main config's limits", async () => {
    const watcher = new RuntimeConfigWatcher({ file: "", periodMs: PERIOD_MS, defaults: base });
    await watcher.start();
    assert.deepEqual(watcher.limitsFor("anonymous"), base);
    assert.deepEqual(watcher.overrides(), {});
    assert.equal(watcher.rawYaml(), "");
  });

  const startFailures: Array<{ name: string; file: () => string; message: RegExp }> = [
    { name: "missing file", file: () => join(dir, "absent.yaml"), message: /read runtime config .*absent\.yaml: ENOENT/ },
    { name: "unknown key", file: () => tempFile("overrides:\n  t:\n    nope: 1\n"), message: /unknown limit "nope" for tenant "t"/ },
  ];
  for (const c of startFailures) {
    test(`start fails on ${c.name}`, async () => {
      const watcher = new RuntimeConfigWatcher({ file: c.file(), periodMs: PERIOD_MS, defaults: base });
      await assert.rejects(watcher.start(), (err: unknown) => err instanceof ConfigError && c.message.test(err.message));
      watcher.stop();
    });
  }

  test("reloads an edited file, keeps the last good overrides on a bad edit, recovers", async () => {
    const file = tempFile("overrides:\n  t:\n    ingestion_rate_mb: 1\n");
    const errors: ConfigError[] = [];
    const changes: TenantOverrides[] = [];
    const watcher = new RuntimeConfigWatcher({
      file,
      periodMs: PERIOD_MS,
      defaults: base,
      onError: (err) => errors.push(err),
    });
    watcher.onChange((o) => changes.push(o));
    await watcher.start();
    try {
      assert.equal(watcher.limitsFor("t").ingestion_rate_mb, 1);
      assert.equal(changes.length, 1, "the initial load is a change from no overrides");

      rewrite(file, "overrides:\n  t:\n    ingestion_rate_mb: 2\n  u:\n    max_query_parallelism: 4\n");
      await waitFor("the edit", () => watcher.limitsFor("t").ingestion_rate_mb === 2);
      assert.equal(watcher.limitsFor("u").max_query_parallelism, 4);
      assert.equal(watcher.lastError, undefined);
      assert.deepEqual(changes.at(-1), { t: { ingestion_rate_mb: 2 }, u: { max_query_parallelism: 4 } });

      rewrite(file, "overrides:\n  t:\n    ingestion_rate_mb: [\n");
      await waitFor("the bad edit to be reported", () => watcher.lastError !== undefined);
      assert.equal(watcher.limitsFor("t").ingestion_rate_mb, 2, "previous good overrides stay");
      assert.ok(errors.length >= 1);
      assert.ok(errors[0]?.message.startsWith(`${file}:`));

      rewrite(file, "overrides:\n  t:\n    ingestion_rate_mb: 3\n");
      await waitFor("recovery", () => watcher.limitsFor("t").ingestion_rate_mb === 3);
      assert.equal(watcher.lastError, undefined);
    } finally {
      watcher.stop();
    }
  });

  test("rewriting the same values is not a change", async () => {
    const file = tempFile("overrides:\n  t:\n    ingestion_rate_mb: 1\n");
    const watcher = new RuntimeConfigWatcher({ file, periodMs: PERIOD_MS, defaults: base });
    let changes = 0;
    watcher.onChange(() => changes++);
    await watcher.start();
    watcher.stop();
    rewrite(file, "# same values, new comment\noverrides:\n  t: {ingestion_rate_mb: 1}\n");
    assert.equal(await watcher.reload(), false);
    assert.equal(changes, 1);
  });

  test("an unsubscribed listener is not called", async () => {
    const file = tempFile("overrides: {}\n");
    const watcher = new RuntimeConfigWatcher({ file, periodMs: PERIOD_MS, defaults: base });
    let calls = 0;
    const off = watcher.onChange(() => calls++);
    off();
    rewrite(file, "overrides:\n  t: {ingestion_rate_mb: 1}\n");
    assert.equal(await watcher.reload(), true);
    assert.equal(calls, 0);
  });

  test("stop ends reloading", async () => {
    const file = tempFile("overrides:\n  t:\n    ingestion_rate_mb: 1\n");
    const watcher = new RuntimeConfigWatcher({ file, periodMs: PERIOD_MS, defaults: base });
    await watcher.start();
    watcher.stop();
    rewrite(file, "overrides:\n  t:\n    ingestion_rate_mb: 9\n");
    await sleep(PERIOD_MS * 4);
    assert.equal(watcher.limitsFor("t").ingestion_rate_mb, 1);
  });
});

describe("RuntimeConfigWatcher listeners", () => {
  test("a throwing listener is reported and does not undo the reload", async () => {
    const file = tempFile("overrides: {}\n");
    const errors: ConfigError[] = [];
    const watcher = new RuntimeConfigWatcher({
      file,
      periodMs: PERIOD_MS,
      defaults: defaultLimits(),
      onError: (err) => errors.push(err),
    });
    let heard = 0;
    watcher.onChange(() => {
      throw new Error("boom");
    });
    watcher.onChange(() => heard++);
    rewrite(file, "overrides:\n  t: {ingestion_rate_mb: 7}\n");
    assert.equal(await watcher.reload(), true);
    assert.equal(watcher.limitsFor("t").ingestion_rate_mb, 7);
    assert.equal(heard, 1);
    assert.equal(watcher.lastError, undefined);
    assert.match(errors[0]?.message ?? "", /listener failed/);
  });
});
