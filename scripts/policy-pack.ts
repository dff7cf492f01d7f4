/**
 * The policy pack under `npm run preview|up`: started by the wrapper as it starts, beside the CLI
 * and the program, rather than by the CLI once it is ready for it.
 *
 * Given the pack's folder, the CLI waits for the pack before it runs the program, and Pulumi's
 * Node.js language host starts it only after the engine has configured it (0.5 s here, once in a
 * preview and again in the update), then relays each of the engine's calls to it (two per resource).
 * Given an executable instead (CLI 3.255 and later, pulumi/pulumi#24052), the CLI runs it as the
 * pack: `policy/pack/attach.sh`, which prints the port of the pack started here once that pack
 * serves, so that the engine talks to it directly. The pack takes the stack's configuration from
 * the engine (policy/pack/attached.ts), serves the preview and the update of one `npm run up`, and
 * exits with the wrapper.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { PORT_FILE, STARTED_BY_WRAPPER } from "../policy/pack/attached";

/** The pack's folder, relative to the project root: what `--policy-pack` takes without this. */
export const PACK_DIR = "policy/pack";
/** The executable the CLI runs as the pack, in {@link PACK_DIR}. */
const ATTACH = "attach.sh";
/** The first Pulumi CLI that runs an executable given to `--policy-pack` as the pack. */
export const EXECUTABLE_PACKS_SINCE = "3.255.0";

/** A pack started by {@link startPolicyPack}. */
export interface StartedPolicyPack {
  /** What `--policy-pack` takes: the executable that attaches the CLI to this pack. */
  readonly path: string;
  /** What the CLI's environment needs for that executable. */
  readonly env: Readonly<Record<string, string>>;
  /** Stops the pack. */
  close(): void;
}

/**
 * True when a CLI of `version` ("v3.260.0", as `pulumi version` prints it) attaches to a pack started
 * by {@link startPolicyPack}: from {@link EXECUTABLE_PACKS_SINCE}, where a file can be executed
 * from a shebang line (not on Windows). An unknown version keeps the folder.
 */
export function attachesToStartedPack(
  version: string | undefined,
  platform: NodeJS.Platform = process.platform,
): boolean {
  const parse = (v: string) => /^v?(\d+)\.(\d+)\.(\d+)/.exec(v)?.slice(1).map(Number);
  const [have, since] = [parse(version ?? ""), parse(EXECUTABLE_PACKS_SINCE)];
  if (have === undefined || since === undefined || platform === "win32") return false;
  const at = have.findIndex((part, i) => part !== since[i]);
  return at === -1 || (have[at] ?? 0) > (since[at] ?? 0);
}

/**
 * Starts the pack in `root`'s {@link PACK_DIR} (its `main`, from the pack's folder, with `env`), and
 * writes, for attach.sh, its port once it serves or, when it exits first, why it is not there.
 *
 * The pack runs without the SDK's policy-pack runner, which the language host would start it
 * through: of what the runner does for a pack (source-mapped stack traces, ts-node for a pack in
 * TypeScript, V8's inspector for serializing functions, an uncaught error ending the process),
 * this compiled pack needs the first, loaded here, and Node.js does the last. It serves 0.2 s after
 * its start instead of 0.33 s.
 */
export function startPolicyPack(root: string, env: NodeJS.ProcessEnv): StartedPolicyPack {
  const dir = path.join(root, PACK_DIR);
  const files = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-pack-"));
  const portFile = path.join(files, "port");
  let written = false;
  const answer = (line: string) => {
    if (written) return;
    written = true;
    // Renamed into place: attach.sh reads the whole line or none.
    fs.writeFileSync(`${portFile}.partial`, `${line}\n`);
    fs.renameSync(`${portFile}.partial`, portFile);
  };

  // The pack's standard input stays open until this process exits (attached.ts); in a process group
  // of its own, a Ctrl-C at the terminal, which the CLI answers by cancelling the update safely,
  // leaves it serving the CLI until then.
  const sdk = createRequire(require.resolve("@pulumi/pulumi", { paths: [dir] }));
  const sourceMaps = sdk.resolve("source-map-support/register");
  const pack = spawn(process.execPath, ["--require", sourceMaps, dir], {
    cwd: dir,
    env: { ...env, [STARTED_BY_WRAPPER]: "1", [PORT_FILE]: portFile },
    stdio: ["pipe", "pipe", "inherit"],
    detached: true,
  });
  let stdout = "";
  const readPort = (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
    const newline = stdout.indexOf("\n");
    if (newline < 0) return;
    pack.stdout.off("data", readPort);
    const line = stdout.slice(0, newline).trim();
    // What the pack prints after its port is its output, shown as the CLI would show it.
    process.stdout.write(stdout.slice(newline + 1));
    pack.stdout.pipe(process.stdout);
    answer(/^\d+$/.test(line) ? line : `shipyard policy pack: printed ${JSON.stringify(line)} for its port`);
  };
  pack.stdout.on("data", readPort);
  pack.on("error", (error) => answer(`shipyard policy pack: could not start (${error.message})`));
  pack.on("exit", (code, signal) =>
    answer(
      `shipyard policy pack: exited (${signal ?? `code ${code}`}) before it served; its errors are above`,
    ),
  );
  const stop = () => {
    written = true;
    pack.kill();
    fs.rmSync(files, { recursive: true, force: true });
  };
  process.on("exit", stop);
  return {
    path: path.join(dir, ATTACH),
    env: { [PORT_FILE]: portFile },
    close: () => {
      process.off("exit", stop);
      stop();
    },
  };
}
