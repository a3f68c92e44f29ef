// Runs the typecheck and lint, then every *.test.ts under src/, test/ and web/src/ with node:test.
// The web UI (its own package in web/) is installed, built and typechecked first, since the
// browser tests open it.
// Node 20 expands no globs, so the file list is built here and passed explicitly;
// a run that executes zero tests fails.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const skipTypecheck = args.includes("--no-typecheck");
const filters = args.filter((a) => !a.startsWith("--"));

function walk(dir, out) {
  let names = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name === "node_modules" || name === "gen") continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".test.ts")) out.push(relative(root, p));
  }
  return out;
}

let files = [...walk(join(root, "src"), []), ...walk(join(root, "test"), []), ...walk(join(root, "web", "src"), [])].sort();
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}

if (!skipTypecheck) {
  const tc = spawnSync(join(root, "node_modules", ".bin", "tsc"), ["-p", "."], { cwd: root, stdio: "inherit" });
  if (tc.status !== 0) {
    console.error("typecheck failed");
    process.exit(1);
  }
  const lint = spawnSync(process.execPath, [join(root, "scripts", "lint.mjs")], { cwd: root, stdio: "inherit" });
  if (lint.status !== 0) {
    console.error("lint failed");
    process.exit(1);
  }
  const ui = spawnSync(process.execPath, [join(root, "scripts", "build-ui.mjs")], { cwd: root, stdio: "inherit" });
  if (ui.status !== 0) {
    console.error("building the web UI failed");
    process.exit(1);
  }
  const webTc = spawnSync(join(root, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", "web"], { cwd: root, stdio: "inherit" });
  if (webTc.status !== 0) {
    console.error("web UI typecheck failed");
    process.exit(1);
  }
}

// Tests that run whole clusters (a dozen processes, etcd, Swift) would starve the servers other
// test files start on a small machine: they run after the others, one file at a time.
const isCluster = (f) => /^test\/cluster[^/]*\.test\.ts$/.test(f);
const phases = [
  { files: files.filter((f) => !isCluster(f)), concurrency: process.env.TEST_CONCURRENCY ?? "2" },
  { files: files.filter(isCluster), concurrency: "1" },
].filter((p) => p.files.length > 0);

let count = 0;
let status = 0;
for (const [i, phase] of phases.entries()) {
  const tapFile = join(root, ".tmp", `test-${i}.tap`);
  mkdirSync(dirname(tapFile), { recursive: true });
  rmSync(tapFile, { force: true });
  const run = spawnSync(
    process.execPath,
    [
      "--import", "tsx", "--test",
      `--test-concurrency=${phase.concurrency}`,
      "--test-reporter=spec", "--test-reporter-destination=stdout",
      "--test-reporter=tap", `--test-reporter-destination=${tapFile}`,
      ...phase.files,
    ],
    { cwd: root, stdio: "inherit", env: { ...process.env, NODE_ENV: "test" } },
  );
  let tap = "";
  try {
    tap = readFileSync(tapFile, "utf8");
  } catch {
    // no report: counted as zero tests below
  }
  const m = /^# tests (\d+)$/m.exec(tap);
  count += m ? Number(m[1]) : 0;
  if ((run.status ?? 1) !== 0) status = run.status ?? 1;
}
if (count === 0) {
  console.error("zero tests ran: failing");
  process.exit(1);
}
console.log(`${count} tests in ${files.length} files`);
process.exit(status);
