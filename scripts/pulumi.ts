/**
 * `npm run preview|up|destroy -- <stack> [pulumi flags...]`: runs the Pulumi CLI for a stack from the
 * project root, with the project-local state folder created first (the file backend refuses a
 * missing folder, pulumi/pulumi#15841) and the stack created on first use.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { listStacks } from "../infra/offline";
import { resolvePulumiCli, withCliOnPath, type PulumiCli } from "./pulumi-cli";
import { localStackExists, PROJECT, pulumiEnv, stateDir } from "./pulumi-env";
import { waitForRollouts } from "./swarm-rollout";

const ROOT = path.resolve(__dirname, "..");
const COMMANDS = {
  preview: ["preview", "--diff", "--policy-pack", "policy/pack"],
  up: ["up", "--policy-pack", "policy/pack"],
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

async function main(): Promise<void> {
  const [command, stack, ...rest] = process.argv.slice(2);
  if (command === undefined || !(command in COMMANDS))
    fail(`usage: tsx scripts/pulumi.ts <${Object.keys(COMMANDS).join("|")}> <stack> [flags]`);
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
  const env = withCliOnPath(cli, { ...process.env, ...pulumiEnv(stack, process.env, ROOT) });
  // Create the stack on first use; on the project-local backend an existing one needs no CLI run.
  const known = !process.env.PULUMI_BACKEND_URL && localStackExists(ROOT, PROJECT, stack);
  if (!known && pulumi(cli, ["stack", "select", stack, "--create"], env) !== 0) process.exit(1);
  const args: string[] = [...COMMANDS[command as keyof typeof COMMANDS]];
  if (command !== "preview" && process.env.CI === "true") args.push("--yes");
  const status = pulumi(cli, [...args, "--stack", stack, ...rest], env);
  if (status === 0 && command === "up") await gateSwarmRollouts(cli, stack, env);
  process.exit(status);
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
