/**
 * `npm run preview|up|destroy -- <stack> [pulumi flags...]`: runs the Pulumi CLI for a stack from the
 * project root, with the project-local state folder created first (the file backend refuses a
 * missing folder, pulumi/pulumi#15841) and the stack created on first use.
 *
 * `up` (with no flags but `--yes`) previews, and stops there when the preview found nothing to do
 * and the last update did not fail (a failed health gate leaves nothing for a preview to show);
 * otherwise it runs the update (`pulumi up --skip-preview`, after the user's yes). `pulumi up` itself
 * always runs an update after its preview, 5 s or more here even when nothing changes. The update
 * evaluates the program again, as `pulumi up`'s does; it is not held to the preview's plan
 * (`pulumi up --plan`): that check rejected a first deploy here, a generated password being unknown
 * in the plan and known in the update, and printed the password in its error.
 *
 * `preview` and `up` serve the program from this process (infra/program-host.ts, `--client`): it
 * loads while the CLI starts, once for the preview and the update. They start the policy pack here
 * too, as this process starts, and the CLI attaches to it (scripts/policy-pack.ts) where it can.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline/promises";
import { sourceDir } from "../components/source-dir";
import { hostProgram, type Program, type ProgramHost } from "../infra/program-host";
import { listStacks } from "../infra/stack-files";
import { attachesToStartedPack, PACK_DIR, startPolicyPack, type StartedPolicyPack } from "./policy-pack";
import { cliVersion, resolvePulumiCli, withCliOnPath, type PulumiCli } from "./pulumi-cli";
import {
  localCheckpointFile,
  localHistoryDir,
  localStackExists,
  PROJECT,
  pulumiEnv,
  stateDir,
} from "./pulumi-env";
import { waitForRollouts } from "./swarm-rollout";
import { lastUpdateFailed, pendingOperations, plannedChanges } from "./update-plan";

// Run compiled (scripts/pulumi.cjs) from .build/<fingerprint>/scripts, or as TypeScript (tests).
const ROOT = path.resolve(sourceDir(__dirname), "..");
/** Where the CLI's version is remembered (scripts/pulumi-cli.ts `cliVersion`): the user's cache. */
const CLI_VERSIONS = path.join(
  process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"),
  "shipyard",
  "pulumi-cli-versions.json",
);
const COMMANDS = {
  preview: ["preview", "--diff"],
  up: ["up"],
  // Protected resources (prod's data volumes and the passwords that open them) stay, in state and
  // on the host, so the next `up` finds its data; README "Data" says how to remove them too.
  destroy: ["destroy", "--exclude-protected"],
} as const;

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(2);
}

function pulumi(cli: PulumiCli, args: readonly string[], env: NodeJS.ProcessEnv): number {
  const result = spawnSync(cli.path, args, { cwd: ROOT, env, stdio: "inherit" });
  if (result.error) fail(`could not run the Pulumi CLI at ${cli.path}: ${result.error.message}`);
  return result.status ?? 1;
}

/** The compiled program (Pulumi.yaml's `main` loads the same file), required when first needed. */
function loadProgram(): Program {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("../infra/index") as Program;
}

/**
 * A Pulumi command that evaluates the program, which `host` serves (`--client`): the program loads
 * while the CLI starts. Until the CLI exits, Ctrl-C is the CLI's (the terminal signals it too; it
 * cancels the update safely, and the program must go on serving it meanwhile) and SIGTERM is passed
 * on to it. `stderr: "pipe"` collects the CLI's standard error instead of showing it.
 */
async function evaluate(
  cli: PulumiCli,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  host: ProgramHost,
  stderr: "inherit" | "pipe" = "inherit",
): Promise<{ status: number; stderr: string }> {
  const child = spawn(cli.path, [...args, `--client=${host.address}`], {
    cwd: ROOT,
    env,
    stdio: ["inherit", "inherit", stderr],
  });
  let errors = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (errors += chunk));
  const exited = new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
  const keep = () => undefined;
  const pass = () => void child.kill("SIGTERM");
  process.on("SIGINT", keep);
  process.on("SIGTERM", pass);
  try {
    host.load();
    return { status: await exited, stderr: errors };
  } catch (error) {
    fail(`could not run the Pulumi CLI at ${cli.path}: ${(error as Error).message}`);
  } finally {
    process.off("SIGINT", keep);
    process.off("SIGTERM", pass);
  }
}

async function main(): Promise<void> {
  const [command, stack, ...rest] = process.argv.slice(2);
  if (command === undefined || !(command in COMMANDS))
    fail(`usage: npm run <${Object.keys(COMMANDS).join("|")}> -- <stack> [flags]`);
  const stacks = listStacks(ROOT);
  if (stack === undefined || stack.startsWith("-"))
    fail(`name the stack: npm run ${command} -- <stack>; stacks here: ${stacks.join(", ")}`);
  if (!stacks.includes(stack))
    fail(
      `no Pulumi.${stack}.yaml; stacks here: ${stacks.join(", ")} (copy one and set shipyard:environment)`,
    );

  if (!process.env.PULUMI_BACKEND_URL) fs.mkdirSync(stateDir(ROOT), { recursive: true });
  // dev's passphrase is the project's own (pulumi-env.ts); every other stack's is the user's.
  const passphrase = process.env.PULUMI_CONFIG_PASSPHRASE;
  if (stack !== "dev" && passphrase === undefined && process.env.PULUMI_CONFIG_PASSPHRASE_FILE === undefined)
    fail("set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE): it encrypts this stack's secrets");
  if (stack !== "dev" && passphrase === "")
    fail("PULUMI_CONFIG_PASSPHRASE is empty: an empty passphrase protects nothing; set a real one");
  let cli: PulumiCli;
  try {
    cli = await resolvePulumiCli();
  } catch (error) {
    fail((error as Error).message);
  }
  let env = withCliOnPath(cli, { ...process.env, ...pulumiEnv(stack, process.env, ROOT) });
  // preview and up check the stack with the policy pack: started now, where the CLI can attach to it.
  let pack: StartedPolicyPack | undefined;
  if (command !== "destroy" && attachesToStartedPack(cliVersion(cli, CLI_VERSIONS))) {
    pack = startPolicyPack(ROOT, env);
    env = { ...env, ...pack.env };
  }
  const policy = ["--policy-pack", pack?.path ?? PACK_DIR];
  // Create the stack on first use; on the project-local backend an existing one needs no CLI run.
  const known = !process.env.PULUMI_BACKEND_URL && localStackExists(ROOT, PROJECT, stack);
  if (!known && pulumi(cli, ["stack", "select", stack, "--create"], env) !== 0) process.exit(1);
  const yes = process.env.CI === "true" || rest.some((flag) => flag === "--yes" || flag === "-y");
  // destroy works from the state alone; preview and up evaluate the program, served from here.
  const host = command === "destroy" ? undefined : await hostProgram(ROOT, loadProgram);
  if (command === "up" && host !== undefined && rest.every((flag) => flag === "--yes" || flag === "-y")) {
    const status = await upAfterPreview(cli, stack, env, yes, host, policy);
    pack?.close();
    if (status === "updated") await gateSwarmRollouts(cli, stack, env);
    process.exit(status === "unchanged" || status === "updated" ? 0 : 1);
  }
  const args: string[] = [...COMMANDS[command as keyof typeof COMMANDS]];
  if (command !== "destroy") args.push(...policy);
  if (command !== "preview" && process.env.CI === "true") args.push("--yes");
  args.push("--stack", stack, ...rest);
  const status = host === undefined ? pulumi(cli, args, env) : (await evaluate(cli, args, env, host)).status;
  pack?.close();
  if (status === 0 && command === "up") await gateSwarmRollouts(cli, stack, env);
  process.exit(status);
}

/**
 * The preview's advice to run `pulumi up --plan`, which means nothing to a user of this script;
 * on a terminal it comes with color codes first.
 */
// eslint-disable-next-line no-control-regex -- the escape character of those color codes
const PLAN_ADVICE = /^(?:\x1b\[[0-9;]*m)*(Update plan written to |Run `pulumi up --plan=)/;

/**
 * `up` as preview, then (when it plans a change and the user agrees) the update. The preview's plan
 * is read only to tell whether anything would change; it holds secrets only encrypted and lives in
 * a private temporary folder removed afterwards.
 */
async function upAfterPreview(
  cli: PulumiCli,
  stack: string,
  env: NodeJS.ProcessEnv,
  yes: boolean,
  host: ProgramHost,
  policy: readonly string[],
): Promise<"unchanged" | "updated" | "declined" | "failed"> {
  const interactive = !yes && process.stdin.isTTY === true;
  if (!yes && !interactive) fail("--yes is needed where nothing can answer the confirmation (no terminal)");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-up-"));
  const plan = path.join(dir, "plan.json");
  try {
    // A person confirming reads each change's diff; a --yes run gets the summary `pulumi up` shows.
    const preview = ["preview", ...(interactive ? ["--diff"] : []), ...policy, "--save-plan", plan];
    const result = await evaluate(cli, [...preview, "--stack", stack], env, host, "pipe");
    const advice = result.stderr.split("\n").filter((line) => !PLAN_ADVICE.test(line));
    process.stderr.write(advice.join("\n"));
    if (result.status !== 0) return "failed";

    const changes = plannedChanges(readJson(plan));
    const state = checkpoint(cli, stack, env);
    // A checkpoint that cannot be read may hide pending operations: then the update runs.
    const pending = state === undefined ? Number.NaN : pendingOperations(state);
    const nothingPlanned = changes.length === 0 && pending === 0;
    const failedBefore = nothingPlanned && lastUpdateFailed(lastOperation(cli, stack, env));
    if (nothingPlanned && !failedBefore) {
      console.log("\nNo changes: every resource and output is as the preview found it, so no update ran.");
      return "unchanged";
    }
    if (pending > 0)
      console.log(
        `\n${pending} operation(s) of an interrupted update are pending; the update resolves them.`,
      );
    if (failedBefore)
      console.log(
        "\nThe last update failed and the preview shows nothing left to do: the update runs again, " +
          "so the health gates check the containers again.",
      );
    if (interactive && !(await confirm("Do you want to perform this update? (yes/no) "))) {
      console.error("confirmation declined, not proceeding with the update");
      return "declined";
    }
    const update = ["up", "--skip-preview", "--yes", ...policy, "--stack", stack];
    return (await evaluate(cli, update, env, host)).status === 0 ? "updated" : "failed";
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
  } catch {
    return undefined;
  }
}

/** The stack's checkpoint: the project-local backend's file, else `pulumi stack export`. */
function checkpoint(cli: PulumiCli, stack: string, env: NodeJS.ProcessEnv): unknown {
  if (!process.env.PULUMI_BACKEND_URL) {
    const file = localCheckpointFile(ROOT, PROJECT, stack);
    if (fs.existsSync(file)) return readJson(file);
  }
  const exported = pulumiOutput(cli, ["stack", "export", "--stack", stack], env);
  try {
    return exported === undefined ? undefined : (JSON.parse(exported) as unknown);
  } catch {
    return undefined;
  }
}

/**
 * The stack's newest history entry: on the project-local backend its newest history file (none
 * before the first operation), on any other `pulumi stack history`.
 */
function lastOperation(cli: PulumiCli, stack: string, env: NodeJS.ProcessEnv): unknown {
  if (!process.env.PULUMI_BACKEND_URL) {
    const dir = localHistoryDir(ROOT, PROJECT, stack);
    // `<stack>-<nanoseconds>.history.json`: the newest has the largest number.
    const stamp = (file: string) => BigInt(/-(\d+)\.history\.json$/.exec(file)?.[1] ?? "0");
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".history.json")) : [];
    const newest = files.sort((a, b) => (stamp(a) < stamp(b) ? 1 : stamp(a) > stamp(b) ? -1 : 0))[0];
    return newest === undefined ? undefined : readJson(path.join(dir, newest));
  }
  const history = pulumiOutput(
    cli,
    ["stack", "history", "--json", "--page-size", "1", "--stack", stack],
    env,
  );
  try {
    return history === undefined ? undefined : (JSON.parse(history) as unknown);
  } catch {
    return undefined;
  }
}

async function confirm(question: string): Promise<boolean> {
  const prompt = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

/** A Pulumi command's standard output, or undefined when it fails. */
function pulumiOutput(cli: PulumiCli, args: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const result = spawnSync(cli.path, args, { cwd: ROOT, env, encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * On the swarm target, `up` is done when Swarm is: the provider returns from an update before the
 * rollout completes (scripts/swarm-rollout.ts), so wait for it and fail on a rollback.
 */
async function gateSwarmRollouts(cli: PulumiCli, stack: string, env: NodeJS.ProcessEnv): Promise<void> {
  const summary = pulumiOutput(cli, ["stack", "output", "summary", "--json", "--stack", stack], env);
  let target: unknown;
  try {
    target = (JSON.parse(summary ?? "{}") as { target?: unknown }).target;
  } catch {
    target = undefined;
  }
  if (target !== "swarm") return;
  const dockerHost =
    pulumiOutput(cli, ["config", "get", "dockerHost", "--stack", stack], env) ||
    "unix:///var/run/docker.sock";
  const outcome = await waitForRollouts(stack, dockerHost);
  if (outcome instanceof Error) {
    console.error(
      `warning: could not follow the Swarm rollout (${outcome.message}); check it with \`docker service ls --filter label=shipyard.stack=${stack}\``,
    );
    return;
  }
  if (outcome.length > 0) {
    console.error(`error: Swarm did not complete the rollout:\n${outcome.map((f) => `  - ${f}`).join("\n")}`);
    process.exit(1);
  }
  console.log("Swarm completed every rollout.");
}

void main();
