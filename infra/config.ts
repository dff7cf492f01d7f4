import { z } from "zod";
import { MAX_BACKUP_INTERVAL_MINUTES } from "../components/backup-schedule";
import { pinningError } from "../components/image-ref";
import { dnsLabelError, isDnsLabel } from "../components/naming";
import {
  boundHostPorts,
  envProblems,
  hostAddressProblems,
  memoryProblems,
  portProblems,
  replicaProblems,
} from "../components/service-rules";
import { TARGETS, type Target } from "../components/target";
import { parseCpus } from "../components/units";
import {
  CATALOG,
  findCycle,
  IMAGE_OF,
  isEnabled,
  SERVICE_KEYS,
  type Feature,
  type ServiceKey,
} from "../stacks/catalog";
import { catalogOf } from "../stacks/environments";
import type { Catalog } from "../stacks/profile";
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
// Both optional here so one missing field does not hide the other's problems (checked below).
const hostPort = z.strictObject({ host: port.optional(), container: port.optional() });
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
 * The settings of `input` that have the right shape, one by one (services one setting at a time),
 * so a type error in one setting does not hide the other settings' problems.
 */
function wellTyped(input: Record<string, unknown>): Partial<Parsed> {
  const result: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    if (key === "services" && input.services !== null && typeof input.services === "object") {
      const services: Record<string, Record<string, unknown>> = {};
      for (const [name, value] of Object.entries(input.services as Record<string, unknown>)) {
        if (value === null || typeof value !== "object") continue;
        services[name] = {};
        for (const [setting, check] of Object.entries(serviceOverride.shape)) {
          const one = (check as z.ZodType).safeParse((value as Record<string, unknown>)[setting]);
          if (one.success && one.data !== undefined) services[name][setting] = one.data;
        }
      }
      result.services = services;
      continue;
    }
    const one = (field as z.ZodType).safeParse(input[key]);
    if (one.success && one.data !== undefined) result[key] = one.data;
  }
  return result;
}

/** The stack-wide settings every service check needs, with defaults resolved. */
interface Context {
  readonly environment: Environment;
  readonly catalog: Catalog;
  readonly target: Target;
  readonly features: Readonly<Record<Feature, boolean>>;
  readonly hotReload: boolean;
  readonly webPort: number;
}

function contextOf(parsed: Partial<Parsed>, environment: Environment): Context {
  const catalog = catalogOf(environment);
  return {
    environment,
    catalog,
    target: parsed.target ?? catalog.defaultTarget,
    features: {
      graph: parsed.features?.graph ?? catalog.features.graph,
      monitoring: parsed.features?.monitoring ?? catalog.features.monitoring,
      backups: parsed.features?.backups ?? catalog.features.backups,
    },
    hotReload: catalog.hotReload && parsed.hotReload !== false,
    webPort: parsed.webPort ?? 8080,
  };
}

/** Problems with the stack-wide host settings: platform, address, Docker host, names, hot reload. */
function hostErrors(
  raw: RawConfig,
  parsed: Partial<Parsed>,
  ctx: Context | undefined,
  namePrefix: string,
): string[] {
  const errors: string[] = [];
  const platform = parsed.platform ?? defaultPlatform(process.arch);
  if (!PLATFORM.test(platform)) {
    errors.push(
      `${at(["platform"])} must be the Docker host's OS/architecture such as "linux/amd64" or "linux/arm64", got ${render(platform)}`,
    );
  }
  for (const problem of hostAddressProblems(parsed.publishAddress ?? "127.0.0.1"))
    errors.push(`${at(["publishAddress"])} ${problem}`);
  if (ctx?.target === "swarm" && raw.publishAddress !== undefined && parsed.publishAddress !== "127.0.0.1") {
    errors.push(
      `${at(["publishAddress"])} cannot be honoured on the swarm target: the ingress publishes on every node; remove it and restrict access with the host firewall`,
    );
  }
  if (ctx && parsed.hotReload === true && !ctx.catalog.hotReload) {
    errors.push(
      `${at(["hotReload"])} is not available in ${ctx.environment}: it runs the images promoted from dev; remove it`,
    );
  }
  if (ctx?.target === "swarm" && ctx.hotReload) {
    errors.push(
      `${at(["hotReload"])} cannot be honoured with ${at(["target"])} "swarm": hot reload bind-mounts the API's source from this machine and a Swarm task may run on any node; set ${at(["hotReload"])} to false, or ${at(["target"])} to "container"`,
    );
  }
  const dockerHost = parsed.dockerHost ?? DEFAULT_DOCKER_HOST;
  if (!/^(unix|tcp|ssh|npipe):\/\/.+/.test(dockerHost)) {
    errors.push(
      `${at(["dockerHost"])} must be a Docker host URL (unix://, tcp://, ssh://), got ${render(dockerHost)}`,
    );
  }
  if (parsed.namePrefix !== undefined && !isDnsLabel(parsed.namePrefix))
    errors.push(`${at(["namePrefix"])} ${dnsLabelError(parsed.namePrefix)}`);
  if (namePrefix.length > MAX_NAME_PREFIX) {
    errors.push(
      `${at(["namePrefix"])} ${JSON.stringify(namePrefix)} is ${namePrefix.length} characters; Docker names built from it ` +
        `(the longest: ${namePrefix}-monitoring-config-0-<12 hex>) must fit in 63, so use at most ${MAX_NAME_PREFIX}: set shipyard:namePrefix to a shorter DNS label`,
    );
  }
  if (parsed.webPort !== undefined)
    for (const { problem } of portProblems({ host: parsed.webPort, container: 1 }))
      errors.push(`${at(["webPort"])} ${problem}`);
  return errors;
}

type Override = NonNullable<Parsed["services"]>[string];

/** Problems with one known service's `services.<name>` settings, against its catalog entry. */
function serviceErrors(key: ServiceKey, override: Override, ctx: Context): string[] {
  const path = ["services", key];
  const entry = CATALOG[key];
  const errors: string[] = [];
  const replicas = override.replicas ?? ctx.catalog.services[key].replicas;
  if (override.replicas !== undefined)
    for (const problem of replicaProblems(override.replicas, ctx.target, entry.oneReplica))
      errors.push(`${at([...path, "replicas"])} ${problem}`);
  if (override.memory !== undefined)
    for (const problem of memoryProblems(override.memory, entry.minMemory, `the ${key} image to start`))
      errors.push(`${at([...path, "memory"])} ${problem}`);
  if (override.cpus !== undefined) {
    const cpus = parseCpus(override.cpus);
    if ("error" in cpus) errors.push(`${at([...path, "cpus"])} ${cpus.error}`);
  }
  const rules = { own: entry.ownEnv, weakening: entry.weakeningEnv, weakeningValues: entry.weakeningValues };
  for (const { part, problem } of envProblems(override.env ?? {}, rules, `the ${key} service`))
    errors.push(`${at([...path, "env", part])} ${problem}`);
  for (const dep of override.dependsOn ?? []) {
    if (!(SERVICE_KEYS as readonly string[]).includes(dep))
      errors.push(
        `${at([...path, "dependsOn"])} names an unknown service ${render(dep)}; known services: ${SERVICE_KEYS.join(", ")}`,
      );
    else if (!isEnabled(dep as ServiceKey, ctx.features)) {
      const off = CATALOG[dep as ServiceKey].features.filter((f) => !ctx.features[f]);
      errors.push(
        `${at([...path, "dependsOn"])} names ${dep}, which does not run (${off.map((f) => at(["features", f])).join(", ")} is off); turn it on or remove ${render(dep)}`,
      );
    }
  }
  if (override.ports !== undefined && override.ports.length > 0) {
    if (entry.publish === "none")
      errors.push(`${at([...path, "ports"])} cannot be set: ${key} listens on no port; remove it`);
    else if (entry.publish === "data" && ctx.environment === "prod")
      errors.push(
        `${at([...path, "ports"])} must not publish the ${entry.role} in prod (SHIP-5, CIS 5.9: data-tier ports stay on internal networks), got ${render(override.ports)}; remove it and reach ${key} through the API, or \`docker exec\``,
      );
    else
      override.ports.forEach((p, i) => {
        for (const { part, problem } of portProblems(p, replicas, ctx.target))
          errors.push(`${at([...path, "ports", i, part])} ${problem}`);
      });
  }
  return errors;
}

/**
 * Host ports every running service binds, each claimed once: one per replica on the container
 * target, so a clash names the replicas setting that made the range.
 */
function portClashErrors(services: Readonly<Record<string, Override>>, ctx: Context): string[] {
  const errors: string[] = [];
  const claimed = new Map<number, string>();
  const claim = (port: number, owner: string): void => {
    const other = claimed.get(port);
    if (other !== undefined) errors.push(`${owner} publishes host port ${port}, already used by ${other}`);
    else claimed.set(port, owner);
  };
  // The web's port first: a clash is reported against the setting that took the port second.
  const order: ServiceKey[] = ["web", ...SERVICE_KEYS.filter((k) => k !== "web")];
  for (const key of order) {
    if (!isEnabled(key, ctx.features)) continue;
    const override = services[key];
    const replicas = override?.replicas ?? ctx.catalog.services[key].replicas;
    const owned: [number | undefined, string][] = [
      ...(key === "web" ? ([[ctx.webPort, at(["webPort"])]] as [number, string][]) : []),
      ...(override?.ports ?? ctx.catalog.services[key].hostPorts).map(
        (p) => [p.host, at(["services", key, "ports"])] as [number | undefined, string],
      ),
    ];
    for (const [host, owner] of owned) {
      if (host === undefined) continue;
      boundHostPorts(host, replicas, ctx.target).forEach((port, i) =>
        claim(port, i === 0 ? owner : `${owner} (replica ${i} under ${at(["services", key, "replicas"])})`),
      );
    }
  }
  return errors;
}

/** A dependency cycle through the catalog's dependencies and the ones config adds. */
function cycleErrors(services: Readonly<Record<string, Override>>): string[] {
  const graph: Record<string, string[]> = {};
  for (const key of SERVICE_KEYS)
    graph[key] = [...CATALOG[key].dependsOn, ...(services[key]?.dependsOn ?? [])].filter((d) =>
      (SERVICE_KEYS as readonly string[]).includes(d),
    );
  const cycle = findCycle(graph);
  return cycle
    ? [
        `${at(["services"])} dependencies form a cycle: ${cycle.join(" → ")}; remove one of these dependsOn entries`,
      ]
    : [];
}

/** Missing, unknown and badly pinned images. */
function imageErrors(images: Readonly<Record<string, string>>, ctx: Context): string[] {
  const errors: string[] = [];
  const known = SERVICE_KEYS.join(", ");
  for (const key of ctx.catalog.requiredImages) {
    if (images[key] !== undefined || !isEnabled(key, ctx.features)) continue;
    const why =
      CATALOG[key].imageSource === "apps"
        ? "it runs images promoted from dev; run `npm run promote -- --from dev --to <stack>`"
        : "every image is pinned by digest there; set it to the upstream image by digest (<repo>:<tag>@sha256:<64 hex>), or promote dev's with `npm run promote -- --from dev --to <stack>`";
    errors.push(`${at(["images", key])} is required in ${ctx.environment}: ${why}`);
  }
  for (const [name, ref] of Object.entries(images)) {
    if (!(SERVICE_KEYS as readonly string[]).includes(name)) {
      errors.push(
        `${at(["images", name])} names an unknown service ${render(name)}; known services: ${known}`,
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
    const problem = pinningError(ref, ctx.catalog.pinning);
    if (problem !== undefined) errors.push(`${at(["images", name])} ${problem}`);
  }
  return errors;
}

function backupErrors(backup: { intervalMinutes: number; retention: number }): string[] {
  const errors: string[] = [];
  if (backup.intervalMinutes < 5 || backup.intervalMinutes > MAX_BACKUP_INTERVAL_MINUTES)
    errors.push(
      `${at(["backup", "intervalMinutes"])} must be from 5 to ${MAX_BACKUP_INTERVAL_MINUTES} (a week), got ${backup.intervalMinutes}`,
    );
  if (backup.retention < 1 || backup.retention > 365)
    errors.push(`${at(["backup", "retention"])} must be from 1 to 365 backups, got ${backup.retention}`);
  return errors;
}

const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

/**
 * Validates raw stack config against the catalog (stacks/catalog.ts) and the defaults of the
 * environment it names, and returns every problem at once.
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
  const ctx = environment ? contextOf(parsed, environment) : undefined;
  const namePrefix = parsed.namePrefix ?? `${PROJECT}-${stack ?? environment ?? ""}`;
  errors.push(...hostErrors(raw, parsed, ctx, namePrefix));

  const services: Record<string, ServiceOverride> = {};
  for (const [name, override] of Object.entries(parsed.services ?? {})) {
    if (!isDnsLabel(name)) errors.push(`${at(["services", name])}: service name ${dnsLabelError(name)}`);
    if (!(SERVICE_KEYS as readonly string[]).includes(name)) {
      errors.push(
        `${at(["services", name])} names an unknown service ${render(name)}; known services: ${SERVICE_KEYS.join(", ")}`,
      );
      continue;
    }
    if (ctx) errors.push(...serviceErrors(name as ServiceKey, override, ctx));
    services[name] = {
      ...override,
      ports: override.ports as ServiceOverride["ports"],
      env: override.env ?? {},
      dependsOn: override.dependsOn ?? [],
    };
  }
  if (ctx) {
    errors.push(...portClashErrors(parsed.services ?? {}, ctx));
    errors.push(...cycleErrors(parsed.services ?? {}));
    errors.push(...imageErrors(parsed.images ?? {}, ctx));
  }
  const backup = {
    intervalMinutes: parsed.backup?.intervalMinutes ?? 1440,
    retention: parsed.backup?.retention ?? 7,
  };
  errors.push(...backupErrors(backup));

  if (errors.length > 0 || !environment) return { ok: false, errors };
  return {
    ok: true,
    config: {
      environment,
      target: parsed.target,
      dockerHost: parsed.dockerHost ?? DEFAULT_DOCKER_HOST,
      namePrefix,
      publishAddress: parsed.publishAddress ?? "127.0.0.1",
      webPort: parsed.webPort ?? 8080,
      hotReload: parsed.hotReload,
      platform: parsed.platform ?? defaultPlatform(process.arch),
      features: { ...parsed.features },
      images: { ...parsed.images },
      services,
      backup,
      suppliedSecrets: SECRET_KEYS.filter((k) => raw[k] !== undefined),
    },
  };
}
