/**
 * Graph backup command line, shipped in the API image:
 *
 *   node dist/graph-backup.js run | export <file> | restore <file> | list
 *
 * Exit codes: 0 done (or `run` stopped by SIGTERM/SIGINT), 1 failed, 2 usage or configuration
 * error, 3 refused with nothing changed (not a complete export, or the database is not empty).
 * See graph-backup-cli.ts for the environment and README.md for the procedure.
 */
import { runCli } from "./graph-backup-cli.js";

const controller = new AbortController();
const stop = (): void => controller.abort();
process.once("SIGTERM", stop).once("SIGINT", stop);

runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  signal: controller.signal,
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const entry = {
      time: new Date().toISOString(),
      level: "error",
      msg: "graph backup crashed",
      error: message,
    };
    process.stdout.write(`${JSON.stringify(entry)}\n`);
    process.exit(1);
  },
);
