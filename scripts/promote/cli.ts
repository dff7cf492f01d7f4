/**
 * `npm run promote -- --from dev --to prod [--dry-run]`: pins the images the source stack runs in
 * the target stack's config, through the Automation API (research/ecosystem.md §5). See USAGE.
 */
import {
  CommandError,
  LocalWorkspace,
  StackNotFoundError,
  type ConfigValue,
  type PulumiCommand,
  type Stack,
} from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as path from "node:path";
import { pulumiCommand as resolvePulumiCommand } from "../pulumi-cli";
import { pulumiEnv, stateDir } from "../pulumi-env";
import { parsePromoteArgs, UsageError, USAGE, type PromoteArgs } from "./options";
import { planPromotion, renderPlan } from "./plan";

/** The repository root: the folder with Pulumi.yaml and the Pulumi.<stack>.yaml files. */
const ROOT = path.resolve(__dirname, "../..");

async function main(argv: readonly string[]): Promise<number> {
  let args: PromoteArgs | "help";
  try {
    args = parsePromoteArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`promote: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (args === "help") {
    console.log(USAGE);
    return 0;
  }

  let pulumiCommand: PulumiCommand;
  try {
    pulumiCommand = await resolvePulumiCommand();
  } catch (error) {
    console.error(`promote: ${describe(error)}`);
    return 1;
  }
  if (!process.env.PULUMI_BACKEND_URL) fs.mkdirSync(stateDir(ROOT), { recursive: true });
  // Never pass projectSettings: the workspace would rewrite the repo's Pulumi.yaml (ecosystem.md §5).
  const workspace = (stackName: string) => ({
    args: { stackName, workDir: ROOT },
    opts: { pulumiCommand, envVars: pulumiEnv(stackName, process.env, ROOT) },
  });
  const openSource = async (stackName: string): Promise<Stack> => {
    const { args, opts } = workspace(stackName);
    try {
      return await LocalWorkspace.selectStack(args, opts);
    } catch (error) {
      if (!(error instanceof StackNotFoundError)) throw error;
      throw new Error(
        `stack ${stackName} does not exist in this backend; \`npm run up -- ${stackName}\` creates it`,
        { cause: error },
      );
    }
  };

  try {
    const source = await openSource(args.from);
    const sourceOutputs = await source.outputs();
    // Without --show-secrets: the history needs no passphrase for the config it lists.
    const [sourceLastUpdate] = await source.history(1, 1, false);
    // A first promotion creates the target stack: its config (the images) must exist before its
    // first `up` can run, so README's order, promote then up, works on an empty backend.
    const { args: targetArgs, opts: targetOpts } = workspace(args.to);
    const target = await LocalWorkspace.createOrSelectStack(targetArgs, targetOpts);
    const targetImages = await readImagesConfig(target);

    const result = planPromotion({
      source: args.from,
      target: args.to,
      sourceOutputs,
      sourceLastUpdate,
      targetImages,
    });
    if (!result.ok) {
      console.error(
        `promote: cannot promote ${args.from} → ${args.to}:\n${result.errors.map((e) => `  - ${e}`).join("\n")}`,
      );
      return 1;
    }
    const { plan } = result;
    process.stdout.write(renderPlan(plan));
    if (args.dryRun || plan.changes.length === 0) {
      if (args.dryRun) console.log(`Dry run: Pulumi.${args.to}.yaml is unchanged.`);
      return 0;
    }
    for (const change of plan.changes) {
      // `pulumi config set --path --plaintext`: only this key changes; other values and secrets stay.
      await target.setConfig(change.path, { value: change.to, secret: false }, true);
    }
    console.log(
      [
        `Wrote ${plan.changes.length} value${plan.changes.length === 1 ? "" : "s"} to Pulumi.${args.to}.yaml. Next:`,
        `  1. commit Pulumi.${args.to}.yaml in a pull request`,
        `  2. read its preview of ${args.to} (the change summary: rolling updates, nothing at risk), or run \`npm run preview -- ${args.to}\``,
        `  3. once merged: npm run up -- ${args.to}`,
        `Rollback: revert that commit (or promote the previous images) and run \`npm run up -- ${args.to}\`.`,
      ].join("\n"),
    );
    return 0;
  } catch (error) {
    console.error(`promote: ${describe(error)}`);
    return 1;
  }
}

/** The target's `images` config, or `undefined` when the key is not set. */
async function readImagesConfig(stack: Stack): Promise<ConfigValue | undefined> {
  try {
    return await stack.getConfig("images");
  } catch (error) {
    if (error instanceof CommandError && /configuration key '[^']*' not found/.test(error.message))
      return undefined;
    throw error;
  }
}

/** The CLI's own error lines out of a CommandError's `code: … stdout: … stderr: …` dump. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const stderr = /stderr: ([\s\S]*?)\n err\?:/.exec(message)?.[1]?.trim();
  return (stderr || message)
    .split("\n")
    .filter((line) => line.trim() !== "")
    .join(" / ");
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
