import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { containerArgs } from "./container-spec";
import { resolveServiceSpec, type ServiceArgs, type ServiceRole, type ServiceSpec } from "./service-spec";

export * from "./service-spec";

/**
 * One long-running service, secure by default (CIS Docker Benchmark v1.6 section 5).
 *
 * Creates on the `container` target: `docker.Container` `<name>-0` … `<name>-<replicas-1>`, each
 * joined to the service's networks under the alias `<name>` (so replicas share one DNS name), each
 * waited on until healthy. Replica i depends on replica i-1, so a rollout replaces one at a time
 * and, containers having no fixed name, each new replica is healthy before its old one goes.
 * A service with host ports has one replica and is replaced delete-first (the port can be bound
 * once), which is downtime; the review summary says so.
 */
export class Service extends pulumi.ComponentResource {
  static readonly TYPE = "shipyard:components:Service";

  /** The DNS name other services on a shared network reach it by. */
  readonly serviceName: string;
  readonly role: ServiceRole;
  readonly replicas: number;
  /** True for services whose replacement puts data at risk. */
  readonly stateful: boolean;
  /** The resolved settings, for review tooling and tests. */
  readonly spec: ServiceSpec;
  /** The image reference the service runs. */
  readonly imageReference: pulumi.Output<string>;
  /** Docker ids of the running containers, in replica order. */
  readonly containerIds: pulumi.Output<string[]>;

  constructor(name: string, args: ServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(Service.TYPE, name, {}, opts);
    const spec = resolveServiceSpec(name, args);
    this.spec = spec;
    this.serviceName = name;
    this.role = spec.role;
    this.replicas = spec.replicas;
    this.stateful = spec.stateful;
    this.imageReference = args.image.reference;

    const dependsOn: pulumi.Resource[] = [
      ...(args.dependsOn ?? []),
      ...(args.connections ?? []).map((c) => c.connection.service),
    ];
    const parts = {
      imageId: args.image.imageId,
      command: args.command,
      entrypoint: args.entrypoint,
      volumes: args.volumes ?? [],
      bindMounts: args.bindMounts ?? [],
      files: args.files ?? [],
      labels: args.labels ?? {},
    };
    const containers: docker.Container[] = [];
    for (let i = 0; i < spec.replicas; i++) {
      const previous = containers[i - 1];
      containers.push(
        new docker.Container(`${name}-${i}`, containerArgs(spec, parts, i), {
          parent: this,
          dependsOn: previous ? [...dependsOn, previous] : dependsOn,
          // A host port can be bound once: the old container must go before the new one starts.
          deleteBeforeReplace: spec.ports.length > 0,
        }),
      );
    }
    this.containerIds = pulumi.all(containers.map((c) => c.id));
    this.registerOutputs({ imageReference: this.imageReference, containerIds: this.containerIds });
  }
}
