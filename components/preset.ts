import type * as pulumi from "@pulumi/pulumi";
import type { Image } from "./image";
import { Secret } from "./secret";
import type { RestartPolicy, ServiceArgs } from "./service-args";
import type { Target } from "./target";

/** The settings every preset (PostgresDatabase, RedisCache, …) hands to its Service unchanged. */
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
}

/** The ServiceArgs a preset passes through; a Swarm name only on the swarm target. */
export function presetServiceArgs(
  name: string,
  args: PresetArgs,
): Pick<ServiceArgs, "restart" | "target" | "labels" | "dockerName" | "filesImage"> {
  return {
    restart: args.restart,
    target: args.target,
    filesImage: args.filesImage,
    labels: args.labels,
    dockerName: args.target === "swarm" ? (args.dockerName ?? name) : undefined,
  };
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
