/**
 * Reading recorded registrations for the Compose renderer: the resource types, and inputs that may
 * be written out (never a secret one).
 */
import * as path from "node:path";
import { isSecretInput } from "../../infra/offline";
import { LABEL } from "../../components/labels";

/** One recorded registration, as infra/offline.ts records it. */
export interface ComposeResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly options: { readonly dependencies: readonly string[] };
}

export const CONTAINER = "docker:index/container:Container";
export const NETWORK = "docker:index/network:Network";
export const VOLUME = "docker:index/volume:Volume";
export const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
export const BUILT_IMAGE = "docker:index/image:Image";
export const SWARM_SERVICE = "docker:index/service:Service";
export const SECRETS_DIR = "/run/secrets/";
/** Labels that differ per replica: Compose numbers its containers itself. */
export const REPLICA_LABEL = LABEL.replica;

/** A file a carrier uploads (components/file-carrier.ts). */
export interface Upload {
  file: string;
  content: string;
  owner: string;
  permissions: string;
}
/** A container mount as docker.Container takes it. */
export interface Mount {
  type: string;
  source?: string;
  target: string;
  readOnly?: boolean;
}

/** A recorded input that may be written out: refuses a secret one, naming where it was. */
export function plain(value: unknown, where: string): unknown {
  if (isSecretInput(value)) throw new Error(`${where} is secret; it cannot be written into a compose file`);
  return value;
}

/** Labels `[{label, value}]` as a map. */
export function labelMap(r: ComposeResource): Record<string, string> {
  const list = (plain(r.inputs.labels, `labels of ${r.name}`) as { label: string; value: string }[]) ?? [];
  return Object.fromEntries(list.map((l) => [l.label, l.value]));
}

/** An object with its keys sorted: the file must not depend on registration order. */
export function sortedObject<T>(entries: Iterable<[string, T]>): Record<string, T> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A path as the compose file refers to it: relative to its folder, `./`-prefixed. */
export function relativeTo(baseDir: string, target: string): string {
  const relative = path.relative(baseDir, target);
  if (relative === "") return ".";
  if (path.isAbsolute(relative) || relative.startsWith("..")) return relative;
  return `./${relative}`;
}
