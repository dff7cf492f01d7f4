import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { toLabelList } from "./naming";
import { SECRETS_DIR } from "./secret";
import type { BindMount, ConfigFile } from "./service-args";
import type { ServiceSpec, WorkloadParts } from "./service-spec";
import { bytesToMegabytes, durationNanos, goDuration } from "./units";

/** What a container needs beyond the resolved spec and the parts both targets share. */
export interface ContainerParts extends WorkloadParts {
  readonly imageId: pulumi.Input<string>;
  readonly bindMounts: readonly BindMount[];
  readonly files: readonly ConfigFile[];
}

/**
 * The directories that receive uploaded files. Each gets an anonymous volume: Docker refuses to copy
 * files into a read-only root filesystem unless the destination is a volume (moby
 * `checkIfPathIsInAVolume`), and the volume goes away with the container (`removeVolumes`).
 */
export function uploadDirectories(spec: ServiceSpec, files: readonly ConfigFile[]): string[] {
  const dirs = new Set<string>();
  if (spec.secrets.length > 0) dirs.add(SECRETS_DIR);
  for (const f of files) dirs.add(path.posix.dirname(f.path));
  return [...dirs].sort();
}

/**
 * The `docker.Container` inputs for replica `index` of a service on the container target.
 *
 * Every secure default lands here: non-root user, read-only root with tmpfs, ALL capabilities
 * dropped, no-new-privileges, memory (swap disabled) and CPU limits, restart policy, json-file log
 * rotation, healthcheck with `wait` so dependents start only once this replica is healthy.
 */
export function containerArgs(spec: ServiceSpec, parts: ContainerParts, index: number): docker.ContainerArgs {
  const memoryMb = bytesToMegabytes(spec.memoryBytes);
  const env = Object.keys(spec.env)
    .sort()
    .map((key) => pulumi.interpolate`${key}=${spec.env[key]!}`);

  const secretUploads = spec.secrets.map((s) => ({
    file: s.secret.path,
    content: s.secret.value,
    owner: spec.user.uid,
    group: spec.user.gid,
    permissions: "0400",
  }));
  const fileUploads = parts.files.map((f) => ({
    file: f.path,
    content: f.content,
    owner: spec.user.uid,
    group: spec.user.gid,
    permissions: "0444",
  }));

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
    wait: true,
    waitTimeout: spec.waitTimeoutSeconds,
    destroyGraceSeconds: spec.stopGraceSeconds,
    stopTimeout: spec.stopGraceSeconds,
    mustRun: true,
    networksAdvanced: spec.networks.map((n) => ({
      name: n.network.networkName,
      aliases: [...n.aliases, `${spec.name}-${index}`],
    })),
    ports: spec.ports.map((p) => ({
      internal: p.containerPort,
      external: p.hostPort,
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
      ...uploadDirectories(spec, parts.files).map((dir) => ({ type: "volume", target: dir })),
    ],
    uploads: [...secretUploads, ...fileUploads],
    labels: toLabelList({
      ...parts.labels,
      "shipyard.service": spec.name,
      "shipyard.role": spec.role,
      "shipyard.stateful": String(spec.stateful),
      "shipyard.replica": String(index),
    }),
  };
}
