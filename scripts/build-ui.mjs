// Makes sure web/dist holds a build of the current web/ sources: installs web/'s own packages
// (npm ci, once) and runs its Vite build when a source is newer than the last build. Used by
// `npm start` and by the browser tests, so a fresh clone serves the UI without extra steps.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const web = join(root, "web");
const dist = join(web, "dist", "index.html");

// The newest source file; folders' own times are left out, since lock folders come and go in web/.
function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const name of readdirSync(path)) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
    max = Math.max(max, newest(join(path, name)));
  }
  return max;
}

function run(args, what) {
  console.error(`phlare: ${what}…`);
  const r = spawnSync("npm", args, { cwd: web, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) {
    console.error(`phlare: ${what} failed (npm ${args.join(" ")} in web/ exited with ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

if (!existsSync(join(web, "package.json"))) process.exit(0);
const lock = join(web, "package-lock.json");
const installed = join(web, "node_modules", ".package-lock.json");
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  run(["ci", "--no-audit", "--no-fund"], "installing the web UI's packages (once)");
}
if (!existsSync(dist) || statSync(dist).mtimeMs < newest(web)) run(["run", "build"], "building the web UI");
