import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { toLabelList } from "./naming";
import type { BindMount } from "./service-args";
import type { ServiceSpec, WorkloadParts } from "./service-spec";
import { bytesToMegabytes, durationNanos, goDuration } from "./units";
import { LABEL } from "./labels";

/** What a container needs beyond the resolved spec and the parts both targets share. */
export interface ContainerParts extends WorkloadParts {
  readonly imageId: pulumi.Input<string>;
  readonly bindMounts: readonly BindMount[];
  /** Its secret and config files: the volumes of their carrier, read-only (file-carrier.ts). */
  readonly fileVolumes: readonly docker.types.input.ContainerVolume[];
  /** Whether the provider holds `up` until Docker reports the container healthy (no health gate does, health-gate.ts). */
  readonly waitForDockerHealthy: pulumi.Input<boolean>;
}

/**
 * The `docker.Container` inputs for replica `index` of a service on the container target.
 *
 * Every secure default lands here: non-root user, read-only root with tmpfs, ALL capabilities
 * dropped, no-new-privileges, memory (swap disabled) and CPU limits, restart policy, json-file log
 * rotation, healthcheck (waited on here or by a health gate, so dependents start only once this
 * replica is healthy).
 */
export function containerArgs(spec: ServiceSpec, parts: ContainerParts, index: number): docker.ContainerArgs {
  const memoryMb = bytesToMegabytes(spec.memoryBytes);
  const env = Object.keys(spec.env)
    .sort()
    .map((key) => pulumi.interpolate`${key}=${spec.env[key]!}`);

  return {
    image: parts.imageId,
    command: parts.command ? [...parts.command] : undefined,
    entrypoints: parts.entrypoint ? [...parts.entrypoint] : undefined,
    envs: env,
    user: spec.user.spec,
    readOnly: spec.readOnlyRootFilesystem,
    tmpfs: { ...spec.tmpfs },
    capabilities: { drops: ["ALL"], adds: [...spec.capAdd] },
    securityOpts: [...spec.securityOpts],
    init: true,
    memory: memoryMb,
    memorySwap: memoryMb,
    cpus: spec.cpus,
    restart: spec.restart,
    maxRetryCount: spec.restart === "on-failure" ? spec.maxRetries : undefined,
    logDriver: "json-file",
    logOpts: { "max-size": spec.logging.maxSize, "max-file": String(spec.logging.maxFiles) },
    healthcheck: {
      tests: [...spec.healthcheck.test],
      // In the form the provider reads back (Go's Duration.String), so a refresh finds no drift.
      interval: goDuration(durationNanos(spec.healthcheck.interval)),
      timeout: goDuration(durationNanos(spec.healthcheck.timeout)),
      retries: spec.healthcheck.retries,
      startPeriod: goDuration(durationNanos(spec.healthcheck.startPeriod)),
    },
    wait: parts.waitForDockerHealthy,
    waitTimeout: spec.waitTimeoutSeconds,
    destroyGraceSeconds: spec.stopGraceSeconds,
    stopTimeout: spec.stopGraceSeconds,
    mustRun: true,
    networksAdvanced: spec.networks.map((n) => ({
      name: n.network.networkName,
      aliases: [...n.aliases, `${spec.name}-${index}`],
    })),
    // One host port per replica, as Compose does with a host port range: replica i binds hostPort + i.
    ports: spec.ports.map((p) => ({
      internal: p.containerPort,
      external: p.hostPort + index,
      ip: p.hostAddress,
      protocol: p.protocol,
    })),
    mounts: [
      ...parts.volumes.map((v) => ({
        type: "volume",
        source: v.volume.volumeName,
        target: v.path,
        readOnly: v.readOnly ?? false,
      })),
      ...parts.bindMounts.map((b) => ({
        type: "bind",
        source: b.source,
        target: b.target,
        readOnly: b.readOnly ?? true,
      })),
    ],
    volumes: nonEmpty([
      ...parts.fileVolumes,
      // Anonymous: the provider's removeVolumes (default true) removes them with the container.
      ...spec.anonymousVolumes.map((dir) => ({ containerPath: dir })),
    ]),
    labels: toLabelList({
      ...parts.labels,
      [LABEL.service]: spec.name,
      [LABEL.role]: spec.role,
      [LABEL.stateful]: String(spec.stateful),
      [LABEL.replica]: String(index),
    }),
  };
}

/** The list, or undefined when empty: the provider is sent only the inputs that are set. */
function nonEmpty<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}
