import * as pulumi from "@pulumi/pulumi";
import { waitUntilHealthy, type ProbeTarget } from "./health-probe";

/** The gate's inputs: a probe target whose fields may still be Outputs. */
export type HealthGateArgs = { readonly [K in keyof ProbeTarget]: pulumi.Input<ProbeTarget[K]> };

// The dynamic provider: what the engine runs for each gate. It captures only health-probe.ts's
// functions, so Pulumi serializes a few KB into each gate's state.
const provider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: ProbeTarget) {
    // No socket (a tcp:// or ssh:// host): the container's own `wait` held it until Docker's healthy.
    const healthyAfterMs = inputs.socketPath === "" ? 0 : await waitUntilHealthy(inputs);
    return { id: `${inputs.containerId}-healthy`, outs: { ...inputs, healthyAfterMs } };
  },
  // A gate holds nothing: it waits once per container, so only a new container makes a new gate.
  diff(_id: string, olds: ProbeTarget, news: ProbeTarget) {
    const changed = olds.containerId !== news.containerId;
    return Promise.resolve({
      changes: changed,
      replaces: changed ? ["containerId"] : [],
      deleteBeforeReplace: false,
    });
  },
  delete: () => Promise.resolve(),
};

/**
 * Done when one container passes its healthcheck: dependents start as soon as the service answers,
 * not one probe interval later as with Docker's own `healthy` (health-probe.ts). Service creates one
 * per replica on the container target when it has an explicit docker provider; when that
 * provider's host is not a unix socket the gate passes at once, the container's `wait` having held
 * it until Docker's own `healthy`.
 */
export class HealthGate extends pulumi.dynamic.Resource {
  /** Milliseconds from the gate's start to the first passing healthcheck. */
  declare readonly healthyAfterMs: pulumi.Output<number>;

  constructor(name: string, args: HealthGateArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(provider, name, { ...args, healthyAfterMs: undefined }, opts, "shipyard", "HealthGate");
  }
}

/**
 * The health gates' provider: Pulumi's Node.js dynamic provider host, registered by the program.
 * The engine gives the default one (`pulumi:providers:pulumi-nodejs::default`) the stack's config
 * as inputs, so every config change showed as an update of it in previews; this one has none.
 * Gates find it on their parent's `providers`.
 */
export class HealthGateProvider extends pulumi.ProviderResource {
  constructor(name: string, opts: pulumi.ResourceOptions = {}) {
    super("pulumi-nodejs", name, {}, opts);
  }
}
