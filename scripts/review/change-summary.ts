/**
 * Downtime-aware reading of `pulumi preview --json` (research/mission.md §4 item 3): one row per
 * service saying whether it is untouched, updated in place, rolled, or replaced with downtime; rows
 * for the volumes, networks and secrets that change; and a loud warning where data or a stateful
 * service is at risk. Which resources make up a service is decided in ./resources.
 */
import { STATEFUL_ROLES } from "../../components/service-args";
import { asRecord, parseUrn, type PreviewDigest } from "./preview-digest";
import {
  CONTAINER_TYPE,
  HEALTH_GATE_TYPE,
  isWorkload,
  mergeSteps,
  ownership,
  SERVICE_COMPONENT_TYPE,
  sortedUnique,
  SWARM_SERVICE_TYPE,
  type Change,
  type Ownership,
  type Resource,
} from "./resources";
import { LABEL } from "../../components/labels";

const STATEFUL_LABEL = LABEL.stateful;
const ROLE_LABEL = LABEL.role;

/** Resources that get a row of their own, since they outlive or are shared by services. */
const OWN_ROW_KINDS: Readonly<Record<string, "volume" | "network" | "secret">> = {
  "docker:index/volume:Volume": "volume",
  "docker:index/network:Network": "network",
  "docker:index/secret:Secret": "secret",
};

/** What a row does, in the words a reviewer needs; `replace` and `rotate` are for non-service rows. */
export type Operation =
  | "no change"
  | "update in place"
  | "rolling update"
  | "replace (downtime)"
  | "create"
  | "delete"
  | "replace"
  | "rotate";

export type RowKind = "service" | "volume" | "network" | "secret" | "other";

export interface ChangeRow {
  readonly kind: RowKind;
  /** The service name, or the logical name of the volume, network, secret or other resource. */
  readonly name: string;
  readonly operation: Operation;
  /** Input keys that force the replacement (the provider's `replaceReasons`), sorted. */
  readonly forcesReplacement: readonly string[];
  readonly notes: readonly string[];
  /** Present when the row loses data or takes a stateful service down: what and why. */
  readonly warning?: string;
}

export interface ChangeSummary {
  /** The stack named in the steps' URNs; absent when the preview has no steps. */
  readonly stack?: string;
  /** Services by name, then volumes, networks, secrets and other resources by name. */
  readonly rows: readonly ChangeRow[];
  /** The engine's count per step op (the digest's `changeSummary`). */
  readonly stepCounts: Readonly<Record<string, number>>;
  /** Error and warning diagnostics, one line each. */
  readonly diagnostics: readonly string[];
}

/** A resource with who it belongs to. */
interface Owned extends Ownership {
  readonly resource: Resource;
}

/** Classifies every step of a preview per service and names what is at risk. */
export function summarizePreview(digest: PreviewDigest): ChangeSummary {
  const steps = digest.steps ?? [];
  const resources = mergeSteps(steps);
  const owners = ownership(resources);
  const services = new Map<string, Resource[]>();
  const ownRows: ChangeRow[] = [];
  const secrets: Owned[] = [];

  for (const resource of resources.values()) {
    const owned = { resource, ...owners.get(resource.urn)! };
    const kind = OWN_ROW_KINDS[resource.type];
    // A resource only one service's containers use (its image, its password) is part of it.
    const service = owned.service ?? (owned.usedBy.length === 1 ? owned.usedBy[0] : undefined);
    if (kind === "secret") {
      secrets.push(owned);
    } else if (kind === undefined && service !== undefined) {
      services.set(service, [...(services.get(service) ?? []), resource]);
    } else if (kind !== undefined || resource.custom) {
      const row = resourceRow(kind ?? "other", owned);
      if (row !== undefined) ownRows.push(row);
    }
  }

  const kindOrder: readonly RowKind[] = ["volume", "network", "secret", "other"];
  const firstUrn = steps[0] && parseUrn(steps[0].urn);
  return {
    ...(firstUrn ? { stack: firstUrn.stack } : {}),
    rows: [
      ...[...services].map(([name, members]) => serviceRow(name, members)).sort(byName),
      ...[...ownRows, ...secretRows(secrets)].sort(
        (a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || byName(a, b),
      ),
    ],
    stepCounts: digest.changeSummary ?? {},
    diagnostics: (digest.diagnostics ?? [])
      .filter((d) => d.severity === "error" || d.severity === "warning")
      .map((d) => (d.message ?? "").replace(/\s+/g, " ").trim()),
  };
}

function serviceRow(name: string, members: readonly Resource[]): ChangeRow {
  // Without --show-sames an unchanged component and its unchanged containers are not in the
  // preview: the component's step is what tells a full view from a partial one.
  const component = members.find((m) => m.type === SERVICE_COMPONENT_TYPE);
  const workloads = members.filter(isWorkload);
  const swarmService = workloads.find((w) => w.type === SWARM_SERVICE_TYPE);
  const containers = workloads.filter((w) => w.type === CONTAINER_TYPE);
  const liveContainers = containers.filter((c) => c.change !== "delete");
  const role = members
    .map((m) => m.labels.get(ROLE_LABEL))
    .find((r) => r !== undefined && (STATEFUL_ROLES as readonly string[]).includes(r));
  const stateful = role !== undefined || members.some((m) => m.labels.get(STATEFUL_LABEL) === "true");
  const replaced = workloads.filter((w) => w.change === "replace");
  const operation = serviceOperation(component, members, replaced, liveContainers.length, stateful);
  const forcesReplacement = sortedUnique(replaced.flatMap((w) => w.replaceReasons));

  const notes: string[] = [];
  const statefulNote = role !== undefined ? `stateful (${role})` : "stateful";
  if (stateful) notes.push(statefulNote);
  if (swarmService !== undefined) {
    notes.push(`swarm service, ${swarmReplicas(swarmService)}`);
  } else if (operation === "rolling update") {
    notes.push(`${plural(replaced.length, "container")} replaced one at a time`);
  } else if (component !== undefined && containers.length > 0) {
    notes.push(plural(operation === "delete" ? containers.length : liveContainers.length, "container"));
  }
  if (operation !== "create" && operation !== "delete") {
    const changed = sortedUnique(workloads.flatMap((w) => w.changedPaths));
    if (changed.length > 0) notes.push(`changed: ${code(changed)}`);
    for (const c of containers.filter((c) => c.change === "create")) notes.push(`adds ${code([c.name])}`);
    for (const c of containers.filter((c) => c.change === "delete")) notes.push(`removes ${code([c.name])}`);
    const ownResources = members.filter((m) => m.custom && !isWorkload(m) && m.type !== HEALTH_GATE_TYPE);
    for (const m of ownResources.filter((m) => m.change !== "none")) {
      notes.push(`${shortType(m.type)} ${code([m.name])}: ${RESOURCE_OPERATION[m.change]}`);
    }
  }

  const warning = !stateful
    ? undefined
    : operation === "delete"
      ? `Service \`${name}\` is ${statefulNote} and will be deleted.`
      : operation === "replace (downtime)"
        ? `Service \`${name}\` is ${statefulNote} and will be replaced${forcedBy(forcesReplacement)}: it is down until the replacement is healthy.`
        : undefined;
  return { kind: "service", name, operation, forcesReplacement, notes, ...(warning ? { warning } : {}) };
}

function serviceOperation(
  component: Resource | undefined,
  members: readonly Resource[],
  replaced: readonly Resource[],
  liveContainers: number,
  stateful: boolean,
): Operation {
  const lifecycle = serviceLifecycle(component, members);
  if (lifecycle !== undefined) return lifecycle;
  if (members.every((m) => m.change === "none")) return "no change";
  if (replaced.length > 0) {
    // Swarm recreates a replaced service as a whole; containers replaced one at a time (the
    // Service component chains its replicas) keep the others serving, which one replica or a
    // stateful service cannot. Containers a partial preview leaves out are not counted, which
    // errs towards reporting downtime.
    const rolling = !stateful && liveContainers > 1 && replaced.every((w) => w.type === CONTAINER_TYPE);
    return rolling ? "rolling update" : "replace (downtime)";
  }
  // Swarm applies an in-place service update by rolling its tasks (update_config).
  if (members.some((m) => m.type === SWARM_SERVICE_TYPE && m.change === "update")) return "rolling update";
  return "update in place";
}

/** `create` or `delete` when the whole service comes or goes, else `undefined`. */
function serviceLifecycle(
  component: Resource | undefined,
  members: readonly Resource[],
): "create" | "delete" | undefined {
  if (component !== undefined) {
    return component.change === "create" || component.change === "delete" ? component.change : undefined;
  }
  // A hidden component is unchanged, so new containers under it are a scale-up; only a service
  // known by its label alone can be wholly new or wholly gone without a component step.
  if (members.some((m) => m.ancestorTypes.includes(SERVICE_COMPONENT_TYPE))) return undefined;
  if (members.every((m) => m.change === "create")) return "create";
  if (members.every((m) => m.change === "delete")) return "delete";
  return undefined;
}

function swarmReplicas(service: Resource): string {
  const mode = asRecord(service.state?.inputs?.mode);
  if (mode?.global === true) return "global";
  const replicas = asRecord(mode?.replicated)?.replicas;
  // The provider's default mode is replicated with one replica.
  return plural(typeof replicas === "number" ? replicas : 1, "replica");
}

const RESOURCE_OPERATION: Readonly<Record<Change, Operation>> = {
  none: "no change",
  create: "create",
  update: "update in place",
  replace: "replace",
  delete: "delete",
};

/** The services a resource belongs to or serves. */
function users({ service, usedBy }: Ownership): string[] {
  return sortedUnique(service !== undefined ? [service, ...usedBy] : usedBy);
}

function resourceRow(kind: RowKind, owned: Owned): ChangeRow | undefined {
  const { resource } = owned;
  if (resource.change === "none") return undefined;
  const usedBy = users(owned);
  const notes: string[] = [];
  if (usedBy.length > 0) notes.push(`used by ${usedBy.join(", ")}`);
  if (resource.changedPaths.length > 0) notes.push(`changed: ${code(resource.changedPaths)}`);
  if (kind === "other") notes.push(resource.type);
  const subject = `Volume \`${resource.name}\`${usedBy.length > 0 ? ` (used by ${usedBy.join(", ")})` : ""}`;
  const warning =
    kind !== "volume"
      ? undefined
      : resource.change === "delete"
        ? `${subject} will be deleted with the data in it. Back it up first.`
        : resource.change === "replace"
          ? `${subject} will be replaced${forcedBy(resource.replaceReasons)}: Docker deletes the volume and the data in it. Back it up first, or revert the change.`
          : undefined;
  return {
    kind,
    name: resource.name,
    operation: RESOURCE_OPERATION[resource.change],
    forcesReplacement: resource.replaceReasons,
    notes,
    ...(warning ? { warning } : {}),
  };
}

/**
 * Swarm secrets are immutable and carry a content hash in their name (`api-token-1a2b3c4d`), so a
 * rotation is a create plus a delete: one of each with the same base name make one row.
 */
function secretRows(secrets: readonly Owned[]): ChangeRow[] {
  const rows: ChangeRow[] = [];
  const rotations = new Map<string, { created: Owned[]; deleted: Owned[] }>();
  for (const secret of secrets) {
    const { change, name } = secret.resource;
    if (change === "create" || change === "delete") {
      const base = name.replace(/-[0-9a-f]{6,}$/, "");
      const rotation = rotations.get(base) ?? { created: [], deleted: [] };
      (change === "create" ? rotation.created : rotation.deleted).push(secret);
      rotations.set(base, rotation);
    } else {
      const row = resourceRow("secret", secret);
      if (row !== undefined) rows.push(row);
    }
  }
  for (const [base, { created, deleted }] of rotations) {
    const [fresh] = created;
    const [stale] = deleted;
    if (created.length === 1 && deleted.length === 1 && fresh && stale) {
      const usedBy = sortedUnique([...users(fresh), ...users(stale)]);
      const names = `${code([stale.resource.name])} → ${code([fresh.resource.name])}`;
      const notes = usedBy.length > 0 ? [`used by ${usedBy.join(", ")}`, names] : [names];
      rows.push({ kind: "secret", name: base, operation: "rotate", forcesReplacement: [], notes });
    } else {
      rows.push(...[...created, ...deleted].map((secret) => resourceRow("secret", secret)!));
    }
  }
  return rows;
}

/** Most alarming first: the order of the counts in the Markdown summary. */
const OPERATION_ORDER: readonly Operation[] = [
  "replace (downtime)",
  "delete",
  "replace",
  "rotate",
  "rolling update",
  "update in place",
  "create",
  "no change",
];

const KIND_LABELS: Readonly<Record<RowKind, string>> = {
  service: "services",
  volume: "volumes",
  network: "networks",
  secret: "secrets",
  other: "other resources",
};

/** The engine's step ops in the order `pulumi preview` prints its own summary. */
const STEP_ORDER: readonly string[] = ["create", "update", "replace", "delete", "same"];

/** GitHub-flavoured Markdown: heading, warning alert, table, counts, diagnostics. */
export function renderMarkdown(summary: ChangeSummary): string {
  const lines = [summary.stack !== undefined ? `## Preview of \`${summary.stack}\`` : "## Preview", ""];
  const warnings = summary.rows.flatMap((row) => (row.warning !== undefined ? [row.warning] : []));
  if (warnings.length > 0) {
    lines.push("> [!WARNING]", ...warnings.map((w) => `> - ⚠️ ${w}`), "");
  }
  if (summary.rows.length === 0) {
    lines.push("No changes to services, volumes, networks or secrets.", "");
  } else {
    lines.push("| Service | Operation | Forces replacement | Notes |", "| --- | --- | --- | --- |");
    for (const row of summary.rows) {
      const name = (row.warning !== undefined ? "⚠️ " : "") + rowLabel(row);
      const cells = [name, row.operation, code(row.forcesReplacement), row.notes.join("; ")];
      lines.push(`| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`);
    }
    lines.push("", `**Summary:** ${countRows(summary.rows)}.`, "");
  }
  const steps = Object.keys(summary.stepCounts)
    .filter((op) => summary.stepCounts[op]! > 0)
    .sort((a, b) => stepRank(a) - stepRank(b) || a.localeCompare(b))
    .map((op) => `${summary.stepCounts[op]} ${op}`);
  if (steps.length > 0) lines.push(`**Pulumi steps:** ${steps.join(", ")}.`, "");
  if (summary.diagnostics.length > 0) {
    lines.push("**Diagnostics:**", "", ...summary.diagnostics.map((d) => `- ${d}`), "");
  }
  return lines.join("\n");
}

/** `api`, `volume \`pgdata\``, or the bare name of an other resource (its type is in the notes). */
function rowLabel(row: ChangeRow): string {
  if (row.kind === "service") return row.name;
  return row.kind === "other" ? code([row.name]) : `${row.kind} ${code([row.name])}`;
}

function countRows(rows: readonly ChangeRow[]): string {
  const parts: string[] = [];
  for (const kind of Object.keys(KIND_LABELS) as RowKind[]) {
    const ofKind = rows.filter((r) => r.kind === kind);
    if (ofKind.length === 0) continue;
    const counts = OPERATION_ORDER.map((op) => [op, ofKind.filter((r) => r.operation === op).length] as const)
      .filter(([, n]) => n > 0)
      .map(([op, n]) => `${n} ${op}`);
    parts.push(`${KIND_LABELS[kind]}: ${counts.join(", ")}`);
  }
  return parts.join("; ");
}

function stepRank(op: string): number {
  const rank = STEP_ORDER.indexOf(op);
  return rank === -1 ? STEP_ORDER.length : rank;
}

function forcedBy(fields: readonly string[]): string {
  return fields.length > 0 ? ` (forced by ${code(fields)})` : "";
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name.localeCompare(b.name);
}

function code(values: readonly string[]): string {
  return values.map((v) => `\`${v}\``).join(", ");
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** `random:index/randomPassword:RandomPassword` → `RandomPassword`. */
function shortType(type: string): string {
  return type.slice(type.lastIndexOf(":") + 1);
}
