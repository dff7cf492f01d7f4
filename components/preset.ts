import type * as pulumi from "@pulumi/pulumi";
import type { Image } from "./image";
import type { Network } from "./network";
import { ComponentArgError } from "./naming";
import { Secret } from "./secret";
import type { NetworkAttachment, PortMapping, RestartPolicy, ServiceArgs, ServiceRef } from "./service-args";
import { envProblems, type EnvRules } from "./service-rules";
import type { Target } from "./target";

/** The settings every preset (PostgresDatabase, RedisCache, …) hands to its Service unchanged; all optional. */
export interface PresetArgs {
  /** @default "unless-stopped" (see ServiceArgs.restart) */
  readonly restart?: RestartPolicy;
  /** @default "container" */
  readonly target?: Target;
  /** The file carriers' image (ServiceArgs.filesImage). @default - one built for the service */
  readonly filesImage?: Image;
  /** Labels on the service's containers. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Swarm name of the service, and prefix of its Swarm secrets (swarm target).
   *
   * @default - the component name
   */
  readonly dockerName?: string;
  /**
   * Extra plain env, merged into the env the preset sets. A key the preset sets itself, or one
   * its `weakening` rules name, is refused.
   *
   * @default {}
   */
  readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * Host ports to publish. A preset on an internal network (the data tier) needs `extraNetworks`
   * too: Docker cannot publish a port of a container that is only on an internal network.
   *
   * @default []
   */
  readonly ports?: readonly PortMapping[];
  /**
   * Other networks to join, e.g. a host-access network when the service publishes a port.
   *
   * @default []
   */
  readonly extraNetworks?: readonly (Network | NetworkAttachment)[];
  /**
   * Services that must be healthy before this one starts, besides the ones it connects to.
   *
   * @default []
   */
  readonly dependsOn?: readonly ServiceRef[];
}

/** The ServiceArgs a preset passes through; a Swarm name only on the swarm target. */
export function presetServiceArgs(
  name: string,
  args: PresetArgs,
): Pick<ServiceArgs, "restart" | "target" | "labels" | "dockerName" | "filesImage" | "ports"> {
  return {
    restart: args.restart,
    target: args.target,
    filesImage: args.filesImage,
    labels: args.labels,
    dockerName: args.target === "swarm" ? (args.dockerName ?? name) : undefined,
    ports: args.ports,
  };
}

/**
 * The preset's own env with `args.env` merged in.
 *
 * @param kind the preset's class name, named in the error
 * @param rules keys and values that would weaken the service
 * @throws ComponentArgError for a key the preset sets itself, a weakening one, or a bad one
 */
export function presetEnv(
  kind: string,
  name: string,
  own: Readonly<Record<string, pulumi.Input<string>>>,
  args: PresetArgs,
  rules: EnvRules = {},
): Record<string, pulumi.Input<string>> {
  const extra = args.env ?? {};
  const owner = `${kind} "${name}"`;
  for (const { part, problem } of envProblems(
    extra,
    { ...rules, own: [...Object.keys(own), ...(rules.own ?? [])] },
    owner,
  ))
    throw new ComponentArgError(kind, name, "env", `key ${JSON.stringify(part)} ${problem}`);
  return { ...own, ...extra };
}

/**
 * A secret a preset owns, `<name>-<role>`: generated unless `value` is given (protected when
 * `protect`), and stored as a Swarm secret `<dockerName>-<role>-<hash>` on the swarm target.
 */
export function presetSecret(
  name: string,
  role: string,
  args: PresetArgs,
  parent: pulumi.Resource,
  options: { readonly value?: pulumi.Input<string>; readonly protect?: boolean } = {},
): Secret {
  return new Secret(
    `${name}-${role}`,
    { ...options, target: args.target, dockerName: `${args.dockerName ?? name}-${role}` },
    { parent },
  );
}
