import type * as pulumi from "@pulumi/pulumi";
import { ComponentArgError, dnsLabelError, isDnsLabel } from "./naming";
import type { Network } from "./network";
import {
  STATEFUL_ROLES,
  type Deviation,
  type Healthcheck,
  type PortMapping,
  type RestartPolicy,
  type SecretFile,
  type ServiceArgs,
  type ServiceRole,
  type VolumeMount,
} from "./service-args";
import { isSecretEnvKey, replicaProblems } from "./service-rules";
import {
  checkMounts,
  checkTargetOptions,
  resolveHealthcheck,
  resolvePorts,
  resolveResources,
  resolveUser,
  type Fail,
} from "./service-spec-parts";
import { resolveWiring } from "./service-wiring";
import type { Target } from "./target";
import { parseDuration } from "./units";

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
  /** Directories on anonymous volumes, one set per container (ServiceArgs.anonymousVolumes). */
  readonly anonymousVolumes: readonly string[];
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

/**
 * Resolves every ServiceArgs default and checks every value that is known at construction.
 *
 * @throws ComponentArgError naming the service, the field, the value and the fix
 */
export function resolveServiceSpec(name: string, args: ServiceArgs): ServiceSpec {
  const fail: Fail = (field, problem) => {
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
  checkTargetOptions(args, target, fail);
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

  const user = resolveUser(args, fail, requireDeviation);
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
  const resources = resolveResources(args, fail);
  const { healthcheck, waitTimeoutSeconds } = resolveHealthcheck(args.healthcheck, fail);
  const grace = parseDuration(args.stopGracePeriod ?? "10s");
  if ("error" in grace) fail("stopGracePeriod", grace.error);
  const stopGraceSeconds = Math.ceil(grace.nanos / 1e9);
  const ports = resolvePorts(args, replicas, target, fail);
  checkMounts(args, fail);
  const wiring = resolveWiring(name, args, target, fail);

  return {
    name,
    role,
    stateful,
    target,
    replicas,
    user,
    readOnlyRootFilesystem,
    tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m", ...args.tmpfs },
    anonymousVolumes: [...(args.anonymousVolumes ?? [])],
    capAdd,
    ...resources,
    healthcheck,
    waitTimeoutSeconds,
    stopGraceSeconds,
    ports,
    ...wiring,
    securityOpts: ["no-new-privileges:true", ...(args.securityOpts ?? [])],
    placement: args.placement ?? (stateful ? [DATA_NODE_CONSTRAINT] : []),
    // A host-mode port binds once per node: on one node the new task could never start beside the old.
    updateOrder: args.updateOrder ?? (stateful || ports.length > 0 ? "stop-first" : "start-first"),
    dockerName,
  };
}
