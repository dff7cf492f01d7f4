import * as pulumi from "@pulumi/pulumi";
import { waitUntilHealthy, type ProbeTarget } from "./health-probe";

/** What a replica's gate probes: the probe target but the container, which the gate gets itself. */
export type HealthGateProbe = Omit<ProbeTarget, "containerId" | "socketPath"> & {
  /** The Docker engine's unix socket; undefined where the host has none (tcp://, ssh://). */
  readonly socketPath: pulumi.Input<string | undefined>;
};

/** A replica's health gate: {@link healthGate}. */
export interface HealthGate<R extends pulumi.CustomResource> {
  /** The container once healthy, for dependents' `dependsOn`; fails the update when it is not. */
  readonly passed: pulumi.Output<R>;
  /**
   * Why the gate failed, or undefined once it passed: settles with the gate and never fails, for
   * a component's outputs to wait on (a failure there would be reported a second time, prefixed).
   */
  readonly failure: pulumi.Output<string | undefined>;
}

/**
 * A replica's health gate: dependents and the next replica put `passed` in `dependsOn`, so they
 * start as soon as the service answers, not one probe interval later as with Docker's own
 * `healthy` (health-probe.ts).
 *
 * The probe runs in the program itself, during an update only, as soon as the engine has created
 * (or found unchanged) the container: an unchanged one Docker already calls healthy passes at the
 * first inspect. A preview probes nothing; where the container is being replaced the gate is
 * unknown there and dependents still wait on the container. A failed probe fails the update with
 * an error on the container, before any dependent is created. Without a socket the gate passes at
 * once: the container's `wait` held it until Docker's own `healthy`.
 *
 * No resource stands for the gate (earlier versions registered a dynamic resource per replica):
 * a resource would start Pulumi's Node.js dynamic provider host on every preview and update.
 */
export function healthGate<R extends pulumi.CustomResource>(
  container: R,
  probe: HealthGateProbe,
): HealthGate<R> {
  const failure = pulumi
    .all([container.id, probe.socketPath])
    .apply(async ([containerId, socketPath]): Promise<string | undefined> => {
      if (socketPath === undefined || pulumi.runtime.isDryRun()) return undefined;
      try {
        await waitUntilHealthy({ ...probe, socketPath, containerId });
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    });
  const passed = failure.apply((reason) => {
    if (reason === undefined) return container;
    const error = new pulumi.ResourceError(reason, container, /* hideStack */ true);
    // The SDK formats every uncaught error with util.inspect, even one it prints as its message;
    // on Node.js 20 that loops for ~20 s over a stack frame in node_modules/@pulumi/output.ts
    // (where applies run) before it gives up. The message alone is what the user reads anyway.
    error.stack = `ResourceError: ${reason}`;
    throw error;
  });
  return { passed, failure };
}
