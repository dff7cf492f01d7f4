import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
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
 * uploaded into named volumes through a *carrier*: a container that is created, never started,
 * and mounts those volumes writable. The service's containers mount the same volumes read-only.
 *
 * - Secrets stay files: mode 0400, owned by the service's uid:gid, never in env or `docker inspect`
 *   (uploads are not part of a container's config).
 * - Rotation: the volumes are named after a revision, a random id kept while the files' content,
 *   paths, owners and modes stay the same (`random.RandomId` keepers, secret in state). A change
 *   makes a new revision: new volumes, a new carrier, the containers replaced onto them, then the old
 *   ones removed. The name reveals nothing derived from a secret.
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

/** `/run/secrets` → `run-secrets`: a directory as part of a volume name. */
export function directorySlug(dir: string): string {
  return dir.replace(/^\/+/, "").replace(/[^A-Za-z0-9_.-]+/g, "-") || "root";
}

/**
 * What decides a revision: each file's content, and its owner and mode. Secret contents keep
 * their secret flag, so the keepers are encrypted in state.
 */
export function revisionKeepers(uploads: readonly Upload[]): Record<string, pulumi.Input<string>> {
  const keepers: Record<string, pulumi.Input<string>> = {};
  for (const u of uploads) {
    keepers[u.file] = u.content;
    keepers[`${u.file}#mode`] = `${u.owner}:${u.group}:${u.permissions}`;
  }
  return keepers;
}

/** A directory's volume: mounted writable in the carrier, read-only in the service. */
export interface FileVolume {
  readonly name: pulumi.Input<string>;
  readonly dir: string;
}

/**
 * The carrier's `docker.Container` inputs. It is never started (`start: false`, `mustRun: false`),
 * has no network and no capabilities, and its image's entrypoint does not exist.
 */
export function carrierArgs(
  service: string,
  imageId: pulumi.Input<string>,
  uploads: readonly Upload[],
  volumes: readonly FileVolume[],
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
    mounts: volumes.map((v) => ({ type: "volume", source: v.name, target: v.dir, readOnly: false })),
    uploads: uploads.map((u) => ({ ...u })),
    labels: toLabelList({ ...labels, [LABEL.role]: "files", [LABEL.filesFor]: service }),
  };
}

/** What the service's containers take from the carrier. */
export interface CarriedFiles {
  /** Each directory's volume, read-only. */
  readonly mounts: readonly docker.types.input.ContainerMount[];
  /** Created (and its uploads done) before any of the service's containers. */
  readonly carrier: ContainerResource;
}

/**
 * Creates the revision, the volumes and the carrier for a service's files, as children of
 * `parent`; undefined when the service has no files.
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
  const name = spec.name;
  const revision = new random.RandomId(
    `${name}-files`,
    { byteLength: 4, keepers: revisionKeepers(uploads) },
    { parent },
  );
  const volumes: FileVolume[] = uploadDirectories(spec, files).map((dir) => {
    const volume = new docker.Volume(
      `${name}-files-${directorySlug(dir)}`,
      {
        name: pulumi.interpolate`${name}-${directorySlug(dir)}-${revision.hex}`,
        labels: toLabelList({ ...labels, [LABEL.filesFor]: name }),
      },
      // A new revision's volume is made before the old one goes (the containers still use it); the
      // provider would ask for delete-first, since the new name is unknown when Pulumi plans.
      { parent, deleteBeforeReplace: false },
    );
    return { name: volume.name, dir };
  });
  const carrier = new ContainerResource(
    `${name}-files`,
    carrierArgs(name, carrierImageId, uploads, volumes, labels),
    // A new carrier uploads into the new revision's volumes before the old carrier goes.
    { parent, deleteBeforeReplace: false },
  );
  return {
    mounts: volumes.map((v) => ({ type: "volume", source: v.name, target: v.dir, readOnly: true })),
    carrier,
  };
}
