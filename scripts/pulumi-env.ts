/** The environment every Pulumi command of this project runs in: state folder, backend, passphrase. */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** The project-local state folder Pulumi.yaml's `backend.url` points at. */
export function stateDir(root: string): string {
  return path.join(root, ".pulumi-state");
}

/**
 * Environment for the Pulumi commands on `stack`: the project-local file backend unless
 * PULUMI_BACKEND_URL already names one, and for `dev` the generated passphrase that
 * {@link ensureDevPassphrase} keeps beside the state.
 *
 * A dev stack created with the generated passphrase keeps it: on the project-local backend it wins
 * over a PULUMI_CONFIG_PASSPHRASE in the environment, which is there for the shared stacks (a real
 * run with prod's passphrase exported failed dev with "incorrect passphrase"). On a team backend
 * the environment's passphrase is used when it sets one.
 */
export function pulumiEnv(stack: string, env: NodeJS.ProcessEnv, root: string): Record<string, string> {
  const vars: Record<string, string> = {};
  const localBackend = !env.PULUMI_BACKEND_URL;
  if (localBackend) vars.PULUMI_BACKEND_URL = `file://${stateDir(root)}`;
  const devPassphrase = path.join(stateDir(root), "dev.passphrase");
  const envPassphrase =
    env.PULUMI_CONFIG_PASSPHRASE !== undefined || env.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined;
  if (stack === "dev" && (localBackend || !envPassphrase) && fs.existsSync(devPassphrase)) {
    // The value itself: PULUMI_CONFIG_PASSPHRASE outranks PULUMI_CONFIG_PASSPHRASE_FILE.
    vars.PULUMI_CONFIG_PASSPHRASE = fs.readFileSync(devPassphrase, "utf8").trim();
  }
  return vars;
}

/**
 * dev's secrets are generated and disposable: a random passphrase kept beside the local state
 * (git-ignored) lets the first `npm run up -- dev` run with nothing typed in.
 */
export function ensureDevPassphrase(root: string): void {
  const file = path.join(stateDir(root), "dev.passphrase");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  }
}
