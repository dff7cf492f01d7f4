/**
 * A Mermaid diagram of what a stack registers: services (with replicas and role), networks (internal
 * ones marked), volumes, secret files and published ports. Pure: it reads recorded registrations
 * (made under the mock engine, whose resource ids {@link mockId} gives).
 */
import { mockId } from "../../infra/offline";
import { LABEL } from "../../components/labels";

export interface DiagramResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Readonly<Record<string, unknown>>;
}

interface ServiceNode {
  replicas: number;
  role: string;
  networks: Set<string>;
  volumes: Map<string, string>;
  secrets: Set<string>;
  ports: Set<string>;
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";

/** Recorded inputs may be secret wrappers; the diagram only needs their shape, never their value. */
function plain(value: unknown): unknown {
  return typeof value === "object" && value !== null && SIG_KEY in value
    ? (value as unknown as { value: unknown }).value
    : value;
}

function labels(value: unknown): Record<string, string> {
  const list = (plain(value) as { label: string; value: string }[] | undefined) ?? [];
  return Object.fromEntries(list.map((l) => [l.label, l.value]));
}

function id(kind: string, name: string): string {
  return `${kind}_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
}

function serviceNode(nodes: Map<string, ServiceNode>, name: string, role: string): ServiceNode {
  let node = nodes.get(name);
  if (node === undefined) {
    node = {
      replicas: 0,
      role,
      networks: new Set(),
      volumes: new Map(),
      secrets: new Set(),
      ports: new Set(),
    };
    nodes.set(name, node);
  }
  return node;
}

/** Renders the registrations of one stack as a Mermaid `flowchart LR`. */
export function renderDiagram(resources: readonly DiagramResource[]): string {
  const networks = new Map<string, boolean>();
  const volumes = new Set<string>();
  const services = new Map<string, ServiceNode>();

  // Swarm services attach networks by id; the diagram names them.
  const networkNames = new Map<string, string>();
  // A carrier's files show as the secrets of the service it carries them for.
  const carriedSecrets = new Map<string, string[]>();
  for (const r of resources) {
    if (r.type === "docker:index/network:Network") {
      networks.set(String(r.inputs.name), r.inputs.internal === true);
      networkNames.set(mockId(r.name), String(r.inputs.name));
    }
    const filesFor = labels(r.inputs.labels)[LABEL.filesFor];
    if (r.type === "docker:index/volume:Volume") volumes.add(String(r.inputs.name));
    if (r.type === "docker:index/container:Container" && filesFor !== undefined) {
      const files = (plain(r.inputs.uploads) as { file: string }[] | undefined) ?? [];
      carriedSecrets.set(
        filesFor,
        files
          .filter((u) => u.file.startsWith("/run/secrets/"))
          .map((u) => u.file.slice("/run/secrets/".length)),
      );
    }
  }
  for (const r of resources) {
    if (
      r.type === "docker:index/container:Container" &&
      labels(r.inputs.labels)[LABEL.filesFor] === undefined
    ) {
      const l = labels(r.inputs.labels);
      const node = serviceNode(services, l[LABEL.service] ?? r.name, l[LABEL.role] ?? "app");
      node.replicas += 1;
      for (const n of (plain(r.inputs.networksAdvanced) as { name: string }[] | undefined) ?? [])
        node.networks.add(n.name);
      for (const m of (plain(r.inputs.mounts) as
        { type: string; source?: string; target: string }[] | undefined) ?? []) {
        if (m.type === "volume" && m.source !== undefined) node.volumes.set(m.source, m.target);
      }
      for (const u of (plain(r.inputs.uploads) as { file: string; permissions?: string }[] | undefined) ??
        []) {
        if (u.file.startsWith("/run/secrets/")) node.secrets.add(u.file.slice("/run/secrets/".length));
      }
      for (const p of (plain(r.inputs.ports) as
        { ip: string; external: number; internal: number }[] | undefined) ?? []) {
        node.ports.add(`${p.ip}:${p.external}→${p.internal}`);
      }
    }
    if (r.type === "docker:index/service:Service") {
      const l = labels(r.inputs.labels);
      const node = serviceNode(services, l[LABEL.service] ?? r.name, l[LABEL.role] ?? "app");
      const inputs = r.inputs as {
        mode?: { replicated?: { replicas?: number } };
        taskSpec?: {
          containerSpec?: {
            mounts?: { type: string; source?: string; target: string }[];
            secrets?: { fileName: string }[];
          };
          networksAdvanceds?: { id: string }[];
        };
        endpointSpec?: { ports?: { publishedPort: number; targetPort: number }[] };
      };
      node.replicas = inputs.mode?.replicated?.replicas ?? 1;
      for (const n of inputs.taskSpec?.networksAdvanceds ?? [])
        node.networks.add(networkNames.get(n.id) ?? n.id);
      for (const m of inputs.taskSpec?.containerSpec?.mounts ?? []) {
        if (m.type === "volume" && m.source !== undefined) node.volumes.set(m.source, m.target);
      }
      for (const s of inputs.taskSpec?.containerSpec?.secrets ?? [])
        node.secrets.add(s.fileName.replace(/^\/run\/secrets\//, ""));
      for (const p of inputs.endpointSpec?.ports ?? [])
        node.ports.add(`host:${p.publishedPort}→${p.targetPort}`);
    }
  }

  for (const [name, files] of carriedSecrets) for (const f of files) services.get(name)?.secrets.add(f);

  const lines = ["flowchart LR"];
  const published = [...services.values()].some((s) => s.ports.size > 0);
  if (published) lines.push(`  host(("host"))`);
  for (const [name, internal] of networks)
    lines.push(`  ${id("net", name)}{{"${name}${internal ? " (internal)" : ""}"}}`);
  for (const dockerName of volumes) lines.push(`  ${id("vol", dockerName)}[("${dockerName}")]`);
  const secrets = new Set([...services.values()].flatMap((s) => [...s.secrets]));
  for (const secret of [...secrets].sort()) lines.push(`  ${id("sec", secret)}>"🔑 ${secret}"]`);
  for (const [name, s] of services)
    lines.push(`  ${id("svc", name)}["${name} ×${s.replicas}<br/>${s.role}"]`);
  for (const [name, s] of services) {
    for (const port of s.ports) lines.push(`  host -- "${port}" --> ${id("svc", name)}`);
    for (const network of s.networks) lines.push(`  ${id("svc", name)} --- ${id("net", network)}`);
    for (const [volume, target] of s.volumes)
      lines.push(`  ${id("svc", name)} -- "${target}" --> ${id("vol", volume)}`);
    for (const secret of [...s.secrets].sort()) lines.push(`  ${id("sec", secret)} -.-> ${id("svc", name)}`);
  }
  const internalNets = [...networks].filter(([, internal]) => internal).map(([n]) => id("net", n));
  if (internalNets.length > 0) {
    lines.push("  classDef internal stroke-dasharray: 5 5");
    lines.push(`  class ${internalNets.join(",")} internal`);
  }
  return lines.join("\n");
}
