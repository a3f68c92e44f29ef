/**
 * The top README runs (STYLE rule 15): its curl examples are executed with bash
 * against a real server (port rewritten) and give what the README promises, its
 * bin/phlare examples name real flags, and the runtime-config example works.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Profile } from "pprof-format";
import { gunzipSync } from "node:zlib";
import { ProfileFormat } from "../src/gen/querier/v1/querier_pb.js";
import { repoRoot, runPhlare } from "./helpers/child.js";
import { parseGoFlagHelp } from "./helpers/go-flag-help.js";
import { startTestServer } from "./helpers/server.js";
import type { TestServer } from "./helpers/server.js";

const README = readFileSync(join(repoRoot, "README.md"), "utf8");
const DOC_ORIGIN = "localhost:4100";

/** Fenced code blocks of a markdown text, with their info string. */
function codeBlocks(md: string): { lang: string; code: string }[] {
  const out: { lang: string; code: string }[] = [];
  const re = /^```([^\n`]*)\n([\s\S]*?)^```\s*$/gm;
  for (const m of md.matchAll(re)) out.push({ lang: m[1]!.trim(), code: m[2]! });
  return out;
}

const shellBlocks = codeBlocks(README).filter((b) => ["sh", "bash", "shell", "console"].includes(b.lang));
const curlBlocks = shellBlocks.filter((b) => /\bcurl\b/.test(b.code) && b.code.includes(DOC_ORIGIN));

/** The paths a block's curl commands call, in order. */
function calledPaths(code: string): string[] {
  return [...code.matchAll(/http:\/\/localhost:4100(\/[^\s"'\\]*)/g)].map((m) => m[1]!);
}

/** Splits output holding several JSON documents back to back into parsed values. */
function jsonValues(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (depth === 0) start = i;
      depth++;
    } else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
    } else if (depth === 0 && c.trim() !== "") {
      throw new Error(`text outside JSON at ${i}: ${JSON.stringify(text.slice(i, i + 40))}`);
    }
  }
  if (depth !== 0) throw new Error("unterminated JSON in output");
  return out;
}

/** Runs `script` with bash in the repository root, without blocking the in-process server. */
function bash(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-e", "-c", script], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Per profile type, the total of the README's sample file as pprof-format reads it. */
function sampleFileTotals(): Map<string, number> {
  const stored = readFileSync(join(repoRoot, "examples/cpu.pb.gz"));
  const p = Profile.decode(stored[0] === 0x1f ? gunzipSync(stored) : stored);
  const s = (i: unknown): string => p.stringTable.strings[Number(i)] ?? "";
  const period = p.periodType === undefined ? ":" : `${s(p.periodType.type)}:${s(p.periodType.unit)}`;
  const totals = new Map<string, number>();
  p.sampleType.forEach((st, i) => {
    let total = 0;
    for (const sample of p.sample) if (sample.locationId.length > 0) total += Number(sample.value[i] ?? 0);
    totals.set(`process_cpu:${s(st.type)}:${s(st.unit)}:${period}`, total);
  });
  return totals;
}

describe("README layout (STYLE rule 15)", () => {
  it("opens with the command that starts Phlare and the one that tests it", () => {
    const first = shellBlocks[0];
    assert.ok(first, "a shell block");
    assert.ok(README.indexOf("```") < README.indexOf("\n## "), "the block comes before the first section");
    const lines = first.code.trim().split("\n");
    assert.match(lines[0]!, /\bnpm start\b/);
    assert.match(lines[1]!, /\bnpm test\b/);
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };
    assert.match(pkg.scripts["start"] ?? "", /bin\/phlare/, "npm start runs bin/phlare");
    assert.ok(pkg.scripts["test"], "npm test exists");
    assert.match(lines[0]!, /localhost:4100/, "names the default port");
  });

  it("has a curl push and a curl flame-graph query", () => {
    const paths = curlBlocks.flatMap((b) => calledPaths(b.code));
    assert.ok(paths.includes("/push.v1.PusherService/Push"), JSON.stringify(paths));
    assert.ok(paths.includes("/querier.v1.QuerierService/SelectMergeStacktraces"), JSON.stringify(paths));
  });
});

describe("README curl examples against a server with default limits", () => {
  let s: TestServer;
  let port: number;
  before(async () => {
    s = await startTestServer();
    port = s.app.port;
  });
  after(() => s.stop());

  const totals = sampleFileTotals();
  const results: { path: string; value: unknown }[] = [];

  for (const [i, block] of curlBlocks.entries()) {
    const paths = calledPaths(block.code);
    it(`block ${i + 1} (${paths.map((p) => p.split("/").pop()).join(", ")}) runs and answers as promised`, async () => {
      const script = block.code.replaceAll(`http://${DOC_ORIGIN}`, `http://127.0.0.1:${port}`);
      assert.ok(!script.includes(DOC_ORIGIN), "every URL rewritten");
      const r = await bash(script);
      assert.equal(r.code, 0, `bash failed:\n${r.stderr}`);
      assert.equal(r.stderr, "", "nothing on stderr");
      const values = jsonValues(r.stdout);
      assert.equal(values.length, paths.length, `one JSON answer per curl call:\n${r.stdout}`);
      paths.forEach((path, k) => results.push({ path, value: values[k] }));
      for (const [k, path] of paths.entries()) {
        const v = values[k] as Record<string, unknown>;
        assert.ok(!("code" in v), `${path} answered an error: ${JSON.stringify(v)}`);
        if (path === "/push.v1.PusherService/Push") {
          assert.deepEqual(v, {}, "push answers {}");
        } else if (path === "/querier.v1.QuerierService/ProfileTypes") {
          const ids = (v["profileTypes"] as { ID: string }[]).map((t) => t.ID);
          for (const id of totals.keys()) assert.ok(ids.includes(id), `ProfileTypes lists ${id}: ${JSON.stringify(ids)}`);
        } else if (path === "/querier.v1.QuerierService/SelectMergeStacktraces") {
          const fg = v["flamegraph"] as { names: string[]; levels: unknown[]; total: string };
          assert.ok(fg, "a flamegraph");
          assert.equal(fg.names[0], "total");
          assert.ok(fg.levels.length > 1, "more than the root level");
          assert.ok(Number(fg.total) > 0, "non-zero total");
          assert.equal(Number(fg.total), totals.get("process_cpu:cpu:nanoseconds:cpu:nanoseconds"), "the pushed file's CPU total");
        }
      }
    });
  }

  it("the README's pprof claims hold for the pushed profile", async () => {
    const pushed = results.some((r) => r.path === "/push.v1.PusherService/Push");
    assert.ok(pushed, "the push example ran first");
    const q = s.clients().querier;
    const now = BigInt(Date.now());
    const req = {
      profileTypeID: "process_cpu:cpu:nanoseconds:cpu:nanoseconds",
      labelSelector: '{service_name="checkout"}',
      start: now - 3_600_000n,
      end: now,
    };
    const want = totals.get(req.profileTypeID)!;
    const merged = await q.selectMergeProfile(req);
    assert.equal(merged.sample.reduce((sum, x) => sum + Number(x.value[0] ?? 0n), 0), want, "SelectMergeProfile total");
    const asPprof = await q.selectMergeStacktraces({ ...req, format: ProfileFormat.PPROF });
    assert.ok(asPprof.pprof?.profile, "SelectMergeStacktraces with PROFILE_FORMAT_PPROF returns a pprof");
    assert.equal(asPprof.pprof.profile.sample.reduce((sum, x) => sum + Number(x.value[0] ?? 0n), 0), want);
  });
});

describe("README bin/phlare examples", () => {
  const lines = shellBlocks
    .flatMap((b) => b.code.split("\n"))
    .map((l) => l.replace(/#.*$/, "").trim())
    .filter((l) => l.startsWith("bin/phlare"));

  it("name only flags the program defines", async () => {
    assert.ok(lines.length > 0, "the README shows bin/phlare");
    const help = await runPhlare(["-help-all"]);
    const defined = new Set(parseGoFlagHelp(help.stdout).entries.map((e) => e.name));
    for (const line of lines) {
      for (const m of line.matchAll(/(?:^|\s)-{1,2}([\w.-]+)/g)) assert.ok(defined.has(m[1]!), `README flag -${m[1]} in ${JSON.stringify(line)}`);
    }
  });

  it("the printing ones run and exit 0", async () => {
    const printing = lines.filter((l) => /\s-(help|help-all|modules|version)(\s|$)/.test(l));
    assert.ok(printing.length > 0);
    for (const line of printing) {
      const args = line.split(/\s+/).slice(1);
      const r = await runPhlare(args);
      assert.equal(r.code, 0, `${line}: ${r.stderr}`);
      assert.ok(r.stdout.length > 0, line);
    }
  });

  it("the per-tenant override example works as a runtime config file", async () => {
    const m = /`(overrides: \{.*\})`/.exec(README);
    assert.ok(m, "the README shows an overrides example");
    const dir = mkdtempSync(join(tmpdir(), "phlare-readme-"));
    const file = join(dir, "runtime.yaml");
    writeFileSync(file, `${m[1]}\n`);
    const s = await startTestServer([`-runtime-config.file=${file}`, "-auth.multitenancy-enabled"]);
    try {
      const tenant = /overrides: \{([\w-]+):/.exec(m[1]!)![1]!;
      const rate = Number(/ingestion_rate_mb: (\d+)/.exec(m[1]!)![1]);
      const res = await fetch(`${s.url}/api/v1/tenant_limits`, { headers: { "X-Scope-OrgID": tenant } });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { ingestion_rate: number }).ingestion_rate, rate);
    } finally {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
