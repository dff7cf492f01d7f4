import type * as pulumi from "@pulumi/pulumi";
import { exposesDockerSocket, isSensitiveHostDir } from "./host-paths";
import { ComponentArgError, dnsLabelError, isDnsLabel } from "./naming";
import type { Network } from "./network";
import {
  STATEFUL_ROLES,
  type Deviation,
  type PortMapping,
  type RestartPolicy,
  type SecretFile,
  type ServiceArgs,
  type ServiceRole,
  type Healthcheck,
  type VolumeMount,
} from "./service-args";
import {
  boundHostPorts,
  envProblems,
  hostAddressProblems,
  isSecretEnvKey,
  memoryProblems,
  portProblems,
  replicaProblems,
} from "./service-rules";
import type { Target } from "./target";
import { parseCpus, parseDuration, parseMemory, parseSize, providerCpus } from "./units";

export { isSecretEnvKey };

/** The node label stateful swarm services are pinned to (`docker node update --label-add shipyard.data=true`). */
export const DATA_NODE_CONSTRAINT = "node.labels.shipyard.data == true";

/** What either target needs beyond the resolved spec: the parts that are resources or Inputs. */
export interface WorkloadParts {
  readonly command?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly volumes: readonly VolumeMount[];
  readonly labels: Readonly<Record<string, string>>;
}

/** ServiceArgs with every default resolved and every value checked. */
export interface ServiceSpec {
  readonly name: string;
  readonly role: ServiceRole;
  readonly stateful: boolean;
  readonly target: Target;
  readonly replicas: number;
  readonly user: { readonly spec: string; readonly uid: string; readonly gid: string };
  readonly readOnlyRootFilesystem: boolean;
  readonly tmpfs: Readonly<Record<string, string>>;
  readonly capAdd: readonly string[];
  readonly memoryBytes: number;
  readonly nanoCpus: number;
  readonly cpus: string;
  readonly restart: RestartPolicy;
  readonly maxRetries: number;
  readonly logging: { readonly maxSize: string; readonly maxFiles: number };
  readonly healthcheck: Required<Healthcheck>;
  /** Seconds to wait for the first healthy state: start period + interval × retries + 30 s margin. */
  readonly waitTimeoutSeconds: number;
  readonly stopGraceSeconds: number;
  readonly ports: readonly Required<PortMapping>[];
  readonly networks: readonly { readonly network: Network; readonly aliases: readonly string[] }[];
  readonly env: Readonly<Record<string, pulumi.Input<string>>>;
  readonly secrets: readonly SecretFile[];
  readonly dependencies: readonly string[];
  readonly securityOpts: readonly string[];
  readonly placement: readonly string[];
  readonly updateOrder: "start-first" | "stop-first";
  readonly dockerName: string;
}

const HEALTHCHECK_FORMS = ["CMD", "CMD-SHELL"];
const SERVICE_SECRET_FIX = (key: string): string =>
  `pass a Secret in \`secrets\` with env "${key}_FILE" so it arrives as a file`;

function isRootUser(user: string): boolean {
  const [uid] = user.split(":");
  return uid === "0" || uid === "root" || uid === "";
}

/**
 * Resolves every ServiceArgs default and checks every value that is known at construction.
 *
 * @throws ComponentArgError naming the service, the field, the value and the fix
 */
export function resolveServiceSpec(name: string, args: ServiceArgs): ServiceSpec {
  const fail = (field: string, problem: string): never => {
    throw new ComponentArgError("Service", name, field, problem);
  };
  if (!isDnsLabel(name)) fail("name", dnsLabelError(name));

  const deviations = new Map<string, string>();
  for (const d of args.deviations ?? []) {
    if (d.reason.trim() === "") fail("deviations", `entry for \`${d.setting}\` needs a reason`);
    deviations.set(d.setting, d.reason);
  }
  const requireDeviation = (setting: Deviation["setting"], problem: string): void => {
    if (!deviations.has(setting))
      fail(
        setting,
        `${problem}; add { setting: "${setting}", reason: "..." } to \`deviations\` if the image needs it`,
      );
  };

  const role = args.role ?? "app";
  const target = args.target ?? "container";
  const unsupported = (field: string, alternative: string): never =>
    fail(field, `cannot be honoured on the ${target} target; ${alternative}`);
  if (target === "swarm") {
    if ((args.securityOpts ?? []).length > 0) {
      unsupported(
        "securityOpts",
        'docker.Service has no security options: set "no-new-privileges": true (and AppArmor/seccomp defaults) in /etc/docker/daemon.json on every node (README, "Production on Swarm")',
      );
    }
    if ((args.bindMounts ?? []).length > 0)
      unsupported("bindMounts", "a task may run on any node: use a volume");
  } else {
    if (args.placement !== undefined)
      unsupported("placement", 'containers run on the provider\'s one host: drop it, or use target "swarm"');
    if (args.updateOrder !== undefined) {
      unsupported(
        "updateOrder",
        'containers are replaced one replica at a time, each new one healthy first: drop it, or use target "swarm"',
      );
    }
    if (args.dockerName !== undefined)
      unsupported(
        "dockerName",
        'containers are auto-named so a replacement can start before the old one stops: drop it, or use target "swarm"',
      );
  }
  for (const opt of args.securityOpts ?? []) {
    if (
      /^(seccomp|apparmor)[=:]unconfined$/.test(opt) ||
      opt === "label=disable" ||
      opt === "label:disable"
    ) {
      fail("securityOpts", `must not disable a security profile (CIS 5.2/5.22), got ${JSON.stringify(opt)}`);
    }
  }
  const dockerName = args.dockerName ?? name;
  if (!isDnsLabel(dockerName)) fail("dockerName", dnsLabelError(dockerName));
  const replicas = args.replicas ?? 1;
  const stateful =
    STATEFUL_ROLES.includes(role) || (args.volumes ?? []).some((v) => v.volume.holdsData && !v.readOnly);
  for (const problem of replicaProblems(
    replicas,
    target,
    stateful ? "two replicas would share one data volume" : undefined,
  ))
    fail("replicas", problem);

  const user = args.user ?? "10001:10001";
  const userMatch = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!userMatch)
    fail("user", `must be a numeric "uid:gid" such as "10001:10001", got ${JSON.stringify(user)}`);
  if (isRootUser(user))
    requireDeviation("user", `runs as root (${JSON.stringify(user)}), CIS 4.1 wants a non-root user`);
  const uid = userMatch![1]!;
  const gid = userMatch![2] ?? uid;

  const readOnlyRootFilesystem = args.readOnlyRootFilesystem ?? true;
  if (!readOnlyRootFilesystem)
    requireDeviation("readOnlyRootFilesystem", "is false, CIS 5.13 wants a read-only root filesystem");
  const capAdd = args.capAdd ?? [];
  if (capAdd.length > 0) requireDeviation("capAdd", `adds ${capAdd.join(", ")} after dropping ALL (CIS 5.4)`);
  for (const cap of capAdd) {
    if (!/^[A-Z_]+$/.test(cap) || cap === "ALL" || cap === "SYS_ADMIN") {
      fail(
        "capAdd",
        `cannot add ${JSON.stringify(cap)}; name specific capabilities such as "CHOWN", never ALL or SYS_ADMIN`,
      );
    }
  }

  const memory = args.memory ?? "256m";
  for (const problem of memoryProblems(memory)) fail("memory", problem);
  const cpus = parseCpus(args.cpus ?? "0.5");
  if ("error" in cpus) fail("cpus", cpus.error);

  const restart = args.restart ?? "unless-stopped";
  if (!["on-failure", "unless-stopped", "always"].includes(restart)) {
    fail("restart", `must be "on-failure", "unless-stopped" or "always", got ${JSON.stringify(restart)}`);
  }
  const maxRetries = args.maxRetries ?? 5;
  if (!Number.isInteger(maxRetries) || maxRetries < 1 || maxRetries > 5) {
    fail("maxRetries", `must be an integer from 1 to 5 (CIS 5.15), got ${maxRetries}`);
  }
  if (args.maxRetries !== undefined && restart !== "on-failure") {
    fail("maxRetries", `applies only to restart "on-failure", not ${JSON.stringify(restart)}`);
  }

  const logging = { maxSize: args.logging?.maxSize ?? "10m", maxFiles: args.logging?.maxFiles ?? 3 };
  // A size, not a memory limit: parseMemory's 6m floor would refuse "1m".
  const logSize = parseSize(logging.maxSize);
  if ("error" in logSize || logSize.bytes <= 0)
    fail("logging.maxSize", `must be a size such as "10m", got ${JSON.stringify(logging.maxSize)}`);
  if (!Number.isInteger(logging.maxFiles) || logging.maxFiles < 1)
    fail("logging.maxFiles", `must be an integer ≥ 1, got ${logging.maxFiles}`);

  const hc = args.healthcheck;
  if (hc === undefined) fail("healthcheck", "is required: start order and rollouts wait on it");
  if (hc.test.length < 2 || !HEALTHCHECK_FORMS.includes(hc.test[0] ?? "")) {
    fail("healthcheck.test", `must be ["CMD", ...] or ["CMD-SHELL", "..."], got ${JSON.stringify(hc.test)}`);
  }
  const healthcheck = {
    test: hc.test,
    interval: hc.interval ?? "10s",
    timeout: hc.timeout ?? "5s",
    retries: hc.retries ?? 5,
    startPeriod: hc.startPeriod ?? "30s",
  };
  const durations: Record<string, number> = {};
  for (const field of ["interval", "timeout", "startPeriod"] as const) {
    const parsed = parseDuration(healthcheck[field]);
    if ("error" in parsed) fail(`healthcheck.${field}`, parsed.error);
    durations[field] = (parsed as { nanos: number }).nanos;
  }
  if (!Number.isInteger(healthcheck.retries) || healthcheck.retries < 1) {
    fail("healthcheck.retries", `must be an integer ≥ 1, got ${healthcheck.retries}`);
  }
  if (durations.timeout! >= durations.interval!) {
    fail(
      "healthcheck.timeout",
      `(${healthcheck.timeout}) must be shorter than \`healthcheck.interval\` (${healthcheck.interval})`,
    );
  }
  const waitTimeoutSeconds =
    Math.ceil((durations.startPeriod! + durations.interval! * healthcheck.retries) / 1e9) + 30;

  const grace = parseDuration(args.stopGracePeriod ?? "10s");
  if ("error" in grace) fail("stopGracePeriod", grace.error);
  const stopGraceSeconds = Math.ceil((grace as { nanos: number }).nanos / 1e9);

  const ports = (args.ports ?? []).map((p, i) => {
    const field = `ports[${i}]`;
    const fields: Record<string, string> = { host: "hostPort", container: "containerPort" };
    for (const { part, problem } of portProblems(
      { host: p.hostPort, container: p.containerPort },
      replicas,
      target,
    ))
      fail(`${field}.${fields[part]!}`, problem);
    if (target === "swarm" && p.hostAddress !== undefined) {
      unsupported(
        `${field}.hostAddress`,
        "a host-mode port binds every interface of the node running the task; leave it unset and restrict access with the host firewall",
      );
    }
    // Swarm's ingress binds every interface; the container target binds loopback unless told otherwise.
    const hostAddress = p.hostAddress ?? (target === "swarm" ? "0.0.0.0" : "127.0.0.1");
    for (const problem of hostAddressProblems(hostAddress, target)) fail(`${field}.hostAddress`, problem);
    return {
      containerPort: p.containerPort,
      hostPort: p.hostPort,
      hostAddress,
      protocol: p.protocol ?? "tcp",
    };
  });
  // On the container target replica i binds hostPort + i, so ranges must not overlap either.
  const seen = new Set<string>();
  for (const p of ports) {
    for (const bound of boundHostPorts(p.hostPort, replicas, target)) {
      const key = `${p.hostAddress}:${bound}/${p.protocol}`;
      if (seen.has(key)) fail("ports", `publishes ${key} twice`);
      seen.add(key);
    }
  }

  for (const [i, m] of (args.bindMounts ?? []).entries()) {
    if (!m.source.startsWith("/") || !m.target.startsWith("/"))
      fail(`bindMounts[${i}]`, `needs absolute source and target paths, got ${JSON.stringify(m)}`);
    const source = m.source.replace(/\/+$/, "") || "/";
    // A directory holding a sensitive path (/var/run holds docker.sock) exposes it as well.
    if (isSensitiveHostDir(source) || exposesDockerSocket(source)) {
      fail(
        `bindMounts[${i}].source`,
        `must not mount ${JSON.stringify(m.source)} (CIS 5.6/5.32: sensitive host path)`,
      );
    }
  }
  for (const [i, v] of (args.volumes ?? []).entries()) {
    if (!v.path.startsWith("/"))
      fail(`volumes[${i}].path`, `must be an absolute path, got ${JSON.stringify(v.path)}`);
  }
  // A file's directory becomes a read-only volume of its own (file-carrier.ts), so it
  // must be a dedicated directory, not "/" and not inside another mount.
  const mountPoints = [...(args.volumes ?? []).map((v) => v.path), ...Object.keys(args.tmpfs ?? {}), "/tmp"];
  for (const [i, f] of (args.files ?? []).entries()) {
    if (!f.path.startsWith("/") || f.path.endsWith("/"))
      fail(`files[${i}].path`, `must be an absolute file path, got ${JSON.stringify(f.path)}`);
    const dir = f.path.slice(0, f.path.lastIndexOf("/"));
    const inside = mountPoints.find((m) => dir === m || dir.startsWith(`${m}/`));
    if (dir === "" || inside !== undefined) {
      fail(
        `files[${i}].path`,
        `must be in a directory of its own, such as /run/config/<file>: ${dir === "" ? '"/"' : inside} is already a mount, got ${JSON.stringify(f.path)}`,
      );
    }
  }

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

  const tmpfs = { "/tmp": "rw,noexec,nosuid,size=64m", ...args.tmpfs };

  return {
    name,
    role,
    stateful,
    target,
    replicas,
    user: { spec: `${uid}:${gid}`, uid, gid },
    readOnlyRootFilesystem,
    tmpfs,
    capAdd,
    memoryBytes: (parseMemory(memory) as { bytes: number }).bytes,
    nanoCpus: (cpus as { nanoCpus: number }).nanoCpus,
    // The form the provider reads back, so a refresh finds no drift (units.ts providerCpus).
    cpus: providerCpus((cpus as { nanoCpus: number }).nanoCpus),
    restart,
    maxRetries,
    logging,
    healthcheck,
    waitTimeoutSeconds,
    stopGraceSeconds,
    ports,
    networks,
    env,
    secrets,
    dependencies,
    securityOpts: ["no-new-privileges:true", ...(args.securityOpts ?? [])],
    placement: args.placement ?? (stateful ? [DATA_NODE_CONSTRAINT] : []),
    // A host-mode port binds once per node: on one node the new task could never start beside the old.
    updateOrder: args.updateOrder ?? (stateful || ports.length > 0 ? "stop-first" : "start-first"),
    dockerName,
  };
}
