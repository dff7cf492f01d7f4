/**
 * The resources of a preview, one per URN, and the service each belongs to.
 *
 * A resource belongs to a service by, first match wins:
 * 1. its `shipyard.service` Docker label (the Service component sets it on every container; a
 *    swarm service or a volume, network or secret may carry it too);
 * 2. its nearest ancestor `shipyard:components:Service`, found by walking `parent` URNs through the
 *    preview's steps: the service is that component's logical name (the text after the URN's last
 *    `::`). Presets wrap a Service of their own name (`PostgresDatabase` "postgres" → Service
 *    "postgres"), so their containers land on the preset's name too;
 * 3. when the state or an intermediate parent is missing from the preview, the URN's type chain
 *    still shows a Service ancestor: the service is the resource's own name without its replica
 *    suffix (`api-1` → `api`, the Service component's `<name>-<i>` naming).
 * Resources outside every Service (images, generated passwords, volumes, networks) are linked to
 * the services whose containers depend on them (`dependencies` in the old or new state).
 */
import { labelsOf, parseUrn, type PreviewStep, type ResourceState } from "./preview-digest";
import { LABEL } from "../../components/labels";

export const SERVICE_COMPONENT_TYPE = "shipyard:components:Service";
export const CONTAINER_TYPE = "docker:index/container:Container";
export const SWARM_SERVICE_TYPE = "docker:index/service:Service";
/**
 * A container's health gate as earlier versions registered it (a dynamic resource per replica; the
 * gate now runs in the program, components/health-gate.ts): the first update after deletes these
 * as part of their services, holding nothing.
 */
export const HEALTH_GATE_TYPE = "pulumi-nodejs:dynamic/shipyard:HealthGate";
const SERVICE_LABEL = LABEL.service;

/** What a resource's steps do to the running system. */
export type Change = "none" | "update" | "create" | "delete" | "replace";

/**
 * Step ops → the change they make. Reads, refreshes, discards and imports leave the running
 * resource as it is. An op missing here (a newer CLI) counts as an update, to stay visible.
 */
const CHANGE_OF_OP: Readonly<Record<string, Change>> = {
  same: "none",
  read: "none",
  "read-replacement": "none",
  refresh: "none",
  discard: "none",
  "discard-replaced": "none",
  "remove-pending-replace": "none",
  import: "none",
  "import-replacement": "none",
  create: "create",
  update: "update",
  delete: "delete",
  replace: "replace",
  "create-replacement": "replace",
  "delete-replaced": "replace",
};

const CHANGE_RANK: Readonly<Record<Change, number>> = {
  none: 0,
  update: 1,
  create: 2,
  delete: 2,
  replace: 3,
};

/** One resource with its steps merged (`--show-replacement-steps` gives a replace three steps). */
export interface Resource {
  readonly urn: string;
  readonly type: string;
  /** Ancestor types, outermost first, from the URN. */
  readonly ancestorTypes: readonly string[];
  /** The logical name, the text after the URN's last `::`. */
  readonly name: string;
  /** False for components and the root stack. */
  readonly custom: boolean;
  readonly change: Change;
  readonly replaceReasons: readonly string[];
  /** Changed property paths without list indexes (`envs[1]` → `envs`), else the diff reasons. */
  readonly changedPaths: readonly string[];
  /** The new state, or the old one for deletes. */
  readonly state: ResourceState | undefined;
  /** URNs the old and the new state depend on. */
  readonly dependencies: readonly string[];
  readonly labels: ReadonlyMap<string, string>;
}

export function isWorkload(resource: Resource): boolean {
  return resource.type === CONTAINER_TYPE || resource.type === SWARM_SERVICE_TYPE;
}

/** Merges the steps per URN, keeping the first-seen order and the strongest change. */
export function mergeSteps(steps: readonly PreviewStep[]): Map<string, Resource> {
  const resources = new Map<string, Resource>();
  for (const step of steps) {
    const urn = parseUrn(step.urn);
    const previous = resources.get(step.urn);
    const state = step.newState ?? step.oldState ?? previous?.state;
    const change = CHANGE_OF_OP[step.op] ?? "update";
    const changedPaths =
      change === "update" || change === "replace"
        ? step.detailedDiff
          ? Object.keys(step.detailedDiff).map((path) => path.replace(/\[.*$/, ""))
          : (step.diffReasons ?? [])
        : [];
    resources.set(step.urn, {
      urn: step.urn,
      type: state?.type ?? urn?.type ?? "",
      ancestorTypes: urn?.typeChain.slice(0, -1) ?? [],
      name: urn?.name ?? step.urn,
      custom: state?.custom ?? true,
      change: previous && CHANGE_RANK[previous.change] >= CHANGE_RANK[change] ? previous.change : change,
      replaceReasons: sortedUnique([...(previous?.replaceReasons ?? []), ...(step.replaceReasons ?? [])]),
      changedPaths: sortedUnique([...(previous?.changedPaths ?? []), ...changedPaths]),
      state,
      dependencies: sortedUnique([
        ...(previous?.dependencies ?? []),
        ...(step.oldState?.dependencies ?? []),
        ...(step.newState?.dependencies ?? []),
      ]),
      labels: labelsOf(state),
    });
  }
  return resources;
}

/** Who a resource belongs to: its own service (rules 1-3) and the services whose containers use it. */
export interface Ownership {
  readonly service: string | undefined;
  /** Services whose containers or swarm services depend on the resource, sorted. */
  readonly usedBy: readonly string[];
}

export function ownership(resources: ReadonlyMap<string, Resource>): Map<string, Ownership> {
  const services = new Map(
    [...resources.keys()].map((urn) => [urn, serviceOf(resources.get(urn)!, resources)]),
  );
  const users = new Map<string, Set<string>>();
  for (const resource of resources.values()) {
    const service = services.get(resource.urn);
    if (!isWorkload(resource) || service === undefined) continue;
    for (const dependency of resource.dependencies) {
      users.set(dependency, (users.get(dependency) ?? new Set()).add(service));
    }
  }
  return new Map(
    [...services].map(([urn, service]) => [urn, { service, usedBy: [...(users.get(urn) ?? [])].sort() }]),
  );
}

function serviceOf(resource: Resource, resources: ReadonlyMap<string, Resource>): string | undefined {
  const label = resource.labels.get(SERVICE_LABEL);
  if (label !== undefined) return label;
  if (resource.type === SERVICE_COMPONENT_TYPE) return resource.name;
  const seen = new Set<string>();
  for (let parent = resource.state?.parent; parent !== undefined && !seen.has(parent);) {
    seen.add(parent);
    const parsed = parseUrn(parent);
    if (parsed?.type === SERVICE_COMPONENT_TYPE) return parsed.name;
    parent = resources.get(parent)?.state?.parent;
  }
  return resource.ancestorTypes.includes(SERVICE_COMPONENT_TYPE)
    ? resource.name.replace(/-\d+$/, "")
    : undefined;
}

export function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
