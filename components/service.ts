import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ContainerResource } from "./container-resource";
import { containerArgs } from "./container-spec";
import { carryFiles, FILES_CARRIER_BUILD } from "./file-carrier";
import { healthGate, type HealthGate } from "./health-gate";
import { dockerSocketPath } from "./health-probe";
import { Image } from "./image";
import { contentHash } from "./secret";
import { swarmServiceArgs, type SwarmConfigRef } from "./swarm-spec";
import { ComponentArgError } from "./naming";
import type { Connectable, EndpointOptions, ServiceArgs, ServiceRole, VolumeMount } from "./service-args";
import { resolveServiceSpec, type ServiceSpec } from "./service-spec";
import { durationNanos } from "./units";

export * from "./service-args";
export * from "./service-spec";

/**
 * Whether a container of this service must be deleted before its replacement is created: when it
 * publishes host ports, is stateful, or writes to any volume.
 */
export function replaceStopFirst(spec: ServiceSpec, volumes: readonly VolumeMount[]): boolean {
  return spec.ports.length > 0 || spec.stateful || volumes.some((v) => !(v.readOnly ?? false));
}

/**
 * One long-running service, secure by default (CIS Docker Benchmark v1.6 section 5), on the
 * `container` target (one host) or the `swarm` target.
 *
 * Creates on the `container` target, when the service has secret or config files: a
 * never-started carrier `docker.Container` `<name>-files` that uploads them into its own volumes,
 * which the service's containers mount read-only (file-carrier.ts); then
 * `docker.Container` `<name>-0` … `<name>-<replicas-1>`
 * (registered through `ContainerResource`, which declares only the inputs it is given), each
 * joined to the service's networks under the alias `<name>` (so replicas share one DNS name), each
 * waited on until healthy: by a health gate that runs the healthcheck from the moment the
 * container runs (health-gate.ts; when the docker provider's host is a unix socket), else by the
 * provider (`wait`, Docker's own `healthy`). Replica i depends on replica i-1's gate, so a rollout
 * replaces one at a time and, containers having no fixed name, each new replica is healthy before
 * its old one goes; {@link Service.healthy} waits for every gate, and dependents wait on it.
 * A service with host ports, or one that is stateful or writes a volume, is replaced delete-first
 * (a port binds once; two servers must never share a data volume), which is downtime; the review
 * summary says so.
 *
 * Creates on the `swarm` target: `docker.Service` (`<name>`, updated in place: rolling, rolled back
 * on failure; created converged, while an update's rollout may outlast `pulumi up`, which
 * `npm run up` follows to the end, scripts/swarm-rollout.ts) and `docker.ServiceConfig` (`<name>-config-<i>`)
 * per file. Secrets must come from `Secret`s created with target `swarm`.
 *
 * @example
 * const web = new Service("web", {
 *   image: new Image("web", { build: { context: "./app", repository: "notes-web" } }),
 *   networks: [edge],
 *   connections: [db], // joins db's network, gets DATABASE_* and DATABASE_PASSWORD_FILE, waits for it
 *   ports: [{ containerPort: 3000, hostPort: 8080 }], // on 127.0.0.1
 *   healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3000/healthz"] },
 * });
 */
export class Service extends pulumi.ComponentResource {
  /** The Pulumi type token of every Service. */
  static readonly TYPE = "shipyard:components:Service";

  /** The DNS name other services on a shared network reach it by. */
  readonly serviceName: string;
  /** What the service is for (`ServiceArgs.role`). */
  readonly role: ServiceRole;
  /** How many containers (or Swarm tasks) run it. */
  readonly replicas: number;
  /** True for services whose replacement puts data at risk. */
  readonly stateful: boolean;
  /**
   * The resolved settings, for review tooling and tests.
   *
   * @internal
   */
  readonly spec: ServiceSpec;
  /** The image reference the service runs. */
  readonly imageReference: pulumi.Output<string>;
  /** Docker ids of the running containers, in replica order (container target; empty on swarm). */
  readonly containerIds: pulumi.Output<string[]>;
  /** The Swarm service id (swarm target). */
  readonly swarmServiceId?: pulumi.Output<string>;
  /**
   * This service, once every replica passed its healthcheck: what a dependent puts in `dependsOn`
   * to start after it is healthy, not just created, as a Service's `connections` and `dependsOn`
   * do. With health gates (health-gate.ts) an Output that resolves when they pass; otherwise the
   * service itself, whose containers are created only once Docker reports them healthy (`wait`)
   * and whose Swarm service is created converged.
   */
  readonly healthy: pulumi.Input<pulumi.Resource>;

  /**
   * `host:port` by which a service on a shared network reaches this one's `port`: wire a consumer
   * with the object (`API_UPSTREAM: api.address(8080)`) rather than a name in a string.
   *
   * @throws when `port` is not a TCP port
   */
  address(port: number): string {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`Service "${this.serviceName}": address() needs a port from 1 to 65535, got ${port}`);
    return `${this.serviceName}:${port}`;
  }

  /**
   * One port of this service as something another service connects to: pass it in the consumer's
   * `connections` and the consumer joins a network this service is on, receives the address in
   * `options.env` and starts once this service is healthy. A proxy is routed to its upstream so,
   * by object, with no service name in a string.
   *
   * @example
   * const web = new Service("web", {
   *   image: webImage,
   *   networks: [edge],
   *   connections: [api.endpoint(8080, { env: "API_UPSTREAM" })], // API_UPSTREAM=api:8080
   *   healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"] },
   * });
   * @throws ComponentArgError when `port` is not a TCP port, `env` not a variable name, `scheme`
   *   not a URL scheme, or `network` not one of this service's networks
   */
  endpoint(port: number, options: EndpointOptions): Connectable {
    const fail = (field: string, problem: string): never => {
      throw new ComponentArgError("Service", this.serviceName, `endpoint(${field})`, problem);
    };
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      fail("port", `must be an integer from 1 to 65535, got ${port}`);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.env))
      fail(
        "env",
        `must be an environment variable name such as "API_UPSTREAM", got ${JSON.stringify(options.env)}`,
      );
    if (options.scheme !== undefined && !/^[a-z][a-z0-9+.-]*$/.test(options.scheme))
      fail("scheme", `must be a URL scheme such as "http", got ${JSON.stringify(options.scheme)}`);
    const own = this.spec.networks.map((n) => n.network);
    const network = options.network ?? own[0]!;
    if (!own.includes(network))
      fail(
        "network",
        `must be a network the service joins (${own.map((n) => n.dockerName).join(", ")}), got ${network.dockerName}`,
      );
    const address = this.address(port);
    return {
      connection: {
        service: this,
        network,
        env: { [options.env]: options.scheme === undefined ? address : `${options.scheme}://${address}` },
        secrets: [],
      },
    };
  }

  constructor(name: string, args: ServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(Service.TYPE, name, {}, opts);
    const spec = resolveServiceSpec(name, args);
    this.spec = spec;
    this.serviceName = name;
    this.role = spec.role;
    this.replicas = spec.replicas;
    this.stateful = spec.stateful;
    this.imageReference = args.image.reference;

    // A dependency counts once healthy; the component too, for a preview, where a replaced
    // dependency's gate is unknown.
    const dependsOn: pulumi.Input<pulumi.Resource>[] = [
      ...(args.dependsOn ?? []),
      ...(args.connections ?? []).map((c) => c.connection.service),
    ].flatMap((d) => (d.healthy === d ? [d] : [d, d.healthy]));
    const parts = {
      imageId: args.image.imageId,
      command: args.command,
      entrypoint: args.entrypoint,
      volumes: args.volumes ?? [],
      bindMounts: args.bindMounts ?? [],
      files: args.files ?? [],
      labels: args.labels ?? {},
    };
    if (spec.target === "swarm") {
      const configs: SwarmConfigRef[] = parts.files.map((file, i) => {
        // Swarm configs are immutable too: the name carries the content hash, so a change rolls out.
        const config = new docker.ServiceConfig(
          `${name}-config-${i}`,
          {
            name: pulumi
              .output(file.content)
              .apply((c) => `${spec.dockerName}-config-${i}-${contentHash(c)}`),
            data: pulumi.output(file.content).apply((c) => Buffer.from(c, "utf8").toString("base64")),
          },
          { parent: this },
        );
        return { id: config.id, name: config.name, path: file.path };
      });
      const service = new docker.Service(
        name,
        swarmServiceArgs(spec, {
          imageReference: this.imageReference,
          command: args.command,
          entrypoint: args.entrypoint,
          volumes: parts.volumes,
          configs,
          labels: parts.labels,
        }),
        // Swarm converges a dependency's tasks to healthy before this service is created.
        { parent: this, dependsOn },
      );
      this.containerIds = pulumi.output([]);
      this.healthy = this;
      this.swarmServiceId = service.id;
      this.registerOutputs({ imageReference: this.imageReference, swarmServiceId: this.swarmServiceId });
      return;
    }

    // Files reach a read-only container through the volumes of a carrier container.
    const hasFiles = spec.secrets.length > 0 || parts.files.length > 0;
    const filesImage =
      args.filesImage ??
      (hasFiles
        ? new Image(`${name}-files-carrier`, { build: FILES_CARRIER_BUILD }, { parent: this })
        : undefined);
    const carried =
      filesImage === undefined
        ? undefined
        : carryFiles(spec, parts.files, filesImage.imageId, parts.labels, this);
    // On a unix-socket host a health gate per replica runs the healthcheck from the moment the
    // container runs (health-probe.ts); elsewhere the provider waits for Docker's own `healthy`.
    const dockerProvider = this.getProvider("docker:index/container:Container") as
      docker.Provider | undefined;
    const socketPath = dockerProvider?.host.apply(dockerSocketPath);
    const containerParts = {
      ...parts,
      fileVolumes: carried?.volumes ?? [],
      waitForDockerHealthy: socketPath?.apply((p) => p === undefined) ?? true,
    };
    const firstDeps = carried ? [...dependsOn, carried.carrier] : dependsOn;

    const containers: ContainerResource[] = [];
    // Without an explicit docker provider the provider's `wait` holds each container until Docker
    // reports it healthy: each container is its own gate.
    const gates: HealthGate<ContainerResource>[] = [];
    for (let i = 0; i < spec.replicas; i++) {
      const previous = socketPath === undefined ? containers[i - 1] : gates[i - 1]?.passed;
      const container = new ContainerResource(`${name}-${i}`, containerArgs(spec, containerParts, i), {
        parent: this,
        dependsOn: previous ? [...firstDeps, previous] : firstDeps,
        // The old container goes before its replacement starts when the two cannot run side by
        // side: a host port binds once, and a data volume must never have two servers on it (a
        // real replacement ran a second PostgreSQL on the same pgdata until its lock broke).
        deleteBeforeReplace: replaceStopFirst(spec, parts.volumes),
        // Docker cannot change a running container's mounts, healthcheck or tmpfs, yet the provider
        // takes a change of any as an in-place update that only rewrites its state: a real
        // rotation left the containers on the old file volumes, a real healthcheck change left
        // Docker running the old test while the health gate ran the new one, and a real tmpfs
        // change left the old size. Each means a new container.
        replaceOnChanges: ["mounts", "healthcheck", "tmpfs"],
      });
      containers.push(container);
      if (socketPath !== undefined)
        gates.push(
          healthGate(container, {
            socketPath,
            name: `${name}-${i}`,
            test: spec.healthcheck.test,
            probeTimeoutMs: durationNanos(spec.healthcheck.timeout) / 1e6,
            timeoutMs: spec.waitTimeoutSeconds * 1000,
          }),
        );
    }
    this.containerIds = pulumi.all(containers.map((c) => c.id));
    if (socketPath === undefined) {
      this.healthy = this;
      this.registerOutputs({ imageReference: this.imageReference, containerIds: this.containerIds });
      return;
    }
    this.healthy = pulumi.all(gates.map((g) => g.passed)).apply((): pulumi.Resource => this);
    // The program ends only once the outputs are in: `up` waits for every gate, a leaf's too.
    const healthy = pulumi.all(gates.map((g) => g.failure)).apply((failures) => failures.every((f) => !f));
    this.registerOutputs({ imageReference: this.imageReference, containerIds: this.containerIds, healthy });
  }
}
