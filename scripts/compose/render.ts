/**
 * A Compose Specification file from what a stack registers on the container target: the same
 * services, networks, volumes, images and files, for running the system where Pulumi is not.
 * Pure: it reads recorded registrations (made under the mock engine, whose image ids
 * `mockRemoteImageId` in infra/offline.ts gives), the way scripts/review/diagram.ts does.
 *
 * Secret values never reach the output: secrets become `file:` references the user creates, an
 * input recorded as secret is refused where it would be written, and the finished text is checked
 * for every secret file's content.
 */
import { stringify } from "yaml";
import { carriedFiles } from "./files";
import {
  CONTAINER,
  NETWORK,
  REPLICA_LABEL,
  SWARM_SERVICE,
  VOLUME,
  labelMap,
  plain,
  sortedObject,
  type ComposeResource,
} from "./inputs";
import { COMPOSE_LIMITS } from "./limits";
import { imageIndex, serviceEntry } from "./service";
import { LABEL } from "../../components/labels";

export type { ComposeResource };

export interface ComposeOptions {
  /** The stack the file is generated from, named in its header. */
  readonly stack: string;
  /** The folder the file will be in: build contexts, bind mounts and files are written relative to it. */
  readonly baseDir: string;
  /** Extra header lines, e.g. placeholder images. */
  readonly notes?: readonly string[];
}

/** A secret file the user creates, and who reads it. */
export interface SecretFile {
  /** Relative to the compose file: `./secrets/<name>`. */
  readonly file: string;
  /** `service (uid N)` for every service that mounts it, sorted. */
  readonly readers: readonly string[];
}

export interface ComposeOutput {
  /** The compose file: a header comment, then the YAML document. */
  readonly text: string;
  /** The document itself (before `$` escaping), for tests and tools. */
  readonly document: ComposeDocument;
  /** Config files (never secret) to write beside the compose file: relative path → content. */
  readonly configFiles: Readonly<Record<string, string>>;
  /** The secret files the user must create. */
  readonly secretFiles: readonly SecretFile[];
}

export interface ComposeDocument {
  services: Record<string, Record<string, unknown>>;
  networks: Record<string, Record<string, unknown>>;
  volumes: Record<string, Record<string, unknown>>;
  secrets: Record<string, { file: string }>;
  configs: Record<string, { file: string }>;
}

/** Compose interpolates `$VAR` everywhere in the file; `$$` is a literal dollar. */
function escapeDollars(value: unknown): unknown {
  if (typeof value === "string") return value.replace(/\$/g, "$$$$");
  if (Array.isArray(value)) return value.map(escapeDollars);
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDollars(v)]));
  return value;
}

/**
 * Renders a stack's registrations (container target) as a Compose file.
 *
 * @throws when the registrations cannot be expressed: swarm services, replicas that differ, a
 *   secret input where a plain value goes, two secrets sharing a file name
 */
export function renderCompose(resources: readonly ComposeResource[], options: ComposeOptions): ComposeOutput {
  if (resources.some((r) => r.type === SWARM_SERVICE))
    throw new Error("the stack registers Swarm services; evaluate it on the container target");
  const files = carriedFiles(resources);
  const images = imageIndex(resources, options.baseDir);

  const networks = new Map<string, Record<string, unknown>>();
  const networkKeys = new Map<string, string>();
  const volumes = new Map<string, Record<string, unknown>>();
  const volumeKeys = new Map<string, string>();
  for (const r of resources) {
    if (r.type === NETWORK) {
      const name = String(plain(r.inputs.name, `name of network ${r.name}`));
      networkKeys.set(name, r.name);
      networks.set(r.name, {
        name,
        ...(r.inputs.driver !== undefined && { driver: r.inputs.driver }),
        internal: r.inputs.internal === true,
        labels: sortedObject(Object.entries(labelMap(r))),
      });
    }
    if (r.type === VOLUME) {
      const name = String(plain(r.inputs.name, `name of volume ${r.name}`));
      volumeKeys.set(name, r.name);
      volumes.set(r.name, {
        name,
        ...(r.inputs.driver !== undefined && { driver: r.inputs.driver }),
        labels: sortedObject(Object.entries(labelMap(r))),
      });
    }
  }

  // Each service's replicas, in replica order, and which service each container belongs to.
  const replicas = new Map<string, ComposeResource[]>();
  const serviceOfUrn = new Map<string, string>();
  for (const r of resources) {
    if (r.type !== CONTAINER) continue;
    const labels = labelMap(r);
    if (labels[LABEL.role] === "files") continue;
    const service = labels[LABEL.service];
    if (service === undefined) throw new Error(`container ${r.name} has no shipyard.service label`);
    replicas.set(service, [...(replicas.get(service) ?? []), r]);
    serviceOfUrn.set(r.urn, service);
  }
  const healthchecked = new Set(
    [...replicas].filter(([, rs]) => rs[0]!.inputs.healthcheck !== undefined).map(([s]) => s),
  );

  const ctx = { images, networkKeys, volumeKeys, baseDir: options.baseDir };
  const services = new Map<string, Record<string, unknown>>();
  for (const [service, list] of replicas) {
    const ordered = [...list].sort(
      (a, b) => Number(labelMap(a)[REPLICA_LABEL]) - Number(labelMap(b)[REPLICA_LABEL]),
    );
    const entries = ordered.map((r) => serviceEntry(r, service, labelMap(r)[REPLICA_LABEL] ?? "0", ctx));
    for (const [i, e] of entries.entries())
      if (JSON.stringify(e) !== JSON.stringify(entries[0]))
        throw new Error(`replica ${i} of ${service} differs from replica 0; Compose runs identical replicas`);
    const dependsOn = new Set<string>();
    for (const r of ordered)
      for (const urn of r.options.dependencies) {
        const other = serviceOfUrn.get(urn);
        if (other !== undefined && other !== service) dependsOn.add(other);
      }
    const secrets = files.serviceSecrets.get(service) ?? [];
    const configs = files.serviceConfigs.get(service) ?? [];
    services.set(service, {
      ...entries[0],
      ...(secrets.length > 0 && { secrets: [...secrets].sort() }),
      ...(configs.length > 0 && { configs }),
      ...(dependsOn.size > 0 && {
        depends_on: sortedObject(
          [...dependsOn].map((d) => [
            d,
            { condition: healthchecked.has(d) ? "service_healthy" : "service_started" },
          ]),
        ),
      }),
      deploy: { replicas: ordered.length },
    });
  }

  const secretFiles: SecretFile[] = [...files.secrets.keys()].sort().map((name) => ({
    file: `./secrets/${name}`,
    readers: [...files.secrets.get(name)!.readers].sort(),
  }));
  const configFiles = sortedObject([...files.configs].map(([name, c]) => [`configs/${name}`, c.content]));
  const document: ComposeDocument = {
    services: sortedObject(services),
    networks: sortedObject(networks),
    volumes: sortedObject(volumes),
    secrets: sortedObject([...files.secrets.keys()].map((name) => [name, { file: `./secrets/${name}` }])),
    configs: sortedObject([...files.configs.keys()].map((name) => [name, { file: `./configs/${name}` }])),
  };
  const text = `${header(options, secretFiles, Object.keys(configFiles))}\n${stringify(escapeDollars(document), { lineWidth: 0 })}`;
  for (const [name, secret] of files.secrets)
    if (text.includes(secret.content))
      throw new Error(`the value of secret ${name} would be written; refusing`);
  return { text, document, configFiles, secretFiles };
}

function header(options: ComposeOptions, secrets: readonly SecretFile[], configs: readonly string[]): string {
  const width = Math.max(0, ...secrets.map((s) => s.file.length));
  const lines = [
    `Generated by \`npm run compose -- ${options.stack}\` from the shipyard stack "${options.stack}",`,
    "evaluated on the container target. Regenerate it after changing the stack; README,",
    '"Run it without Pulumi", says what maps and what does not.',
    ...(options.notes ?? []).map((n) => `Note: ${n}`),
    "",
    "Secrets: create these files before `docker compose up`. Pulumi generates the passwords and keeps",
    "them in its state; they are never written here. Compose bind-mounts each file with its owner and",
    "mode on this host (it ignores uid/gid/mode for file secrets), so make each one readable by the",
    "uids listed, e.g. `chmod 0444`, and keep the secrets folder private to you (`chmod 0700`):",
    ...secrets.map((s) => `  ${s.file.padEnd(width)}  read by ${s.readers.join(", ")}`),
    ...(configs.length > 0
      ? [
          "",
          "Config files (not secret), written beside this file by `--out`:",
          ...configs.map((c) => `  ./${c}`),
        ]
      : []),
    "",
    "What Compose cannot express, and this file therefore lacks:",
    ...COMPOSE_LIMITS.flatMap((l) =>
      wrap(l, HEADER_WIDTH - 4).map((w, i) => `${i === 0 ? "  - " : "    "}${w}`),
    ),
  ];
  return lines.map((l) => (l === "" ? "#" : `# ${l}`)).join("\n");
}

const HEADER_WIDTH = 100;

/** Words in lines of at most `width` characters (a longer word stands alone). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  return [...lines, line];
}
