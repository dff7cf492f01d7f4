import type * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";
import { toLabelList } from "./naming";
import type { ServiceSpec, WorkloadParts } from "./service-spec";
import { durationNanos, parseSize, swarmDuration } from "./units";
import { LABEL } from "./labels";

/** A file delivered through a Swarm config (the swarm counterpart of a container upload). */
export interface SwarmConfigRef {
  readonly id: pulumi.Input<string>;
  readonly name: pulumi.Input<string>;
  readonly path: string;
}

/** What a swarm service needs beyond the resolved spec and the parts both targets share. */
export interface SwarmParts extends WorkloadParts {
  readonly imageReference: pulumi.Input<string>;
  readonly configs: readonly SwarmConfigRef[];
}

/**
 * A tmpfs option string (`"rw,noexec,nosuid,size=64m,uid=70"`) as a Swarm tmpfs mount. Swarm takes
 * only size and mode; Docker mounts tmpfs noexec,nosuid,nodev by default, and since it cannot set an
 * owner, the mode is 0777 so the service's user can write. Not 1777: Docker keeps a Go file mode,
 * which has no sticky bit at 0o1000, so it reads 1777 back as 0777 and every refresh would show
 * drift. A tmpfs on a directory the image has keeps that directory's mode on Docker 20.10, so
 * writable paths should be ones the image does not have (apps/web renders into /run/nginx).
 */
export function swarmTmpfs(
  target: string,
  options: string,
): { type: string; target: string; tmpfsOptions: { sizeBytes?: number; mode: number } } {
  const size = options
    .split(",")
    .map((o) => /^size=(.+)$/.exec(o.trim())?.[1])
    .find((v) => v !== undefined);
  const parsed = size === undefined ? undefined : parseSize(size);
  const sizeBytes = parsed !== undefined && "bytes" in parsed ? parsed.bytes : undefined;
  return {
    type: "tmpfs",
    target,
    tmpfsOptions: { ...(sizeBytes !== undefined ? { sizeBytes } : {}), mode: 0o777 },
  };
}

/** Seconds Swarm should watch a new task before calling an update step good: start period + interval × retries. */
export function monitorSeconds(spec: ServiceSpec): number {
  return spec.waitTimeoutSeconds - 30;
}

/**
 * The `docker.Service` inputs for a service on the swarm target.
 *
 * Rolling updates one task at a time, 10 s apart, new task first for stateless services, rolled
 * back on failure; `convergeConfig` makes `pulumi up` wait for a new service's tasks and fail on a
 * rollback it sees, though on an update the provider stops waiting once every slot runs a task
 * (`npm run up` then follows the rollout to its end, scripts/swarm-rollout.ts). Resources in bytes and nano-CPUs from the same strings the
 * container target uses.
 */
export function swarmServiceArgs(spec: ServiceSpec, parts: SwarmParts): docker.ServiceArgs {
  // Durations in the form the provider reads back (units.ts swarmDuration): no drift on refresh.
  const seconds = (n: number): string => swarmDuration(n * 1e9);
  const duration = (value: string): string => swarmDuration(durationNanos(value));
  const monitor = seconds(monitorSeconds(spec));
  const update = {
    parallelism: 1,
    delay: "10s",
    order: spec.updateOrder,
    failureAction: "rollback",
    monitor,
    maxFailureRatio: "0",
  };
  const labels = toLabelList({
    ...parts.labels,
    [LABEL.service]: spec.name,
    [LABEL.role]: spec.role,
    [LABEL.stateful]: String(spec.stateful),
  });
  return {
    name: spec.dockerName,
    labels,
    mode: { replicated: { replicas: spec.replicas } },
    taskSpec: {
      containerSpec: {
        image: parts.imageReference,
        commands: parts.entrypoint ? [...parts.entrypoint] : undefined,
        args: parts.command ? [...parts.command] : undefined,
        env: { ...spec.env },
        user: spec.user.spec,
        readOnly: spec.readOnlyRootFilesystem,
        capDrops: ["ALL"],
        capAdds: [...spec.capAdd],
        init: true,
        stopGracePeriod: seconds(spec.stopGraceSeconds),
        healthcheck: {
          tests: [...spec.healthcheck.test],
          interval: duration(spec.healthcheck.interval),
          timeout: duration(spec.healthcheck.timeout),
          retries: spec.healthcheck.retries,
          startPeriod: duration(spec.healthcheck.startPeriod),
        },
        mounts: [
          ...parts.volumes.map((v) => ({
            type: "volume",
            source: v.volume.volumeName,
            target: v.path,
            readOnly: v.readOnly ?? false,
          })),
          // No source: an anonymous volume per task, removed with the task's container.
          ...spec.anonymousVolumes.map((dir) => ({ type: "volume", target: dir, readOnly: false })),
          ...Object.keys(spec.tmpfs)
            .sort()
            .map((target) => swarmTmpfs(target, spec.tmpfs[target]!)),
        ],
        secrets: spec.secrets.map((s) => ({
          secretId: s.secret.swarmSecret!.id,
          secretName: s.secret.swarmSecret!.name,
          fileName: s.secret.path,
          fileUid: spec.user.uid,
          fileGid: spec.user.gid,
          fileMode: 0o400,
        })),
        configs: parts.configs.map((c) => ({
          configId: c.id,
          configName: c.name,
          fileName: c.path,
          fileUid: spec.user.uid,
          fileGid: spec.user.gid,
          fileMode: 0o444,
        })),
        labels,
      },
      resources: { limits: { memoryBytes: spec.memoryBytes, nanoCpus: spec.nanoCpus } },
      restartPolicy:
        spec.restart === "on-failure"
          ? { condition: "on-failure", maxAttempts: spec.maxRetries, delay: "5s", window: "2m" }
          : { condition: "any", delay: "5s", window: "2m" },
      logDriver: {
        name: "json-file",
        options: { "max-size": spec.logging.maxSize, "max-file": String(spec.logging.maxFiles) },
      },
      networksAdvanceds: spec.networks.map((n) => ({ id: n.network.networkId, aliases: [...n.aliases] })),
      placement: spec.placement.length > 0 ? { constraints: [...spec.placement] } : undefined,
    },
    updateConfig: update,
    rollbackConfig: { ...update, delay: "0s", failureAction: "pause" },
    // Without this the provider returns as soon as Swarm accepts the spec, even if the rollout then
    // pauses or rolls back (research/reliability.md, F12).
    convergeConfig: { delay: "7s", timeout: `${spec.replicas * (spec.waitTimeoutSeconds + 10) + 60}s` },
    // DNS round robin and host-mode ports, no virtual IP and no routing mesh: both need IPVS, which
    // minimal VM kernels lack (tasks then time out on the VIP while `tasks.<name>` answers); IPVS
    // also drops idle long-lived connections (database pools) after 15 minutes, and the mesh hides
    // client addresses from the web. Clients resolve the service name to its tasks' addresses and
    // follow them as they change (the web's nginx re-resolves per request).
    endpointSpec: {
      mode: "dnsrr",
      ports: spec.ports.map((p) => ({
        targetPort: p.containerPort,
        publishedPort: p.hostPort,
        protocol: p.protocol,
        publishMode: "host",
      })),
    },
  };
}
