import type * as pulumi from "@pulumi/pulumi";
import type { Image } from "./image";
import type { Network } from "./network";
import type { Secret } from "./secret";
import type { Target } from "./target";
import type { Volume } from "./volume";

/**
 * The Service contract: ServiceArgs and the types it is made of. Resolution and validation live in
 * service-spec.ts.
 */

/** What a service is for; recorded as the `shipyard.role` label for policy and review tooling. */
export type ServiceRole = "app" | "proxy" | "database" | "cache" | "graph" | "monitoring" | "backup";

/** Roles whose loss or replacement puts data at risk. */
export const STATEFUL_ROLES: readonly ServiceRole[] = ["database", "cache", "graph", "monitoring", "backup"];

/** A host port published for one container port (`ServiceArgs.ports`). */
export interface PortMapping {
  /** The port the process listens on inside the container. */
  readonly containerPort: number;
  /** The host port. CIS 5.8: at least 1025. */
  readonly hostPort: number;
  /**
   * The host address to bind. CIS 5.14: never all interfaces by accident.
   *
   * @default "127.0.0.1"
   */
  readonly hostAddress?: string;
  /** @default "tcp" */
  readonly protocol?: "tcp" | "udp";
}

/** A network joined with extra DNS names (`ServiceArgs.networks`). */
export interface NetworkAttachment {
  /** The network to join. */
  readonly network: Network;
  /**
   * Extra DNS names on this network. The service name is always an alias.
   *
   * @default []
   */
  readonly aliases?: readonly string[];
}

/** A named volume mounted into the service (`ServiceArgs.volumes`). */
export interface VolumeMount {
  /** The volume to mount. */
  readonly volume: Volume;
  /** Absolute path inside the container. */
  readonly path: string;
  /** @default false */
  readonly readOnly?: boolean;
}

/** A host directory mounted into the service, for dev hot reload (`ServiceArgs.bindMounts`). */
export interface BindMount {
  /** Absolute host path. Meant for dev hot reload; sensitive host paths are refused. */
  readonly source: string;
  /** Absolute path inside the container. */
  readonly target: string;
  /** @default true */
  readonly readOnly?: boolean;
}

/** A secret delivered as a file under `/run/secrets` (`ServiceArgs.secrets`). */
export interface SecretFile {
  /** The secret whose value the file holds. */
  readonly secret: Secret;
  /**
   * The environment variable that tells the process where the file is (`DATABASE_PASSWORD_FILE`).
   *
   * @default - none; the process knows the path
   */
  readonly env?: string;
}

/** A plain configuration file delivered read-only into the service (`ServiceArgs.files`). */
export interface ConfigFile {
  /** Absolute path of the file inside the container. */
  readonly path: string;
  /** File content. A secret Output stays secret (then prefer a `Secret`). */
  readonly content: pulumi.Input<string>;
}

/** How Docker checks a service is healthy; it gates start order and rollouts. */
export interface Healthcheck {
  /** `["CMD", ...]` or `["CMD-SHELL", "..."]`, as in Docker. */
  readonly test: readonly string[];
  /** @default "10s" */
  readonly interval?: string;
  /** @default "5s" */
  readonly timeout?: string;
  /** @default 5 */
  readonly retries?: number;
  /** @default "30s" */
  readonly startPeriod?: string;
}

/** Docker's restart policy (`ServiceArgs.restart`). */
export type RestartPolicy = "on-failure" | "unless-stopped" | "always";

/** A secure default the service must give up, and why. Every deviation is explicit and reasoned. */
export interface Deviation {
  /** The secure default given up. */
  readonly setting: "readOnlyRootFilesystem" | "user" | "capAdd";
  /** Why the image needs it, in a sentence reviewers can check. */
  readonly reason: string;
}

/** A service as others refer to it: a resource to wait for, and the DNS name to reach it by. */
export type ServiceRef = pulumi.Resource & {
  readonly serviceName: string;
  /** The service once healthy ({@link Service.healthy}), which dependents wait on. */
  readonly healthy: pulumi.Input<pulumi.Resource>;
};

/**
 * What a consumer needs to reach a service: the network they share, the env that points at it,
 * the secret files that authenticate, and the service to wait for. Presets implement it, so a
 * consumer is wired by passing the object (`connections: [db]`).
 */
export interface Connection {
  /** The service to wait for (healthy) before the consumer starts. */
  readonly service: ServiceRef;
  /** The network the consumer joins to reach it. */
  readonly network: Network;
  /** The env the consumer receives (host, port, names); never a secret value. */
  readonly env: Readonly<Record<string, pulumi.Input<string>>>;
  /** The secret files the consumer receives, each with its `*_FILE` variable. */
  readonly secrets: readonly SecretFile[];
}

/**
 * Anything a service can pass in `connections`: a preset (`PostgresDatabase`, `RedisCache`, …) or
 * one port of another `Service` ({@link Service.endpoint}).
 */
export interface Connectable {
  /** What a consumer receives when it lists this object in `connections`. */
  readonly connection: Connection;
}

/** How a consumer reaches one port of a service: see {@link Service.endpoint}. */
export interface EndpointOptions {
  /** The environment variable the consumer receives the address in, e.g. `API_UPSTREAM`. */
  readonly env: string;
  /**
   * A URL scheme such as `http`: the value is then `<scheme>://<host>:<port>`.
   *
   * @default - none: the value is `<host>:<port>`, what an nginx upstream and most clients take
   */
  readonly scheme?: string;
  /**
   * The network the consumer joins to reach the service: one of the service's own networks.
   *
   * @default - the service's first network
   */
  readonly network?: Network;
}

/**
 * How a {@link Service} runs. Only `image`, `healthcheck` and a network (in `networks` or through
 * `connections`) are required; every other field has a secure default.
 */
export interface ServiceArgs {
  /** The image to run. */
  readonly image: Image;
  /** @default "app" */
  readonly role?: ServiceRole;
  /** @default - the image's CMD */
  readonly command?: readonly string[];
  /** @default - the image's ENTRYPOINT */
  readonly entrypoint?: readonly string[];
  /**
   * Plain environment. Secrets never go here: a key that names a password, token or secret is
   * refused; pass a `Secret` in `secrets` and read it from the `*_FILE` path instead.
   *
   * @default {}
   */
  readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * Host ports to publish.
   *
   * @default [] - reachable only from the networks it joins
   */
  readonly ports?: readonly PortMapping[];
  /** @default [] */
  readonly networks?: readonly (Network | NetworkAttachment)[];
  /** @default [] */
  readonly volumes?: readonly VolumeMount[];
  /** @default [] */
  readonly bindMounts?: readonly BindMount[];
  /**
   * Writable directories on anonymous volumes: each container (or Swarm task) gets its own, which
   * Docker seeds from the image on first mount and removes with the container. For working
   * directories no container needs from the one before: a `conf/` the program rewrites at every
   * start, a log directory too large for tmpfs. Data goes on a named `Volume` (`volumes`).
   *
   * @default []
   */
  readonly anonymousVolumes?: readonly string[];
  /**
   * Secrets delivered as files under `/run/secrets`, readable only by the service's user.
   *
   * @default []
   */
  readonly secrets?: readonly SecretFile[];
  /** @default [] */
  readonly files?: readonly ConfigFile[];
  /**
   * Container target: the image of the never-started container that carries this service's secret
   * and config files into their volumes (components/file-carrier.ts). Pass one `Image` built from
   * `FILES_CARRIER_BUILD` to every service to build it once.
   *
   * @default - one built for this service, when it has files
   */
  readonly filesImage?: Image;
  /**
   * Services this one uses: it joins their network, gets their env and secret files, and starts
   * after they are healthy.
   *
   * @default []
   */
  readonly connections?: readonly Connectable[];
  /**
   * Services that must be healthy before this one starts.
   *
   * @default []
   */
  readonly dependsOn?: readonly ServiceRef[];
  /** How Docker checks the service is healthy. Required: health gates start order and rollouts. */
  readonly healthcheck: Healthcheck;
  /**
   * `unless-stopped` brings a long-running service back whatever ended it: a crash, a clean exit
   * (a real PostgreSQL exited 0 on a broken lock file and stayed down under `on-failure`), a
   * daemon restart or a reboot; only `docker stop` keeps it down. Docker backs off restarts
   * exponentially, which bounds the restart loop CIS 5.15 guards against. `on-failure` (capped at
   * 5 retries) suits one-shot jobs; on Swarm it maps to condition `on-failure`, the others to `any`.
   *
   * @default "unless-stopped"
   */
  readonly restart?: RestartPolicy;
  /**
   * Restarts before giving up (`on-failure` only). CIS 5.15: at most 5.
   *
   * @default 5
   */
  readonly maxRetries?: number;
  /** @default "256m" */
  readonly memory?: string;
  /** @default "0.5" */
  readonly cpus?: string;
  /** Log rotation for the json-file driver. @default { maxSize: "10m", maxFiles: 3 } */
  readonly logging?: { readonly maxSize?: string; readonly maxFiles?: number };
  /** @default 1 */
  readonly replicas?: number;
  /**
   * Numeric `uid:gid` to run as (numeric, so file ownership needs no user database).
   *
   * @default "10001:10001"
   */
  readonly user?: string;
  /**
   * Mount the root filesystem read-only (CIS 5.13). Turning it off needs a `deviations` entry.
   *
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * Writable in-memory mounts, merged over the default `/tmp`.
   *
   * @default { "/tmp": "rw,noexec,nosuid,size=64m" }
   */
  readonly tmpfs?: Readonly<Record<string, string>>;
  /**
   * Capabilities to add back after dropping ALL (CIS 5.4). Needs a `deviations` entry.
   *
   * @default []
   */
  readonly capAdd?: readonly string[];
  /** @default [] */
  readonly deviations?: readonly Deviation[];
  /** Time between SIGTERM and SIGKILL. @default "10s" */
  readonly stopGracePeriod?: string;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default "container" */
  readonly target?: Target;
  /**
   * Extra Docker security options, e.g. an AppArmor profile (container target only; unconfined
   * seccomp or AppArmor is refused). `no-new-privileges:true` is always set.
   *
   * @default []
   */
  readonly securityOpts?: readonly string[];
  /**
   * Swarm placement constraints (swarm target only).
   *
   * @default - stateful services: ["node.labels.shipyard.data == true"]; others: anywhere
   */
  readonly placement?: readonly string[];
  /**
   * Swarm rolling-update order (swarm target only).
   *
   * @default - "start-first" (new task healthy before the old stops); "stop-first" for stateful
   *   services and for services that publish ports (a host-mode port binds once per node)
   */
  readonly updateOrder?: "start-first" | "stop-first";
  /**
   * The Swarm service name (swarm target only; containers are auto-named). Other services reach it
   * by the component name, an alias on every network.
   *
   * @default - the component name
   */
  readonly dockerName?: string;
}
