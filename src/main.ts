/**
 * The program behind bin/phlare: flags and config, then the modules until
 * SIGTERM or SIGINT.
 */
import { main } from "./cli/main.js";
import { versionInfo } from "./cli/version.js";
import { modulesText } from "./modules.js";
import { startPhlare } from "./phlare.js";

/** Runs phlare with `argv` (the arguments after the program name); resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  const version = versionInfo();
  return main(argv, {
    version,
    modulesText,
    start: async (config) => {
      const app = await startPhlare(config, { version });
      await new Promise<void>((resolve) => {
        const onSignal = (signal: NodeJS.Signals): void => {
          app.ctx.logger.info("shutting down", { signal });
          process.off("SIGTERM", onSignal);
          process.off("SIGINT", onSignal);
          resolve();
        };
        process.on("SIGTERM", onSignal);
        process.on("SIGINT", onSignal);
      });
      await app.stop();
    },
  });
}
