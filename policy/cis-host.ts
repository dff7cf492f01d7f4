/**
 * CIS Docker Benchmark v1.6 controls on what a container shares with the host: namespaces, mounts,
 * published ports and the default bridge (research/reliability.md §1.1).
 */
import {
  CONTAINER,
  SERVICE,
  at,
  cite,
  inspectEach,
  isUnknown,
  items,
  num,
  show,
  specPath,
  str,
} from "./inputs";
import type { RegisteredResource, Rule } from "./types";
import { isSensitiveHostDir, normaliseHostPath, SENSITIVE_HOST_DIRS } from "../components/host-paths";

function hostNamespace(id: string, v15: string, field: string, namespace: string, fix: string): Rule {
  return {
    id,
    title: `The host's ${namespace} namespace is not shared (CIS v1.5 ${v15})`,
    severity: "high",
    fix: `Never set \`${field}\` to "host"; ${fix}.`,
    check: (resources) =>
      inspectEach(resources, [CONTAINER], (r) => {
        const mode = r.inputs[field];
        return str(mode)?.trim().toLowerCase() === "host"
          ? [`\`${field}\` is ${show(mode)}; ${fix} (${cite(id)})`]
          : [];
      }),
  };
}

export const hostNetwork = hostNamespace(
  "CIS-5.10",
  "5.9",
  "networkMode",
  "network",
  "attach a user-defined network through `networksAdvanced` instead",
);
export const hostPid = hostNamespace(
  "CIS-5.16",
  "5.15",
  "pidMode",
  "PID",
  "remove it so the container has its own PID namespace",
);
export const hostIpc = hostNamespace("CIS-5.17", "5.16", "ipcMode", "IPC", 'use "private" or leave it unset');
export const hostUserns = hostNamespace("CIS-5.31", "5.30", "usernsMode", "user", "remove it");

/** A host path bound into a workload, with the input field that binds it. */
interface HostPath {
  readonly field: string;
  readonly path: string;
}

/** Host paths a container (`volumes[].hostPath`, bind `mounts`) or service (bind mounts) binds. */
function hostPaths(r: RegisteredResource): HostPath[] {
  const paths: HostPath[] = [];
  if (r.type === CONTAINER) {
    items(r.inputs["volumes"]).forEach((volume, i) => {
      const path = str(at(volume, "hostPath"));
      if (path !== undefined && path !== "") paths.push({ field: `volumes[${i}].hostPath`, path });
    });
  }
  const mountsField = specPath(r, "mounts");
  items(at(r.inputs, mountsField)).forEach((mount, i) => {
    const path = str(at(mount, "source"));
    if (at(mount, "type") === "bind" && path !== undefined)
      paths.push({ field: `${mountsField}[${i}].source`, path });
  });
  return paths;
}

export const sensitiveHostPaths: Rule = {
  id: "CIS-5.6",
  title: "Sensitive host system directories are not mounted (CIS v1.5 5.5)",
  severity: "high",
  fix: `Do not bind ${SENSITIVE_HOST_DIRS.join(", ")} or anything below them, even read-only; use a named volume.`,
  check: (resources) =>
    inspectEach(resources, [CONTAINER, SERVICE], (r) =>
      hostPaths(r)
        .filter((h) => isSensitiveHostDir(h.path))
        .map(
          (h) =>
            `\`${h.field}\` is ${show(h.path)}, a sensitive host directory; use a named volume or a narrower, non-system path (CIS 5.6)`,
        ),
    ),
};

export const dockerSocket: Rule = {
  id: "CIS-5.32",
  title: "The Docker socket is not mounted inside containers (CIS v1.5 5.31)",
  severity: "critical",
  fix: "Remove the docker.sock mount; a read-only socket still grants root on the host.",
  check: (resources) =>
    inspectEach(resources, [CONTAINER, SERVICE], (r) =>
      hostPaths(r)
        .filter((h) => /(^|\/)docker\.sock$/.test(normaliseHostPath(h.path)))
        .map(
          (h) =>
            `\`${h.field}\` is ${show(h.path)}, the Docker socket (even read-only it grants root on the host); remove it (CIS 5.32)`,
        ),
    ),
};

export const mountPropagation: Rule = {
  id: "CIS-5.20",
  title: "Mount propagation mode is not shared (CIS v1.5 5.19)",
  severity: "medium",
  fix: 'Leave `bindOptions.propagation` unset (Docker\'s default "rprivate"), or use a private mode.',
  check: (resources) =>
    inspectEach(resources, [CONTAINER, SERVICE], (r) => {
      const mountsField = specPath(r, "mounts");
      return items(at(r.inputs, mountsField)).flatMap((mount, i) => {
        const propagation = at(mount, "bindOptions.propagation");
        return propagation === "shared" || propagation === "rshared"
          ? [
              `\`${mountsField}[${i}].bindOptions.propagation\` is ${show(propagation)}; use "rprivate" (the default) (CIS 5.20)`,
            ]
          : [];
      });
    }),
};

const ALL_INTERFACES = new Set(["", "0.0.0.0", "::", "[::]"]);

export const hostInterface: Rule = {
  id: "CIS-5.14",
  title: "Incoming container traffic is bound to a specific host interface (CIS v1.5 5.13)",
  severity: "high",
  fix: 'Set `ports[].ip` to a specific address such as "127.0.0.1". Swarm ingress cannot bind one (see README).',
  check: (resources) =>
    inspectEach(resources, [CONTAINER], (r) =>
      items(r.inputs["ports"]).flatMap((port, i) => {
        const ip = at(port, "ip");
        if (isUnknown(port) || isUnknown(ip)) return [];
        const fix = 'bind to a specific address such as "127.0.0.1" (CIS 5.14)';
        if (ip === undefined)
          return [`\`ports[${i}].ip\` is not set, so Docker binds all interfaces; ${fix}`];
        return ALL_INTERFACES.has(str(ip)?.trim() ?? "")
          ? [`\`ports[${i}].ip\` is ${show(ip)} (all interfaces); ${fix}`]
          : [];
      }),
    ),
};

/** Host ports below this are privileged (CIS 5.8). */
export const FIRST_UNPRIVILEGED_PORT = 1025;

export const privilegedPorts: Rule = {
  id: "CIS-5.8",
  title: "Privileged host ports are not mapped (CIS v1.5 5.7)",
  severity: "medium",
  fix: `Publish on host port ${FIRST_UNPRIVILEGED_PORT} or above (e.g. 8080) behind a proxy.`,
  check: (resources) =>
    inspectEach(resources, [CONTAINER, SERVICE], (r) => {
      const [list, key] =
        r.type === SERVICE ? ["endpointSpec.ports", "publishedPort"] : ["ports", "external"];
      return items(at(r.inputs, list)).flatMap((port, i) => {
        const hostPort = num(at(port, key));
        return hostPort !== undefined && hostPort > 0 && hostPort < FIRST_UNPRIVILEGED_PORT
          ? [
              `\`${list}[${i}].${key}\` is ${hostPort}, a privileged port; publish on ${FIRST_UNPRIVILEGED_PORT} or above (e.g. 8080) behind a proxy (CIS 5.8)`,
            ]
          : [];
      });
    }),
};

const DEFAULT_BRIDGE_MODES = new Set(["", "bridge", "default"]);

export const defaultBridge: Rule = {
  id: "CIS-5.30",
  title: "The default bridge docker0 is not used (CIS v1.5 5.29)",
  severity: "medium",
  fix: "Attach every container to a user-defined network through `networksAdvanced`.",
  check: (resources) =>
    inspectEach(resources, [CONTAINER], (r) => {
      const mode = r.inputs["networkMode"];
      const networks = r.inputs["networksAdvanced"];
      if (isUnknown(mode) || isUnknown(networks)) return [];
      if (mode !== undefined && !DEFAULT_BRIDGE_MODES.has(str(mode)?.trim() ?? "")) return [];
      const list = items(networks);
      if (list.length === 0) {
        return [
          "`networksAdvanced` is not set, so the container joins the default bridge (docker0); attach a user-defined network (CIS 5.30)",
        ];
      }
      return list.flatMap((network, i) =>
        at(network, "name") === "bridge"
          ? [
              `\`networksAdvanced[${i}].name\` is "bridge", the default bridge (docker0); attach a user-defined network (CIS 5.30)`,
            ]
          : [],
      );
    }),
};
