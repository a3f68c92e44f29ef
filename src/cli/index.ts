/** The command-line entry point and version reporting. */
export { main } from "./main.js";
export type { MainDeps } from "./main.js";
export { goPlatform, versionInfo, versionText } from "./version.js";
export type { VersionInfo } from "./version.js";
