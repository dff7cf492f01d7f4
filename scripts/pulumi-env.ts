/**
 * The environment every Pulumi command of this project runs in: state folder, backend, passphrase,
 * Node.js options.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Pulumi.yaml's `name`: the file backend keeps stacks per project. */
export const PROJECT = "shipyard";

/** The project-local state folder Pulumi.yaml's `backend.url` points at. */
export function stateDir(root: string): string {
  return path.join(root, ".pulumi-state");
}

/**
 * Where the project-local file backend keeps `stack`'s checkpoint: `.pulumi/stacks/<project>/`
 * `<stack>.json` (`.json.gz` under PULUMI_DIY_BACKEND_GZIP).
 */
export function localCheckpointFile(root: string, project: string, stack: string): string {
  return path.join(stateDir(root), ".pulumi", "stacks", project, `${stack}.json`);
}

/**
 * Where the project-local file backend keeps `stack`'s history: one `<stack>-<time>.history.json`
 * per operation under `.pulumi/history/<project>/<stack>/`.
 */
export function localHistoryDir(root: string, project: string, stack: string): string {
  return path.join(stateDir(root), ".pulumi", "history", project, stack);
}

/**
 * Whether the project-local file backend already holds `stack`: its checkpoint file. Reading it
 * costs nothing; `pulumi stack select --create` cost a CLI start on every command.
 */
export function localStackExists(
  root: string,
  project: string,
  stack: string,
  exists: (file: string) => boolean = fs.existsSync,
): boolean {
  const file = localCheckpointFile(root, project, stack);
  return exists(file) || exists(`${file}.gz`);
}

/**
 * The passphrase of the `dev` stack, deliberately public. dev's secrets are generated, disposable
 * and kept in the project-local state on the developer's own disk; a committed passphrase, whose
 * `encryptionsalt` is committed in Pulumi.dev.yaml, lets the first `npm run up -- dev` run with
 * nothing typed in and leaves the clone clean (a generated passphrase made Pulumi write a new salt
 * into the tracked file). Every other stack needs PULUMI_CONFIG_PASSPHRASE.
 */
export const DEV_PASSPHRASE = "shipyard-dev-local-only";

/**
 * NODE_OPTIONS for every Node.js process Pulumi starts: the user's, then infra/sdk-preload.cjs,
 * which defers the SDK's TypeScript and npm modules. The program gets the preload from Pulumi.yaml
 * too; the policy pack only this way (the language host passes a policy pack no Node.js flags).
 */
export function nodeOptions(env: NodeJS.ProcessEnv, root: string): string {
  const preload = `--require ${JSON.stringify(path.join(root, "infra", "sdk-preload.cjs"))}`;
  return env.NODE_OPTIONS ? `${env.NODE_OPTIONS} ${preload}` : preload;
}

/**
 * Environment for the Pulumi commands on `stack`: the project-local file backend unless
 * PULUMI_BACKEND_URL already names one, for `dev` its passphrase ({@link DEV_PASSPHRASE}), and
 * {@link nodeOptions}.
 *
 * On the project-local backend dev's passphrase wins over a PULUMI_CONFIG_PASSPHRASE in the
 * environment, which is there for the shared stacks (a real run with prod's passphrase exported
 * failed dev with "incorrect passphrase"). On a team backend the environment's is used when it
 * sets one (README, "Team backend").
 */
export function pulumiEnv(stack: string, env: NodeJS.ProcessEnv, root: string): Record<string, string> {
  const vars: Record<string, string> = { NODE_OPTIONS: nodeOptions(env, root) };
  const localBackend = !env.PULUMI_BACKEND_URL;
  if (localBackend) vars.PULUMI_BACKEND_URL = `file://${stateDir(root)}`;
  const envPassphrase =
    env.PULUMI_CONFIG_PASSPHRASE !== undefined || env.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined;
  // The value itself: PULUMI_CONFIG_PASSPHRASE outranks PULUMI_CONFIG_PASSPHRASE_FILE.
  if (stack === "dev" && (localBackend || !envPassphrase)) vars.PULUMI_CONFIG_PASSPHRASE = DEV_PASSPHRASE;
  return vars;
}
