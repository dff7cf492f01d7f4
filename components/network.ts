import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgError, dnsLabelError, isDnsLabel, toLabelList } from "./naming";
import type { Target } from "./target";
import { LABEL } from "./labels";

/** Where a network sits: `edge` carries traffic from the host in, `data` is the internal data tier. */
export type NetworkTier = "edge" | "data" | "app";

/** How a {@link Network} is created. Every field is optional. */
export interface NetworkArgs {
  /**
   * The Docker network name.
   *
   * @default - the component name
   */
  readonly dockerName?: string;
  /**
   * No route out of the network: containers on it reach each other and nothing else. Use it for
   * the data tier (CIS 5.9: databases are not reachable from outside).
   *
   * @default false
   */
  readonly internal?: boolean;
  /**
   * The tier, recorded as the `shipyard.tier` label so policy can check that `data` is internal.
   *
   * @default "app"
   */
  readonly tier?: NetworkTier;
  /**
   * `container`: a bridge network on one host. `swarm`: an attachable overlay network across nodes.
   *
   * @default "container"
   */
  readonly target?: Target;
  /**
   * Extra labels.
   *
   * @default {}
   */
  readonly labels?: Record<string, string>;
}

/**
 * A user-defined Docker network (never the default bridge, CIS 5.30).
 *
 * Creates: `docker.Network` (`<name>`).
 *
 * @example
 * const edge = new Network("edge", { dockerName: "notes-dev-edge" });
 * const data = new Network("data", { dockerName: "notes-dev-data", internal: true, tier: "data" });
 */
export class Network extends pulumi.ComponentResource {
  /** The Pulumi type token of every Network. */
  static readonly TYPE = "shipyard:components:Network";

  /** The Docker network name, what containers join. */
  readonly networkName: pulumi.Output<string>;
  /** The Docker network id: what a Swarm service attaches by (the provider deprecates the name). */
  readonly networkId: pulumi.Output<string>;
  /** The name known at construction, for summaries and diagrams. */
  readonly dockerName: string;
  /** True when the network has no route out. */
  readonly internal: boolean;
  /** Where the network sits (`NetworkArgs.tier`). */
  readonly tier: NetworkTier;
  /** The target it was created for: a bridge (`container`) or an overlay (`swarm`). */
  readonly target: Target;

  constructor(name: string, args: NetworkArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super(Network.TYPE, name, {}, opts);
    this.dockerName = args.dockerName ?? name;
    if (!isDnsLabel(this.dockerName)) {
      throw new ComponentArgError("Network", name, "dockerName", dnsLabelError(this.dockerName));
    }
    this.internal = args.internal ?? false;
    this.tier = args.tier ?? "app";
    this.target = args.target ?? "container";

    const network = new docker.Network(
      name,
      {
        name: this.dockerName,
        driver: this.target === "swarm" ? "overlay" : "bridge",
        attachable: this.target === "swarm" ? true : undefined,
        internal: this.internal,
        labels: toLabelList({ ...args.labels, [LABEL.network]: name, [LABEL.tier]: this.tier }),
      },
      // A fixed name cannot exist twice, so a replacement must remove the old network first.
      { parent: this, deleteBeforeReplace: true },
    );
    this.networkName = network.name;
    this.networkId = network.id;
    this.registerOutputs({ networkName: this.networkName, networkId: this.networkId });
  }
}
