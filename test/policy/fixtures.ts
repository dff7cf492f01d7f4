/**
 * Tiny RegisteredResource fixtures. The safe container and service pass every rule; each test
 * changes one thing and asserts the exact violations.
 */
import type { RegisteredResource, RuleContext, Violation } from "../../policy/types";

export const CONTAINER = "docker:index/container:Container";
export const SERVICE = "docker:index/service:Service";
export const NETWORK = "docker:index/network:Network";
export const VOLUME = "docker:index/volume:Volume";
export const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";

export const HEX64 = "a".repeat(64);

export const dev: RuleContext = { environment: "dev", target: "container" };
export const staging: RuleContext = { environment: "staging", target: "container" };
export const prod: RuleContext = { environment: "prod", target: "container" };
export const prodSwarm: RuleContext = { environment: "prod", target: "swarm" };

type Plain = Record<string, unknown>;

/** Deep merge for fixtures: objects merge, everything else (lists, undefined) replaces. */
function merge(base: Plain, patch: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    const bothObjects =
      typeof value === "object" &&
      value !== null &&
      !Array.isArray(value) &&
      typeof current === "object" &&
      current !== null;
    out[key] = bothObjects && !Array.isArray(current) ? merge(current as Plain, value as Plain) : value;
  }
  return out;
}

export const SAFE_CONTAINER: Plain = {
  image: `sha256:${HEX64}`,
  user: "10001:10001",
  capabilities: { drops: ["ALL"] },
  securityOpts: ["no-new-privileges:true"],
  memory: 256,
  cpus: "0.5",
  readOnly: true,
  restart: "on-failure",
  maxRetryCount: 5,
  healthcheck: { tests: ["CMD", "true"], interval: "10s" },
  networksAdvanced: [{ name: "shipyard-app" }],
  ports: [{ internal: 8080, external: 8080, ip: "127.0.0.1" }],
  logDriver: "json-file",
  logOpts: { "max-size": "10m", "max-file": "3" },
  labels: [{ label: "shipyard.role", value: "app" }],
};

export const SAFE_SERVICE: Plain = {
  labels: [{ label: "shipyard.role", value: "app" }],
  taskSpec: {
    containerSpec: {
      image: `registry.example/api@sha256:${HEX64}`,
      user: "10001",
      capDrops: ["ALL"],
      readOnly: true,
      healthcheck: { tests: ["CMD", "true"] },
    },
    resources: { limits: { memoryBytes: 268435456, nanoCpus: 500000000 } },
    restartPolicy: { condition: "on-failure", maxAttempts: 5 },
    logDriver: { name: "json-file", options: { "max-size": "10m", "max-file": "3" } },
  },
  endpointSpec: { ports: [{ targetPort: 8080, publishedPort: 8080 }] },
  updateConfig: { failureAction: "rollback" },
  rollbackConfig: { parallelism: 1 },
  convergeConfig: { delay: "7s", timeout: "3m" },
};

export function container(
  name: string,
  patch: Plain = {},
  extra: Partial<RegisteredResource> = {},
): RegisteredResource {
  return { type: CONTAINER, name, inputs: merge(SAFE_CONTAINER, patch), options: {}, ...extra };
}

export function service(
  name: string,
  patch: Plain = {},
  extra: Partial<RegisteredResource> = {},
): RegisteredResource {
  return { type: SERVICE, name, inputs: merge(SAFE_SERVICE, patch), options: {}, ...extra };
}

export function resource(
  type: string,
  name: string,
  inputs: Plain,
  extra: Partial<RegisteredResource> = {},
): RegisteredResource {
  return { type, name, inputs, options: {}, ...extra };
}

export function labels(map: Record<string, string>): { label: string; value: string }[] {
  return Object.entries(map).map(([label, value]) => ({ label, value }));
}

/** The violation a rule reports: `Kind "name": text` on `"Kind name"`. */
export function violation(kind: string, name: string, text: string): Violation {
  return { resource: `${kind} ${name}`, message: `${kind} "${name}": ${text}` };
}
