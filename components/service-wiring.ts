import type * as pulumi from "@pulumi/pulumi";
import type { Network } from "./network";
import type { SecretFile, ServiceArgs } from "./service-args";
import { envProblems } from "./service-rules";
import type { Fail } from "./service-spec-parts";
import type { Target } from "./target";

const SERVICE_SECRET_FIX = (key: string): string =>
  `pass a Secret in \`secrets\` with env "${key}_FILE" so it arrives as a file`;

/** What the service joins, reads and waits for: its own networks, env and secrets, then each connection's. */
export function resolveWiring(
  name: string,
  args: ServiceArgs,
  target: Target,
  fail: Fail,
): {
  networks: { network: Network; aliases: string[] }[];
  env: Record<string, pulumi.Input<string>>;
  secrets: SecretFile[];
  dependencies: string[];
} {
  // Networks: the service's own, then each connection's, each joined once.
  const networks: { network: Network; aliases: string[] }[] = [];
  const join = (network: Network, aliases: readonly string[]): void => {
    const existing = networks.find((n) => n.network === network);
    if (existing) existing.aliases.push(...aliases.filter((a) => !existing.aliases.includes(a)));
    else networks.push({ network, aliases: [name, ...aliases.filter((a) => a !== name)] });
  };
  for (const n of args.networks ?? []) {
    if ("network" in n) join(n.network, n.aliases ?? []);
    else join(n, []);
  }

  const env: Record<string, pulumi.Input<string>> = {};
  const addEnv = (key: string, value: pulumi.Input<string>, from: string): void => {
    for (const { problem } of envProblems({ [key]: value }, { secretFix: SERVICE_SECRET_FIX }))
      fail("env", `key ${JSON.stringify(key)} ${problem}`);
    if (key in env) fail("env", `key ${JSON.stringify(key)} is set twice (${from})`);
    env[key] = value;
  };
  for (const [key, value] of Object.entries(args.env ?? {})) addEnv(key, value, "env");

  const secrets: SecretFile[] = [];
  const addSecret = (file: SecretFile, from: string): void => {
    if (secrets.some((s) => s.secret === file.secret)) {
      // One file, but every place that names it still gets its env pointer.
      if (file.env !== undefined) addEnv(file.env, file.secret.path, from);
      return;
    }
    if (target === "swarm" && file.secret.swarmSecret === undefined) {
      fail(
        "secrets",
        `file ${file.secret.path} (${from}) has no Swarm secret; create its Secret with target "swarm"`,
      );
    }
    if (secrets.some((s) => s.secret.path === file.secret.path))
      fail("secrets", `two secrets use the file ${file.secret.path}`);
    secrets.push(file);
    if (file.env !== undefined) addEnv(file.env, file.secret.path, from);
  };
  for (const file of args.secrets ?? []) addSecret(file, "secrets");

  const dependencies: string[] = [];
  for (const dep of args.dependsOn ?? []) {
    if (dep.serviceName === name) fail("dependsOn", "cannot name the service itself");
    if (!dependencies.includes(dep.serviceName)) dependencies.push(dep.serviceName);
  }
  for (const { connection } of args.connections ?? []) {
    const from = `connection to "${connection.service.serviceName}"`;
    join(connection.network, []);
    for (const [key, value] of Object.entries(connection.env)) addEnv(key, value, from);
    for (const file of connection.secrets) addSecret(file, from);
    if (!dependencies.includes(connection.service.serviceName))
      dependencies.push(connection.service.serviceName);
  }
  if (networks.length === 0)
    fail("networks", "is empty; join at least one user-defined network (CIS 5.30: not the default bridge)");

  return { networks, env, secrets, dependencies };
}
