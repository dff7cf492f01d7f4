import { exposesDockerSocket, isSensitiveHostDir } from "./host-paths";
import type { Healthcheck, PortMapping, RestartPolicy, ServiceArgs } from "./service-args";
import { boundHostPorts, hostAddressProblems, memoryProblems, portProblems } from "./service-rules";
import type { Target } from "./target";
import { parseCpus, parseDuration, parseMemory, parseSize, providerCpus } from "./units";

/**
 * The sections of resolveServiceSpec (service-spec.ts), one concern each. Each resolves its
 * defaults and checks its values, calling `fail` (which throws a ComponentArgError naming the
 * service, the field, the value and the fix) on the first problem.
 */

/** Throws the ComponentArgError for `field`. */
export type Fail = (field: string, problem: string) => never;

const HEALTHCHECK_FORMS = ["CMD", "CMD-SHELL"];

/** Options only one target can honour, and security options that would disable a profile. */
export function checkTargetOptions(args: ServiceArgs, target: Target, fail: Fail): void {
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
}

/** The numeric `uid:gid`; root needs a deviation (CIS 4.1). */
export function resolveUser(
  args: ServiceArgs,
  fail: Fail,
  requireDeviation: (setting: "user", problem: string) => void,
): { spec: string; uid: string; gid: string } {
  const user = args.user ?? "10001:10001";
  const userMatch = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!userMatch)
    fail("user", `must be a numeric "uid:gid" such as "10001:10001", got ${JSON.stringify(user)}`);
  if (isRootUser(user))
    requireDeviation("user", `runs as root (${JSON.stringify(user)}), CIS 4.1 wants a non-root user`);
  const uid = userMatch[1]!;
  const gid = userMatch[2] ?? uid;

  return { spec: `${uid}:${gid}`, uid, gid };
}

function isRootUser(user: string): boolean {
  const [uid] = user.split(":");
  return uid === "0" || uid === "root" || uid === "";
}

/** Memory, CPUs, restart policy and log rotation. */
export function resolveResources(
  args: ServiceArgs,
  fail: Fail,
): {
  memoryBytes: number;
  nanoCpus: number;
  cpus: string;
  restart: RestartPolicy;
  maxRetries: number;
  logging: { maxSize: string; maxFiles: number };
} {
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

  const nanoCpus = cpus.nanoCpus;
  return {
    memoryBytes: (parseMemory(memory) as { bytes: number }).bytes,
    nanoCpus,
    // The form the provider reads back, so a refresh finds no drift (units.ts providerCpus).
    cpus: providerCpus(nanoCpus),
    restart,
    maxRetries,
    logging,
  };
}

/** The healthcheck with defaults, and how long to wait for the first healthy state. */
export function resolveHealthcheck(
  hc: Healthcheck | undefined,
  fail: Fail,
): { healthcheck: Required<Healthcheck>; waitTimeoutSeconds: number } {
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
    durations[field] = parsed.nanos;
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

  return { healthcheck, waitTimeoutSeconds };
}

/** Published ports with their host address, none bound twice (replica i binds hostPort + i). */
export function resolvePorts(
  args: ServiceArgs,
  replicas: number,
  target: Target,
  fail: Fail,
): Required<PortMapping>[] {
  const unsupported = (field: string, alternative: string): never =>
    fail(field, `cannot be honoured on the ${target} target; ${alternative}`);
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

  return ports;
}

/** Bind mounts away from sensitive host paths, absolute volume paths, files in their own directory. */
export function checkMounts(args: ServiceArgs, fail: Fail): void {
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
  const taken = [
    ...(args.volumes ?? []).map((v) => v.path),
    ...(args.bindMounts ?? []).map((m) => m.target),
    ...Object.keys(args.tmpfs ?? {}),
    "/tmp",
  ];
  for (const [i, dir] of (args.anonymousVolumes ?? []).entries()) {
    if (!dir.startsWith("/") || dir === "/")
      fail(
        `anonymousVolumes[${i}]`,
        `must be an absolute directory other than "/", got ${JSON.stringify(dir)}`,
      );
    else if (taken.includes(dir))
      fail(
        `anonymousVolumes[${i}]`,
        `${JSON.stringify(dir)} is already a mount; give each directory one mount`,
      );
    taken.push(dir);
  }
  // A file's directory becomes a read-only volume of its own (file-carrier.ts), so it
  // must be a dedicated directory, not "/" and not inside another mount.
  const mountPoints = [
    ...(args.volumes ?? []).map((v) => v.path),
    ...(args.anonymousVolumes ?? []),
    ...Object.keys(args.tmpfs ?? {}),
    "/tmp",
  ];
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
}
