import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { ContainerResource } from "./container-resource";
import type { ImageBuild } from "./image";
import { toLabelList } from "./naming";
import { SECRETS_DIR } from "./secret";
import type { ConfigFile } from "./service-args";
import { sourceDir } from "./source-dir";
import type { ServiceSpec } from "./service-spec";
import { LABEL } from "./labels";

/**
 * Files for containers with a read-only root filesystem (container target).
 *
 * The Docker provider uploads a file through the container's root path, and Docker refuses any
 * copy into a container whose root filesystem is read-only, whatever volume the file lands in
 * (moby `ContainerExtractToDir` checks the root). So a service's secret and config files are
 * uploaded through a *carrier*: a container that is created, never started, with an anonymous
 * volume for each directory the files go in. The service's containers mount the carrier's volumes
 * read-only (Docker's `--volumes-from <carrier>:ro`).
 *
 * - Secrets stay files: mode 0400, owned by the service's uid:gid, never in env or `docker inspect`
 *   (uploads are not part of a container's config).
 * - Rotation: the files are the carrier's `uploads`, and a change of any (content, owner, mode) makes
 *   the provider replace the carrier, new one first: its new volumes get the new files, the
 *   containers are replaced onto it (the id they mount from changed), then the old carrier goes.
 * - The volumes live and die with their carrier: Docker removes a container's anonymous volumes with
 *   it (`removeVolumes`), once no container uses them. They are not Pulumi resources: a named
 *   `docker.Volume` per directory needed a revision to rename it on rotation, and the provider waits
 *   2 s before removing each volume, in a delete round of its own (README, "Where the time goes").
 * - Everything goes through the Docker API, so a remote `dockerHost` (ssh://) works as a local one.
 *
 * The carrier runs the empty image in assets/files-carrier (no USER: Docker 20.10 would look a
 * numeric user up on the daemon host and refuse the copy; with none it keeps each file's owner).
 */

/** The build of the carriers' image (empty, `FROM scratch`). */
export const FILES_CARRIER_BUILD: ImageBuild = {
  context: path.join(sourceDir(__dirname), "assets", "files-carrier"),
  repository: "shipyard-files-carrier",
};

/** One file as the provider uploads it. */
export interface Upload {
  readonly file: string;
  readonly content: pulumi.Input<string>;
  readonly owner: string;
  readonly group: string;
  readonly permissions: string;
}

/** Secrets (0400) and config files (0444), owned by the service's user. */
export function serviceUploads(spec: ServiceSpec, files: readonly ConfigFile[]): Upload[] {
  const owned = { owner: spec.user.uid, group: spec.user.gid };
  return [
    ...spec.secrets.map((s) => ({
      file: s.secret.path,
      content: s.secret.value,
      ...owned,
      permissions: "0400",
    })),
    ...files.map((f) => ({ file: f.path, content: f.content, ...owned, permissions: "0444" })),
  ];
}

/** The directories that receive files, one volume each: /run/secrets and each config file's. */
export function uploadDirectories(spec: ServiceSpec, files: readonly ConfigFile[]): string[] {
  const dirs = new Set<string>();
  if (spec.secrets.length > 0) dirs.add(SECRETS_DIR);
  for (const f of files) dirs.add(path.posix.dirname(f.path));
  return [...dirs].sort();
}

/**
 * The carrier's `docker.Container` inputs. It is never started (`start: false`, `mustRun: false`),
 * has no network and no capabilities, and its image's entrypoint does not exist. Each directory is
 * an anonymous volume, removed with the carrier.
 */
export function carrierArgs(
  service: string,
  imageId: pulumi.Input<string>,
  uploads: readonly Upload[],
  directories: readonly string[],
  labels: Readonly<Record<string, string>>,
): docker.ContainerArgs {
  return {
    image: imageId,
    start: false,
    mustRun: false,
    networkMode: "none",
    capabilities: { drops: ["ALL"] },
    securityOpts: ["no-new-privileges:true"],
    restart: "no",
    volumes: directories.map((dir) => ({ containerPath: dir })),
    removeVolumes: true,
    uploads: uploads.map((u) => ({ ...u })),
    labels: toLabelList({ ...labels, [LABEL.role]: "files", [LABEL.filesFor]: service }),
  };
}

/**
 * How a service's container mounts its carrier's volumes: all of them, read-only, at the carrier's
 * paths. The provider passes `fromContainer` to Docker as written and ignores `readOnly` there, so
 * the mode goes in the reference (`<id>:ro`), as with `docker run --volumes-from <id>:ro`.
 */
export function carriedVolumes(carrierId: pulumi.Input<string>): docker.types.input.ContainerVolume[] {
  return [{ fromContainer: pulumi.interpolate`${carrierId}:ro` }];
}

/** What the service's containers take from the carrier. */
export interface CarriedFiles {
  /** The carrier's volumes, read-only ({@link carriedVolumes}). */
  readonly volumes: readonly docker.types.input.ContainerVolume[];
  /** Created (and its uploads done) before any of the service's containers. */
  readonly carrier: ContainerResource;
}

/**
 * Creates the carrier for a service's files, as a child of `parent`; undefined when the service
 * has no files.
 */
export function carryFiles(
  spec: ServiceSpec,
  files: readonly ConfigFile[],
  carrierImageId: pulumi.Input<string>,
  labels: Readonly<Record<string, string>>,
  parent: pulumi.Resource,
): CarriedFiles | undefined {
  const uploads = serviceUploads(spec, files);
  if (uploads.length === 0) return undefined;
  const carrier = new ContainerResource(
    `${spec.name}-files`,
    carrierArgs(spec.name, carrierImageId, uploads, uploadDirectories(spec, files), labels),
    // A new carrier takes the new files before the old one goes: the containers still use its volumes.
    { parent, deleteBeforeReplace: false },
  );
  return { volumes: carriedVolumes(carrier.id), carrier };
}
