// Mechanical checks of STYLE.md: file size, no `any`, kebab-case names, a JSDoc line on
// every export, no TODO without an issue number, and a list of sources without a sibling
// test. Exits non-zero on a violation (the untested list is informational).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const MAX_LINES = 600;
const problems = [];
const untested = [];

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === "node_modules" || p === join(root, "src", "gen")) continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".ts") || name.endsWith(".tsx")) out.push(p);
  }
  return out;
}

const files = ["src", "test", "bench", "web/src"].flatMap((d) => {
  try {
    return walk(join(root, d), []);
  } catch {
    return [];
  }
});

for (const file of files) {
  const rel = relative(root, file);
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  if (lines.length > MAX_LINES) problems.push(`${rel}: ${lines.length} lines (limit ${MAX_LINES})`);
  if (!/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z]+)*\.tsx?$/.test(basename(file))) problems.push(`${rel}: file name is not kebab-case`);
  lines.forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, "");
    if (/(:\s*any\b|\bas any\b|<any>)/.test(code)) problems.push(`${rel}:${i + 1}: uses any`);
    if (/\bTODO\b(?!\(#\d+\))/.test(line)) problems.push(`${rel}:${i + 1}: TODO without an issue number`);
    if ((rel.startsWith("src/") || rel.startsWith("web/src/")) && /^export (async )?(function|class|interface|const|enum) |^export type [A-Za-z]/.test(line)) {
      const prev = lines.slice(Math.max(0, i - 3), i).join("\n");
      if (!/\*\/\s*$/.test(prev) && !/^\s*\/\//m.test(lines[i - 1] ?? "")) problems.push(`${rel}:${i + 1}: export without a doc comment`);
    }
  });
  if (rel.startsWith("src/") && !rel.endsWith(".test.ts") && !rel.endsWith(".bench.ts") && !basename(rel).startsWith("test-")) {
    const sibling = file.replace(/\.ts$/, ".test.ts");
    try {
      statSync(sibling);
    } catch {
      untested.push(rel);
    }
  }
}

if (process.argv.includes("--untested")) {
  console.log(`source files without a sibling test (${untested.length}):`);
  for (const f of untested) console.log(`  ${f}`);
}
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error(`${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`lint: ${files.length} files ok`);
