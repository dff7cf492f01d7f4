import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgError, dnsLabelError, isDnsLabel, toLabelList } from "./naming";

export interface VolumeArgs {
  /**
   * The Docker volume name. It is fixed so data survives a new stack state or a `pulumi import`.
   *
   * @default - the component name
   */
  readonly dockerName?: string;
  /**
   * Keep the data: the volume is `protect`ed (a change that would replace or delete it fails) and
   * `retainOnDelete` (a `pulumi destroy` leaves it on the host). Disposable dev volumes set false.
   *
   * @default true
   */
  readonly retainData?: boolean;
  /**
   * What the volume holds, recorded as the `shipyard.data` label so policy can require backups
   * and protection for data volumes. A cache scratch volume sets false.
   *
   * @default true
   */
  readonly holdsData?: boolean;
  /**
   * Extra labels. Volume labels cannot change without replacing the volume, so keep them fixed.
   *
   * @default {}
   */
  readonly labels?: Record<string, string>;
}

/**
 * A named Docker volume that keeps its data by default.
 *
 * Creates: `docker.Volume` (`<name>`), protected and retained unless `retainData: false`.
 */
export class Volume extends pulumi.ComponentResource {
  static readonly TYPE = "shipyard:components:Volume";

  /** The Docker volume name, what mounts refer to. */
  readonly volumeName: pulumi.Output<string>;
  /** The name known at construction, for wiring that cannot wait for an Output (backups, docs). */
  readonly dockerName: string;
  readonly retainData: boolean;
  readonly holdsData: boolean;

  constructor(name: string, args: VolumeArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super(Volume.TYPE, name, {}, opts);
    this.dockerName = args.dockerName ?? name;
    if (!isDnsLabel(this.dockerName)) {
      throw new ComponentArgError("Volume", name, "dockerName", dnsLabelError(this.dockerName));
    }
    this.retainData = args.retainData ?? true;
    this.holdsData = args.holdsData ?? true;

    const volume = new docker.Volume(
      name,
      {
        name: this.dockerName,
        driver: "local",
        labels: toLabelList({
          ...args.labels,
          "shipyard.volume": name,
          "shipyard.data": String(this.holdsData),
        }),
      },
      { parent: this, protect: this.retainData, retainOnDelete: this.retainData },
    );
    this.volumeName = volume.name;
    this.registerOutputs({ volumeName: this.volumeName });
  }
}
