import * as pulumi from "@pulumi/pulumi";
import { boundHostPorts } from "../components/service-rules";
import type { Target } from "../components/target";
import { profileOf } from "../stacks/environments";
import type { Profile, ServiceKey } from "../stacks/profile";
import { buildSystem, type SuppliedSecrets, type System } from "../stacks/system";
import { ConfigError, parseConfig, PROJECT, type RawConfig, type ShipyardConfig } from "./config";
import { dockerProvider } from "./provider";

/** Validates raw config for a stack and returns the config and the environment profile. */
export function resolveStack(raw: RawConfig, stack: string): { config: ShipyardConfig; profile: Profile } {
  const result = parseConfig(raw, stack);
  if (!result.ok) throw new ConfigError(result.errors);
  return { config: result.config, profile: profileOf(result.config, stack) };
}

/** A summary of what the stack deploys, exported for `pulumi stack output` and review. */
export interface StackSummary {
  readonly environment: string;
  readonly target: Target;
  readonly services: Record<string, { replicas: number; role: string; publishedPorts: string[] }>;
  readonly networks: string[];
  readonly volumes: string[];
}

export interface StackOutputs {
  readonly url: string;
  readonly images: pulumi.Output<Record<string, string>>;
  readonly summary: StackSummary;
  readonly system: System;
}

/**
 * The whole program: config → profile → system, against the stack's Docker host.
 *
 * @param readSecret reads a secret config key as a secret Output (the CLI decrypts it)
 * @throws ConfigError (as a rejection) when the config is invalid, before any resource is created
 */
export async function runStack(
  raw: RawConfig,
  stack: string,
  readSecret: (key: string) => pulumi.Output<string>,
): Promise<StackOutputs> {
  const { config, profile } = resolveStack(raw, stack);
  const provider = dockerProvider(config.dockerHost);
  const secrets: SuppliedSecrets = {
    postgres: config.suppliedSecrets.includes("postgresPassword")
      ? readSecret("postgresPassword")
      : undefined,
    redis: config.suppliedSecrets.includes("redisPassword") ? readSecret("redisPassword") : undefined,
    graph: config.suppliedSecrets.includes("graphPassword") ? readSecret("graphPassword") : undefined,
  };
  const system = await buildSystem(profile, secrets, { providers: [provider] });

  const services: StackSummary["services"] = {};
  for (const [key, service] of Object.entries(system.services) as [
    ServiceKey,
    NonNullable<System["services"][ServiceKey]>,
  ][]) {
    services[key] = {
      replicas: service.replicas,
      role: service.role,
      // On the container target replica i binds hostPort + i: the summary shows the range.
      publishedPorts: service.spec.ports.map((p) => {
        const bound = boundHostPorts(p.hostPort, service.replicas, profile.target);
        const hosts = bound.length > 1 ? `${bound[0]}-${bound[bound.length - 1]}` : String(p.hostPort);
        return `${p.hostAddress}:${hosts}->${p.containerPort}/${p.protocol}`;
      }),
    };
  }
  return {
    url: system.url,
    images: pulumi.output(system.images as Record<string, pulumi.Output<string>>),
    summary: {
      environment: profile.environment,
      target: profile.target,
      services,
      networks: system.networks.map((n) => `${n.tier}${n.internal ? " (internal)" : ""}: ${n.dockerName}`),
      volumes: system.volumes.map((v) => `${v.dockerName}${v.retainData ? " (protected, retained)" : ""}`),
    },
    system,
  };
}

export { PROJECT };
