/**
 * Which Pulumi CLI the npm scripts, `promote` and the end-to-end suite run: a `pulumi` on PATH (the
 * user's own install) when there is one, else the CLI that the `pulumi` npm package installs on
 * first use (into `$PULUMI_HOME/versions/<version>`).
 *
 * `npm run` puts `node_modules/.bin` first on PATH, and the `pulumi` there is the npm package's
 * wrapper, which never looks at PATH: it runs its own pinned version or downloads it. So PATH is
 * searched without `node_modules/.bin` folders, and the wrapper is only the fallback.
 */
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** Where a CLI came from, for messages. */
export interface PulumiCli {
  /** Absolute path of the `pulumi` binary. */
  readonly path: string;
  readonly source: "PATH" | "npm";
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** True for a PATH entry that `npm run` or `npx` added: `…/node_modules/.bin`. */
export function isNpmBinDir(dir: string): boolean {
  return path.basename(dir) === ".bin" && path.basename(path.dirname(dir)) === "node_modules";
}

/** The first `pulumi` on `pathVar` outside `node_modules/.bin`, or undefined. */
export function pulumiOnPath(
  pathVar: string | undefined,
  isExecutable: (file: string) => boolean = isExecutableFile,
): string | undefined {
  for (const dir of (pathVar ?? "").split(path.delimiter)) {
    if (dir === "" || isNpmBinDir(dir)) continue;
    const candidate = path.resolve(dir, "pulumi");
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The resolver of the `pulumi` npm package (a devDependency): returns its CLI, downloading it once. */
type NpmResolve = () => Promise<string>;

function npmResolve(): Promise<string> {
  // The package's own resolver (what its `run.js` calls); not typed, so its shape is asserted here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require("pulumi/lib/resolve") as { resolve: () => Promise<string> };
  return mod.resolve();
}

/**
 * The CLI to run: a `pulumi` on PATH (outside node_modules/.bin), else the npm package's.
 *
 * @throws Error saying both what was searched and why the npm package's CLI is not there
 */
export async function resolvePulumiCli(
  env: NodeJS.ProcessEnv = process.env,
  resolveNpm: NpmResolve = npmResolve,
): Promise<PulumiCli> {
  const onPath = pulumiOnPath(env.PATH);
  if (onPath !== undefined) return { path: onPath, source: "PATH" };
  try {
    return { path: await resolveNpm(), source: "npm" };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `no pulumi on PATH, and the pulumi npm package could not install its CLI (${reason}); ` +
        "install the Pulumi CLI (https://www.pulumi.com/docs/install/) or run where it can be downloaded",
      { cause: error },
    );
  }
}

/**
 * The environment a CLI runs in: its own folder first on PATH, so the language host and plugins
 * installed beside it (`pulumi-language-nodejs`, …) are the ones it finds.
 */
export function withCliOnPath(cli: PulumiCli, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const dir = path.dirname(cli.path);
  return { ...env, PATH: [dir, env.PATH].filter((p) => p !== undefined && p !== "").join(path.delimiter) };
}

/**
 * The Automation API's handle on the same CLI. `PulumiCommand.get` runs `pulumi` from PATH (or
 * `<root>/bin/pulumi`), so this process's PATH gets the CLI's folder first: the workspaces it
 * opens then run this CLI and find its plugins.
 */
export async function pulumiCommand(env: NodeJS.ProcessEnv = process.env): Promise<PulumiCommand> {
  const cli = await resolvePulumiCli(env);
  process.env.PATH = withCliOnPath(cli, process.env).PATH;
  // Required here, not imported at the top: the npm wrapper loads this file and never needs the SDK
  // (0.8 s of every `npm run preview`).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const automation = require("@pulumi/pulumi/automation") as { PulumiCommand: typeof PulumiCommand };
  return automation.PulumiCommand.get();
}

/** Runs `pulumi version`: what it prints, or undefined when it fails. */
type VersionOf = (cli: string) => string | undefined;

/** What the CLI at `cli` prints for `pulumi version` ("v3.260.0"), or undefined when it fails. */
export function pulumiVersion(cli: string): string | undefined {
  const result = spawnSync(cli, ["version"], {
    encoding: "utf8",
    env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * The CLI's version as `pulumi version` prints it ("v3.260.0"), remembered in `cacheFile` by the
 * binary's path, size and modification time (the CLI takes 0.25 s to say it, on every command);
 * undefined when the CLI cannot tell. The cache is best effort: unreadable, it is rebuilt;
 * unwritable, the CLI is asked each time.
 */
export function cliVersion(
  cli: PulumiCli,
  cacheFile: string,
  versionOf: VersionOf = pulumiVersion,
): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(cli.path);
  } catch {
    return undefined;
  }
  const stamp = `${stat.size}:${stat.mtimeMs}`;
  let cache: Record<string, { stamp?: unknown; version?: unknown } | undefined> = {};
  try {
    const read: unknown = JSON.parse(fs.readFileSync(cacheFile, "utf8"));
    if (typeof read === "object" && read !== null) cache = read as typeof cache;
  } catch {
    // none yet, or unreadable: rebuilt below
  }
  const known = cache[cli.path];
  if (known?.stamp === stamp && typeof known.version === "string") return known.version;
  const version = versionOf(cli.path);
  if (version === undefined) return undefined;
  try {
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    // Renamed into place: a command starting meanwhile reads the old cache or the new, never half.
    const partial = `${cacheFile}.${process.pid}`;
    fs.writeFileSync(partial, `${JSON.stringify({ ...cache, [cli.path]: { stamp, version } }, null, 2)}\n`);
    fs.renameSync(partial, cacheFile);
  } catch {
    // a read-only checkout: asked again next time
  }
  return version;
}
