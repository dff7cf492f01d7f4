/**
 * SHIP-4 to SHIP-6: the data tier is unreachable from outside and its volumes survive and are
 * backed up (DESIGN.md decisions 4 and 8). They read the labels components set: `shipyard.tier`
 * on networks, `shipyard.role` on workloads, `shipyard.data` on volumes.
 */
import {
  CONTAINER,
  NETWORK,
  SERVICE,
  VOLUME,
  at,
  inspectEach,
  isUnknown,
  items,
  labelValue,
  show,
  str,
  workloadLabel,
} from "./inputs";
import type { RegisteredResource, Rule } from "./types";
import { LABEL } from "../components/labels";

export const internalDataNetworks: Rule = {
  id: "SHIP-4",
  title: "Data-tier networks are internal",
  severity: "high",
  fix: "Set `internal: true` on every network labelled shipyard.tier=data.",
  check: (resources) =>
    inspectEach(resources, [NETWORK], (r) => {
      const internal = r.inputs["internal"];
      if (labelValue(r.inputs["labels"], LABEL.tier) !== "data" || isUnknown(internal) || internal === true) {
        return [];
      }
      const problem = internal === undefined ? "is not set" : `is ${show(internal)}`;
      return [
        `\`internal\` ${problem} on a data-tier network (label shipyard.tier=data); set internal: true so it has no route outside (SHIP-4)`,
      ];
    }),
};

/** Roles whose ports must never reach the host in prod. */
export const DATA_ROLES: readonly string[] = ["database", "cache", "graph"];

export const unpublishedDataPorts: Rule = {
  id: "SHIP-5",
  title: "Database, cache and graph ports are never published in prod",
  severity: "critical",
  fix: "Remove `ports` (swarm: `endpointSpec.ports`) from workloads labelled shipyard.role=database|cache|graph; reach them over an internal network.",
  check: (resources, ctx) =>
    ctx.environment !== "prod"
      ? []
      : inspectEach(resources, [CONTAINER, SERVICE], (r) => {
          const role = workloadLabel(r, LABEL.role);
          if (isUnknown(role) || role === undefined || !DATA_ROLES.includes(role)) return [];
          const [list, key, what] =
            r.type === SERVICE
              ? ["endpointSpec.ports", "targetPort", "target port"]
              : ["ports", "internal", "container port"];
          return items(at(r.inputs, list)).map((port, i) => {
            const inner = at(port, key);
            const shown = isUnknown(inner) ? what : `${what} ${show(inner)}`;
            return `\`${list}[${i}]\` publishes ${shown} (label shipyard.role=${role}); remove it and reach the ${role} over an internal network (SHIP-5)`;
          });
        }),
};

/** The label a backup job (shipyard.role=backup) lists the volumes it backs up in, comma-separated. */
export const BACKUP_OF_LABEL = LABEL.backupOf;

/**
 * Volume names the backup jobs declare in {@link BACKUP_OF_LABEL}, or undefined when a role or
 * that label is not known yet. Declared, not inferred from mounts: a pg_dump job reaches its
 * database over the network and mounts only the volume it writes dumps to.
 */
function declaredBackups(resources: readonly RegisteredResource[]): Set<string> | undefined {
  const names = new Set<string>();
  for (const r of resources.filter((x) => x.type === CONTAINER || x.type === SERVICE)) {
    const role = workloadLabel(r, LABEL.role);
    if (isUnknown(role)) return undefined;
    if (role !== "backup") continue;
    const declared = workloadLabel(r, BACKUP_OF_LABEL);
    if (isUnknown(declared)) return undefined;
    for (const name of (declared ?? "").split(",")) {
      if (name.trim() !== "") names.add(name.trim());
    }
  }
  return names;
}

export const keptDataVolumes: Rule = {
  id: "SHIP-6",
  title: "Data volumes are protected, retained and backed up in prod",
  severity: "high",
  fix: `In prod, give volumes labelled shipyard.data=true the options protect and retainOnDelete, and name each in the ${BACKUP_OF_LABEL} label of a backup job (shipyard.role=backup).`,
  check: (resources, ctx) => {
    if (ctx.environment !== "prod") return [];
    const backedUp = declaredBackups(resources);
    return inspectEach(resources, [VOLUME], (r) => {
      if (labelValue(r.inputs["labels"], LABEL.data) !== "true") return [];
      const texts: string[] = [];
      for (const option of ["protect", "retainOnDelete"] as const) {
        const value = r.options[option];
        if (isUnknown(value) || value === true) continue;
        const problem = value === undefined ? "is not set" : `is ${show(value)}`;
        texts.push(
          `resource option \`${option}\` ${problem} on a data volume (label shipyard.data=true) in prod; set ${option}: true (SHIP-6)`,
        );
      }
      const name = r.inputs["name"] ?? r.name;
      if (backedUp !== undefined && !isUnknown(name) && !backedUp.has(str(name) ?? "")) {
        texts.push(
          `no backup job declares volume ${show(name)} (label ${BACKUP_OF_LABEL} on a workload labelled shipyard.role=backup); back it up, or create the volume with shipyard.data=false if losing it is acceptable (SHIP-6)`,
        );
      }
      return texts;
    });
  },
};
