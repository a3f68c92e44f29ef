/** Build and version facts printed by `phlare -version`, in Prometheus's version.Print layout. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** What `-version` reports. */
export interface VersionInfo {
  readonly version: string;
  readonly branch: string;
  readonly revision: string;
  readonly buildUser: string;
  readonly buildDate: string;
  /** The runtime, printed where Go binaries print the Go version, e.g. "node v20.19.0". */
  readonly runtimeVersion: string;
  /** os/arch in Go's words, e.g. "linux/amd64". */
  readonly platform: string;
}

const UNKNOWN = "unknown";
const repoRoot = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

function packageVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(`${repoRoot}/package.json`, "utf8"));
    if (typeof pkg === "object" && pkg !== null && "version" in pkg && typeof pkg.version === "string") {
      return pkg.version;
    }
  } catch {
    // A missing or unreadable package.json only costs the version string.
  }
  return UNKNOWN;
}

/** Runs a short git query in the source tree; undefined when git or the repository is not there. */
function git(args: readonly string[]): string | undefined {
  try {
    const out = execFileSync("git", [...args], {
      cwd: repoRoot,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 2000,
    }).trim();
    return out === "" ? undefined : out;
  } catch {
    return undefined;
  }
}

const GO_ARCH: Readonly<Record<string, string>> = { x64: "amd64", ia32: "386", arm64: "arm64", arm: "arm" };

/** Go's GOOS/GOARCH spelling of this process's platform. */
export function goPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const os = platform === "win32" ? "windows" : platform;
  return `${os}/${GO_ARCH[arch] ?? arch}`;
}

let cached: VersionInfo | undefined;

/**
 * Gathers the version facts once. Build facts come from PHLARE_REVISION, PHLARE_BRANCH,
 * PHLARE_BUILD_USER and PHLARE_BUILD_DATE; revision and branch fall back to git, then "unknown".
 * The build date is never "now": a date that changes per start would be a lie.
 */
export function versionInfo(env: NodeJS.ProcessEnv = process.env): VersionInfo {
  if (cached !== undefined && env === process.env) return cached;
  const info: VersionInfo = {
    version: packageVersion(),
    revision: env["PHLARE_REVISION"] || git(["rev-parse", "--short", "HEAD"]) || UNKNOWN,
    branch: env["PHLARE_BRANCH"] || git(["rev-parse", "--abbrev-ref", "HEAD"]) || UNKNOWN,
    buildUser: env["PHLARE_BUILD_USER"] || UNKNOWN,
    buildDate: env["PHLARE_BUILD_DATE"] || UNKNOWN,
    runtimeVersion: `node ${process.version}`,
    platform: goPlatform(),
  };
  if (env === process.env) cached = info;
  return info;
}

/** The `-version` text, as Prometheus's version.Print("phlare") lays it out. */
export function versionText(info: VersionInfo): string {
  return (
    `phlare, version ${info.version} (branch: ${info.branch}, revision: ${info.revision})\n` +
    `  build user:       ${info.buildUser}\n` +
    `  build date:       ${info.buildDate}\n` +
    `  go version:       ${info.runtimeVersion}\n` +
    `  platform:         ${info.platform}\n`
  );
}
