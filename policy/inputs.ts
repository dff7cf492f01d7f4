/**
 * Reading @pulumi/docker inputs safely: every value is `unknown` (the rules see plain data from
 * mocks, the audit command or the policy engine), and may be {@link UNKNOWN} during preview.
 */
import { UNKNOWN, type RegisteredResource, type Unknown, type Violation } from "./types";

export const CONTAINER = "docker:index/container:Container";
export const SERVICE = "docker:index/service:Service";
export const NETWORK = "docker:index/network:Network";
export const VOLUME = "docker:index/volume:Volume";
export const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";

export function isUnknown(value: unknown): value is Unknown {
  return value === UNKNOWN;
}

/** The last part of a type token: `"docker:index/container:Container"` → `"Container"`. */
export function kindOf(type: string): string {
  return type.slice(type.lastIndexOf(":") + 1);
}

/** The short form used in {@link Violation.resource}: `"Container api-0"`. */
export function resourceId(resource: Pick<RegisteredResource, "type" | "name">): string {
  return `${kindOf(resource.type)} ${resource.name}`;
}

/** A violation whose message starts with the resource: `Container "api-0": <text>`. */
export function violation(resource: RegisteredResource, text: string): Violation {
  return { resource: resourceId(resource), message: `${kindOf(resource.type)} "${resource.name}": ${text}` };
}

/**
 * A file carrier (components/file-carrier.ts): a container created only to receive uploads into
 * volumes, which never runs a process. Only a container that cannot run counts: `start: false`,
 * no network, ALL capabilities dropped. The rules on how a container runs (user, limits, read-only
 * root, restart, healthcheck, logs) do not apply to it; the rules on what it holds still do.
 */
export function isFileCarrier(r: RegisteredResource): boolean {
  return (
    r.type === CONTAINER &&
    r.inputs["start"] === false &&
    r.inputs["networkMode"] === "none" &&
    items(at(r.inputs, "capabilities.drops")).includes("ALL")
  );
}

/**
 * Runs `inspect` on every resource of the given types, in registration order, and turns each text
 * it returns into a violation of that resource. File carriers are left out unless `carriers` says
 * so: they run nothing ({@link isFileCarrier}).
 */
export function inspectEach(
  resources: readonly RegisteredResource[],
  types: readonly string[],
  inspect: (resource: RegisteredResource) => readonly string[],
  { carriers = false }: { readonly carriers?: boolean } = {},
): Violation[] {
  return resources
    .filter((r) => types.includes(r.type) && (carriers || !isFileCarrier(r)))
    .flatMap((r) => inspect(r).map((text) => violation(r, text)));
}

/**
 * The value at a dotted path (`"taskSpec.containerSpec.user"`): `undefined` where the path is
 * missing, {@link UNKNOWN} where the path runs through an unknown value.
 */
export function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".")) {
    if (isUnknown(current)) return UNKNOWN;
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The elements of a list input; none when it is missing, not a list, or unknown. */
export function items(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A string input, or undefined (also when unknown: check {@link isUnknown} first where it matters). */
export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

/** Renders an input value for a message: strings and lists as JSON, other values as they print. */
export function show(value: unknown): string {
  return typeof value === "string" || Array.isArray(value) ? JSON.stringify(value) : String(value);
}

/**
 * The value of one label in a Docker label list (`[{label, value}]`): undefined when absent,
 * {@link UNKNOWN} when the list or that entry is not known yet.
 */
export function labelValue(labels: unknown, key: string): string | undefined | Unknown {
  if (isUnknown(labels)) return UNKNOWN;
  let unknownEntry = false;
  for (const entry of items(labels)) {
    if (isUnknown(entry)) {
      unknownEntry = true;
      continue;
    }
    const label = at(entry, "label");
    if (isUnknown(label)) {
      unknownEntry = true;
    } else if (label === key) {
      const value = at(entry, "value");
      return isUnknown(value) ? UNKNOWN : str(value);
    }
  }
  return unknownEntry ? UNKNOWN : undefined;
}

/**
 * A label on a container, or on a service or its task's container spec (a service's label wins).
 */
export function workloadLabel(resource: RegisteredResource, key: string): string | undefined | Unknown {
  const own = labelValue(resource.inputs["labels"], key);
  if (resource.type !== SERVICE || (own !== undefined && !isUnknown(own))) return own;
  const task = labelValue(at(resource.inputs, "taskSpec.containerSpec.labels"), key);
  return task === undefined && isUnknown(own) ? UNKNOWN : task;
}

/** Where a workload's container settings live: the container itself, or a service's container spec. */
export function specPath(resource: RegisteredResource, field: string): string {
  return resource.type === SERVICE ? `taskSpec.containerSpec.${field}` : field;
}

/** The `CIS-5.5` id as it reads in a message: `CIS 5.5`; project ids stay as they are. */
export function cite(id: string): string {
  return id.replace(/^CIS-/, "CIS ");
}
