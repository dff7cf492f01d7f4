import { isIP } from "node:net";
import { z } from "zod";
import { MAX_BACKUP_INTERVAL_MINUTES } from "../components/backup-schedule";
import { pinningError } from "../components/image-ref";
import { dnsLabelError, isDnsLabel } from "../components/naming";
import { isSecretEnvKey } from "../components/service-spec";
import { TARGETS, type Target } from "../components/target";
import { parseCpus, parseMemory } from "../components/units";
import { CATALOG, findCycle, IMAGE_OF, SERVICE_KEYS, type ServiceKey } from "../stacks/catalog";
import { catalogOf } from "../stacks/environments";
import {
  ENVIRONMENTS,
  PROJECT,
  type Environment,
  type ServiceOverride,
  type ShipyardConfig,
} from "../stacks/settings";

export { ENVIRONMENTS, PROJECT, type Environment, type ServiceOverride, type ShipyardConfig };

/**
 * Stack config → one typed, validated object, before any resource exists.
 *
 * Every problem is reported at once, each as `shipyard:<path> <problem>, got <value>; <fix>`, and
 * the program stops without registering anything.
 */

/**
 * The longest Docker name derived from the prefix is `<prefix>-monitoring-config-0-<12 hex>` (33
 * characters more); Docker names of networks, volumes, secrets and configs stop at 63.
 */
export const MAX_NAME_PREFIX = 30;

/** Config keys that hold secrets: they must be set with `pulumi config set --secret`. */
export const SECRET_KEYS = ["postgresPassword", "redisPassword", "graphPassword"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** One raw config entry as Pulumi hands it over: the string value and whether it was encrypted. */
export interface RawValue {
  readonly value: string;
  readonly secret: boolean;
}
/** Raw config, keyed without the `shipyard:` namespace. */
export type RawConfig = Readonly<Record<string, RawValue>>;

const port = z.number().int();
const hostPort = z.strictObject({ host: port, container: port });
const serviceOverride = z.strictObject({
  replicas: z.number().int().optional(),
  memory: z.string().optional(),
  cpus: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  dependsOn: z.array(z.string()).optional(),
  ports: z.array(hostPort).optional(),
});
const schema = z.strictObject({
  environment: z.enum(ENVIRONMENTS),
  target: z.enum(TARGETS as [Target, ...Target[]]).optional(),
  dockerHost: z.string().optional(),
  namePrefix: z.string().optional(),
  publishAddress: z.string().optional(),
  webPort: port.optional(),
  hotReload: z.boolean().optional(),
  platform: z.string().optional(),
  features: z
    .strictObject({
      graph: z.boolean().optional(),
      monitoring: z.boolean().optional(),
      backups: z.boolean().optional(),
    })
    .optional(),
  images: z.record(z.string(), z.string()).optional(),
  services: z.record(z.string(), serviceOverride).optional(),
  backup: z
    .strictObject({ intervalMinutes: z.number().int().optional(), retention: z.number().int().optional() })
    .optional(),
  postgresPassword: z.string().optional(),
  redisPassword: z.string().optional(),
  graphPassword: z.string().optional(),
});
type Parsed = z.infer<typeof schema>;

export type ConfigResult =
  { readonly ok: true; readonly config: ShipyardConfig } | { readonly ok: false; readonly errors: string[] };

/** Raised when stack config is invalid; the message lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly errors: readonly string[]) {
    super(
      `Invalid stack config (${errors.length} problem${errors.length === 1 ? "" : "s"}); nothing was deployed:\n${errors.map((e) => `  - ${e}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

/** Docker's build platforms for Linux hosts. */
const PLATFORM = /^linux\/(amd64|arm64|arm\/v6|arm\/v7|386|ppc64le|s390x|riscv64)$/;

/**
 * The platform images are built for when config names none: this machine's architecture, which is
 * the Docker host's for the default local engine (set `shipyard:platform` for a remote one).
 */
export function defaultPlatform(arch: string): string {
  const docker: Record<string, string> = {
    x64: "amd64",
    arm64: "arm64",
    arm: "arm/v7",
    ia32: "386",
    ppc64: "ppc64le",
    s390x: "s390x",
    riscv64: "riscv64",
  };
  return `linux/${docker[arch] ?? "amd64"}`;
}

/** Pulumi hands scalars over as strings and objects as JSON. */
function decode(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function render(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function at(path: readonly PropertyKey[]): string {
  return `${PROJECT}:${path.map(String).join(".")}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (node, key) =>
      node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined,
    root,
  );
}

function zodMessages(error: z.ZodError, input: unknown): string[] {
  return error.issues
    .map((issue) => {
      const where = at(issue.path);
      if (issue.code !== "unrecognized_keys" && valueAt(input, issue.path) === undefined)
        return `${where} is required`;
      switch (issue.code) {
        case "unrecognized_keys":
          return issue.keys
            .map(
              (key) =>
                `${at([...issue.path, key])} is not a known setting; remove it (check the spelling against Pulumi.yaml)`,
            )
            .join("\n");
        case "invalid_type":
          return `${where} must be ${issue.expected === "int" ? "an integer" : `a ${issue.expected}`}, got ${render(valueAt(input, issue.path))}`;
        case "invalid_value":
          return `${where} must be one of ${issue.values.map((v) => render(v)).join(", ")}, got ${render(valueAt(input, issue.path))}`;
        default:
          return `${where} ${issue.message}`;
      }
    })
    .flatMap((m) => m.split("\n"));
}

/**
 * The settings of `input` that have the right shape, one by one (services one service at a time),
 * so a type error in one setting does not hide the other settings' problems.
 */
function wellTyped(input: Record<string, unknown>): Partial<Parsed> {
  const result: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    if (key === "services" && input.services !== null && typeof input.services === "object") {
      const services: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(input.services)) {
        const one = serviceOverride.safeParse(value);
        if (one.success) services[name] = one.data;
      }
      result.services = services;
      continue;
    }
    const one = (field as z.ZodType).safeParse(input[key]);
    if (one.success && one.data !== undefined) result[key] = one.data;
  }
  return result;
}

/**
 * Validates raw stack config against the catalog (stacks/catalog.ts) and the defaults of the
 * environment it names.
 *
 * @param raw the `shipyard:` entries of the stack config
 * @param stack the stack name, the default Docker name prefix (`shipyard-<stack>`)
 */
export function parseConfig(raw: RawConfig, stack?: string): ConfigResult {
  const errors: string[] = [];
  const input: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(raw)) input[key] = decode(entry.value);

  // A secret must arrive encrypted; say so before anything else looks at the value.
  for (const key of SECRET_KEYS) {
    if (raw[key] !== undefined && !raw[key].secret) {
      errors.push(
        `${at([key])} is a secret but is stored in plain text; run \`pulumi config set --secret ${key} <value>\``,
      );
    }
  }

  const result = schema.safeParse(input);
  if (!result.success) errors.push(...zodMessages(result.error, input));
  const parsed: Partial<Parsed> = result.success ? result.data : wellTyped(input);
  const environment = ENVIRONMENTS.includes(input.environment as Environment)
    ? (input.environment as Environment)
    : undefined;
  const catalog = environment ? catalogOf(environment) : undefined;

  const platform = parsed.platform ?? defaultPlatform(process.arch);
  if (!PLATFORM.test(platform)) {
    errors.push(
      `${at(["platform"])} must be the Docker host's OS/architecture such as "linux/amd64" or "linux/arm64", got ${render(platform)}`,
    );
  }
  const publishAddress = parsed.publishAddress ?? "127.0.0.1";
  if (isIP(publishAddress) === 0)
    errors.push(`${at(["publishAddress"])} must be an IP address, got ${render(publishAddress)}`);
  else if (publishAddress === "0.0.0.0" || publishAddress === "::") {
    errors.push(
      `${at(["publishAddress"])} must name one interface (CIS 5.14), got ${render(publishAddress)}; use the host's public address or 127.0.0.1`,
    );
  }
  if (
    catalog &&
    (parsed.target ?? catalog.defaultTarget) === "swarm" &&
    raw.publishAddress !== undefined &&
    parsed.publishAddress !== "127.0.0.1"
  ) {
    errors.push(
      `${at(["publishAddress"])} cannot be honoured on the swarm target: the ingress publishes on every node; remove it and restrict access with the host firewall`,
    );
  }
  if (catalog && parsed.hotReload === true && !catalog.hotReload) {
    errors.push(
      `${at(["hotReload"])} is not available in ${environment}: it runs the images promoted from dev; remove it`,
    );
  }
  const dockerHost = parsed.dockerHost ?? "unix:///var/run/docker.sock";
  if (!/^(unix|tcp|ssh|npipe):\/\/.+/.test(dockerHost)) {
    errors.push(
      `${at(["dockerHost"])} must be a Docker host URL (unix://, tcp://, ssh://), got ${render(dockerHost)}`,
    );
  }
  if (parsed.namePrefix !== undefined && !isDnsLabel(parsed.namePrefix))
    errors.push(`${at(["namePrefix"])} ${dnsLabelError(parsed.namePrefix)}`);
  const namePrefix = parsed.namePrefix ?? `${PROJECT}-${stack ?? environment ?? ""}`;
  if (namePrefix.length > MAX_NAME_PREFIX) {
    errors.push(
      `${at(["namePrefix"])} ${JSON.stringify(namePrefix)} is ${namePrefix.length} characters; Docker names built from it ` +
        `(the longest: ${namePrefix}-monitoring-config-0-<12 hex>) must fit in 63, so use at most ${MAX_NAME_PREFIX}: set shipyard:namePrefix to a shorter DNS label`,
    );
  }

  const checkPort = (path: PropertyKey[], value: number): void => {
    if (value < 1 || value > 65535) errors.push(`${at(path)} must be a port from 1 to 65535, got ${value}`);
    else if (path.includes("host") || path[0] === "webPort") {
      if (value < 1025)
        errors.push(`${at(path)} must be 1025 or above (CIS 5.8: no privileged host ports), got ${value}`);
    }
  };
  const webPort = parsed.webPort ?? 8080;
  if (parsed.webPort !== undefined) checkPort(["webPort"], parsed.webPort);

  const known: readonly string[] = SERVICE_KEYS;
  const knownList = known.join(", ");
  const services: Record<string, ServiceOverride> = {};
  const hostPorts = new Map<number, string>();
  const claimPort = (port: number, owner: string): void => {
    const other = hostPorts.get(port);
    if (other !== undefined) errors.push(`${owner} publishes host port ${port}, already used by ${other}`);
    else hostPorts.set(port, owner);
  };
  claimPort(webPort, at(["webPort"]));

  for (const [name, override] of Object.entries(parsed.services ?? {})) {
    const path = ["services", name];
    if (!isDnsLabel(name)) errors.push(`${at(path)}: service name ${dnsLabelError(name)}`);
    if (catalog && !known.includes(name)) {
      errors.push(`${at(path)} names an unknown service ${render(name)}; known services: ${knownList}`);
      continue;
    }
    if (override.replicas !== undefined && override.replicas < 1)
      errors.push(`${at([...path, "replicas"])} must be an integer ≥ 1, got ${override.replicas}`);
    if (override.memory !== undefined) {
      const memory = parseMemory(override.memory);
      if ("error" in memory) errors.push(`${at([...path, "memory"])} ${memory.error}`);
    }
    if (override.cpus !== undefined) {
      const cpus = parseCpus(override.cpus);
      if ("error" in cpus) errors.push(`${at([...path, "cpus"])} ${cpus.error}`);
    }
    for (const key of Object.keys(override.env ?? {})) {
      if (isSecretEnvKey(key)) {
        errors.push(
          `${at([...path, "env", key])} looks like a secret; secrets never go in env or plain config: use a generated secret file (see README, "Secrets")`,
        );
      }
    }
    for (const dep of override.dependsOn ?? []) {
      if (catalog && !known.includes(dep))
        errors.push(
          `${at([...path, "dependsOn"])} names an unknown service ${render(dep)}; known services: ${knownList}`,
        );
    }
    (override.ports ?? []).forEach((p, i) => {
      checkPort([...path, "ports", i, "host"], p.host);
      checkPort([...path, "ports", i, "container"], p.container);
    });
    services[name] = { ...override, env: override.env ?? {}, dependsOn: override.dependsOn ?? [] };
  }

  if (catalog) {
    for (const name of known) {
      const ports = (services[name]?.ports ?? catalog.services[name as ServiceKey].hostPorts).map(
        (p) => p.host,
      );
      for (const p of ports)
        claimPort(p, name === "web" && p === webPort ? at(["webPort"]) : at(["services", name, "ports"]));
    }
    const graph: Record<string, string[]> = {};
    for (const name of known)
      graph[name] = [...CATALOG[name as ServiceKey].dependsOn, ...(services[name]?.dependsOn ?? [])].filter(
        (d) => known.includes(d),
      );
    const cycle = findCycle(graph);
    if (cycle)
      errors.push(
        `${at(["services"])} dependencies form a cycle: ${cycle.join(" → ")}; remove one of these dependsOn entries`,
      );

    for (const name of catalog.requiredImages) {
      if (parsed.images?.[name] === undefined) {
        errors.push(
          `${at(["images", name])} is required in ${environment}: it runs images promoted from dev; run \`npm run promote -- --from dev --to <stack>\``,
        );
      }
    }
    for (const [name, ref] of Object.entries(parsed.images ?? {})) {
      if (!known.includes(name)) {
        errors.push(
          `${at(["images", name])} names an unknown service ${render(name)}; known services: ${knownList}`,
        );
        continue;
      }
      const owner = IMAGE_OF[name as ServiceKey];
      if (owner !== undefined) {
        errors.push(
          `${at(["images", name])} cannot be set: ${name} runs the ${owner} image, so both run the same version; remove it and set ${at(["images", owner])}`,
        );
        continue;
      }
      const problem = pinningError(ref, catalog.pinning);
      if (problem !== undefined) errors.push(`${at(["images", name])} ${problem}`);
    }
  }

  const backup = {
    intervalMinutes: parsed.backup?.intervalMinutes ?? 1440,
    retention: parsed.backup?.retention ?? 7,
  };
  if (backup.intervalMinutes < 5 || backup.intervalMinutes > MAX_BACKUP_INTERVAL_MINUTES)
    errors.push(
      `${at(["backup", "intervalMinutes"])} must be from 5 to ${MAX_BACKUP_INTERVAL_MINUTES} (a week), got ${backup.intervalMinutes}`,
    );
  if (backup.retention < 1 || backup.retention > 365)
    errors.push(`${at(["backup", "retention"])} must be from 1 to 365 backups, got ${backup.retention}`);

  if (errors.length > 0 || !environment) return { ok: false, errors };
  return {
    ok: true,
    config: {
      environment,
      target: parsed.target,
      dockerHost,
      namePrefix,
      publishAddress,
      webPort,
      hotReload: parsed.hotReload,
      platform,
      features: { ...parsed.features },
      images: { ...parsed.images },
      services,
      backup,
      suppliedSecrets: SECRET_KEYS.filter((k) => raw[k] !== undefined),
    },
  };
}
