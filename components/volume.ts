import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ComponentArgError, dnsLabelError, isDnsLabel, toLabelList } from "./naming";
import { LABEL } from "./labels";

/** How a {@link Volume} is created. Every field is optional. */
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
  /**
   * Renew the volume whenever this value changes: the volume is named `<dockerName>-<revision>`,
   * the revision a random id kept while the value stays the same. A new one is created, the
   * services move onto it, then the old one is removed. For a writable directory Docker seeds from
   * the image on first mount (a program's `conf/`): key it on the image reference so an upgrade
   * starts from the new image's files. Such a volume holds nothing to keep, so `retainData` must be
   * false. A service's `anonymousVolumes` do the same per container without a Volume; prefer them on
   * Swarm, where the stopped tasks Docker keeps (task history) hold the old volume, so its removal
   * fails ("volume is in use") until they are pruned.
   *
   * @default - never renewed: the name is `dockerName`
   */
  readonly renewWith?: pulumi.Input<string>;
}

/**
 * A named Docker volume that keeps its data by default.
 *
 * Creates: `docker.Volume` (`<name>`), protected and retained unless `retainData: false`, and with
 * `renewWith` a `random.RandomId` (`<name>-revision`).
 *
 * @example
 * // Protected and kept through `pulumi destroy` in prod; disposable in dev.
 * const pgdata = new Volume("pgdata", { dockerName: "notes-prod-pgdata", retainData: true });
 */
export class Volume extends pulumi.ComponentResource {
  /** The Pulumi type token of every Volume. */
  static readonly TYPE = "shipyard:components:Volume";

  /** The Docker volume name, what mounts refer to. */
  readonly volumeName: pulumi.Output<string>;
  /** The name known at construction, for wiring that cannot wait for an Output (backups, docs). */
  readonly dockerName: string;
  /** True when the volume is protected and retained on delete. */
  readonly retainData: boolean;
  /** True when it holds data that policy wants protected and backed up. */
  readonly holdsData: boolean;

  constructor(name: string, args: VolumeArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super(Volume.TYPE, name, {}, opts);
    this.dockerName = args.dockerName ?? name;
    if (!isDnsLabel(this.dockerName)) {
      throw new ComponentArgError("Volume", name, "dockerName", dnsLabelError(this.dockerName));
    }
    this.retainData = args.retainData ?? true;
    this.holdsData = args.holdsData ?? true;
    if (args.renewWith !== undefined && this.retainData) {
      throw new ComponentArgError(
        "Volume",
        name,
        "renewWith",
        "renews the volume and removes the old one, so it needs `retainData: false`",
      );
    }
    const revision =
      args.renewWith === undefined
        ? undefined
        : new random.RandomId(
            `${name}-revision`,
            { byteLength: 4, keepers: { renewWith: args.renewWith } },
            { parent: this },
          );

    const volume = new docker.Volume(
      name,
      {
        name: revision ? pulumi.interpolate`${this.dockerName}-${revision.hex}` : this.dockerName,
        driver: "local",
        labels: toLabelList({
          ...args.labels,
          [LABEL.volume]: name,
          [LABEL.data]: String(this.holdsData),
        }),
      },
      {
        parent: this,
        protect: this.retainData,
        retainOnDelete: this.retainData,
        // A renewed volume is created before the old one goes (services still use it); the provider
        // would ask for delete-first, since the new name is unknown when Pulumi plans.
        ...(revision && { deleteBeforeReplace: false }),
      },
    );
    this.volumeName = volume.name;
    this.registerOutputs({ volumeName: this.volumeName });
  }
}
