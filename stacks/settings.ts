import type { Target } from "../components/target";

/**
 * What the stacks take from config: the validated, normalised stack config. infra/config.ts
 * produces it (and re-exports these types); the stacks declare it, so they import nothing from
 * `infra/`.
 */

/** The Pulumi project, and the namespace of its config keys (`shipyard:webPort`). */
export const PROJECT = "shipyard";
export const ENVIRONMENTS = ["dev", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export interface ServiceOverride {
  readonly replicas?: number;
  readonly memory?: string;
  readonly cpus?: string;
  readonly env: Readonly<Record<string, string>>;
  readonly dependsOn: readonly string[];
  readonly ports?: readonly { readonly host: number; readonly container: number }[];
}

/** The validated, normalised stack config. */
export interface ShipyardConfig {
  readonly environment: Environment;
  /** Unset means: the environment's default target. */
  readonly target?: Target;
  readonly dockerHost: string;
  /** Prefix of Docker network and volume names, so two stacks can share a host. */
  readonly namePrefix: string;
  /** The host address published ports bind to. */
  readonly publishAddress: string;
  readonly webPort: number;
  /** dev: run the API's watcher on its bind-mounted source. Unset means the environment's default. */
  readonly hotReload?: boolean;
  /** The OS/architecture images are built for (`linux/amd64`): the Docker host's. */
  readonly platform: string;
  /** Optional parts; unset means the environment's default. */
  readonly features: { readonly graph?: boolean; readonly monitoring?: boolean; readonly backups?: boolean };
  /** Image references by service, overriding the environment's defaults. */
  readonly images: Readonly<Record<string, string>>;
  readonly services: Readonly<Record<string, ServiceOverride>>;
  readonly backup: { readonly intervalMinutes: number; readonly retention: number };
  /** Secrets supplied in config (still encrypted strings here; read them with requireSecret). */
  readonly suppliedSecrets: readonly ("postgresPassword" | "redisPassword" | "graphPassword")[];
}
