import type * as docker from "@pulumi/docker";
import { getVersion } from "@pulumi/docker/utilities";
import * as pulumi from "@pulumi/pulumi";

/** The provider type of a Docker container (`docker.Container`). */
const CONTAINER_TYPE = "docker:index/container:Container";

/**
 * A `docker.Container`, registered with only the inputs it is given.
 *
 * Why not `docker.Container` itself: its class declares all 78 of the provider's properties, and
 * the Node SDK gives every declared property of a resource an Output (about 25 promises and their
 * closures) that is held until the engine answers the registration. A program constructs every
 * resource before the first answer (`pulumi up` answers only once the container exists), so a
 * system's containers are all in flight at once: ~0.5 MB each, most of a large stack's memory.
 * Service reads nothing back from a container but its `id`, so this registers the same type with
 * the same inputs and the same provider version as `docker.Container`, and declares only the
 * inputs it is given (about 26 for a service). The engine receives an identical request
 * (test/components/container-resource.test.ts); the bench's 200 services hold 78 MB in flight
 * instead of 190 MB (`npm run bench`).
 */
export class ContainerResource extends pulumi.CustomResource {
  constructor(name: string, args: docker.ContainerArgs, opts: pulumi.CustomResourceOptions = {}) {
    // docker.Container's own defaults: the provider version of the installed @pulumi/docker.
    super(CONTAINER_TYPE, name, definedInputs(args), pulumi.mergeOptions({ version: getVersion() }, opts));
  }
}

/**
 * The inputs that are set (the SDK leaves undefined ones out of the request), in docker.Container's
 * order, which is alphabetical: the request lists dependencies in the order of the inputs.
 */
function definedInputs(args: docker.ContainerArgs): pulumi.Inputs {
  return Object.fromEntries(
    Object.entries(args)
      .filter(([, value]) => value !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
