/**
 * A Compose Specification file from what a stack registers on the container target: the same
 * services, networks, volumes, images and files, for running the system where Pulumi is not.
 * Pure: it reads recorded registrations (made under the mock engine, whose image ids
 * {@link mockRemoteImageId} gives), the way scripts/review/diagram.ts does.
 *
 * Secret values never reach the output: secrets become `file:` references the user creates, an
 * input recorded as secret is refused where it would be written, and the finished text is checked
 * for every secret file's content.
 */
import * as path from "node:path";
import { stringify } from "yaml";
import { mockRemoteImageId, unwrapSecret, isSecretInput } from "../../infra/offline";
import { COMPOSE_LIMITS } from "./limits";

export interface ComposeResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly options: { readonly dependencies: readonly string[] };
}

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

const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
const VOLUME = "docker:index/volume:Volume";
const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
const BUILT_IMAGE = "docker:index/image:Image";
const SWARM_SERVICE = "docker:index/service:Service";
const SECRETS_DIR = "/run/secrets/";
/** Labels that differ per replica: Compose numbers its containers itself. */
const REPLICA_LABEL = "shipyard.replica";

interface Upload {
  file: string;
  content: string;
  owner: string;
  permissions: string;
}
interface Mount {
  type: string;
  source?: string;
  target: string;
  readOnly?: boolean;
}

/** A recorded input that may be written out: refuses a secret one, naming where it was. */
function plain(value: unknown, where: string): unknown {
  if (isSecretInput(value)) throw new Error(`${where} is secret; it cannot be written into a compose file`);
  return value;
}

function labelMap(r: ComposeResource): Record<string, string> {
  const list = (plain(r.inputs.labels, `labels of ${r.name}`) as { label: string; value: string }[]) ?? [];
  return Object.fromEntries(list.map((l) => [l.label, l.value]));
}

function sortedObject<T>(entries: Iterable<[string, T]>): Record<string, T> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A path as the compose file refers to it: relative to its folder, `./`-prefixed. */
function relativeTo(baseDir: string, target: string): string {
  const relative = path.relative(baseDir, target);
  if (relative === "") return ".";
  if (path.isAbsolute(relative) || relative.startsWith("..")) return relative;
  return `./${relative}`;
}

/** Compose interpolates `$VAR` everywhere in the file; `$$` is a literal dollar. */
function escapeDollars(value: unknown): unknown {
  if (typeof value === "string") return value.replace(/\$/g, "$$$$");
  if (Array.isArray(value)) return value.map(escapeDollars);
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDollars(v)]));
  return value;
}

/** What the carriers (`shipyard.role=files`) deliver: secrets, configs, and the volumes they fill. */
function carriedFiles(resources: readonly ComposeResource[]) {
  const secrets = new Map<string, { content: string; readers: Set<string> }>();
  const serviceSecrets = new Map<string, string[]>();
  const configs = new Map<string, { content: string; target: string }>();
  const serviceConfigs = new Map<string, { source: string; target: string }[]>();
  const fileVolumes = new Set<string>();
  for (const r of resources) {
    if (r.type !== CONTAINER) continue;
    const labels = labelMap(r);
    if (labels["shipyard.role"] !== "files") continue;
    const service = labels["shipyard.files-for"];
    if (service === undefined) throw new Error(`file carrier ${r.name} has no shipyard.files-for label`);
    for (const m of (plain(r.inputs.mounts, `mounts of ${r.name}`) as Mount[] | undefined) ?? [])
      if (m.source !== undefined) fileVolumes.add(m.source);
    // Read to compare and to guard the output; a secret upload's content is never written.
    const uploads = (unwrapSecret(r.inputs.uploads).value as Upload[] | undefined) ?? [];
    for (const u of uploads) {
      const name = path.posix.basename(u.file);
      if (u.file.startsWith(SECRETS_DIR) || u.permissions === "0400") {
        if (u.file !== `${SECRETS_DIR}${name}`)
          throw new Error(`secret file ${u.file} of ${service} is not directly under ${SECRETS_DIR}`);
        const known = secrets.get(name);
        if (known !== undefined && known.content !== u.content)
          throw new Error(`two different secrets are named ${name}; Compose has one namespace for secrets`);
        const entry = known ?? { content: u.content, readers: new Set<string>() };
        entry.readers.add(`${service} (uid ${u.owner})`);
        secrets.set(name, entry);
        serviceSecrets.set(service, [...(serviceSecrets.get(service) ?? []), name]);
      } else {
        const source = `${service}-${name}`;
        configs.set(source, { content: u.content, target: u.file });
        serviceConfigs.set(service, [...(serviceConfigs.get(service) ?? []), { source, target: u.file }]);
      }
    }
  }
  for (const [source, config] of configs)
    for (const [name, secret] of secrets)
      if (config.content.includes(secret.content))
        throw new Error(`config file ${source} holds the value of secret ${name}; deliver it as a Secret`);
  return { secrets, serviceSecrets, configs, serviceConfigs, fileVolumes };
}

/** The image a container runs: the exact reference, or the build that makes it. */
function imageIndex(resources: readonly ComposeResource[], baseDir: string) {
  const builds = new Map<string, Record<string, unknown>>();
  for (const r of resources) {
    if (r.type !== BUILT_IMAGE) continue;
    const build = r.inputs.build as { context: string; dockerfile?: string; target?: string; args?: object };
    const context = relativeTo(baseDir, build.context);
    const dockerfile =
      build.dockerfile === undefined || build.dockerfile === path.join(build.context, "Dockerfile")
        ? undefined
        : path.relative(build.context, build.dockerfile);
    const args =
      build.args && Object.keys(build.args).length > 0 ? sortedObject(Object.entries(build.args)) : undefined;
    builds.set(String(r.inputs.imageName), {
      context,
      ...(dockerfile !== undefined && { dockerfile }),
      ...(build.target !== undefined && { target: build.target }),
      ...(args !== undefined && { args }),
    });
  }
  const images = new Map<string, { image: string; build?: Record<string, unknown> }>();
  for (const r of resources) {
    if (r.type !== REMOTE_IMAGE) continue;
    const ref = String(plain(r.inputs.name, `image ${r.name}`));
    const build = builds.get(ref);
    images.set(mockRemoteImageId(ref), { image: ref, ...(build && { build }) });
  }
  return images;
}

/** One replica's service entry, without what only the group of replicas knows. */
function serviceEntry(
  r: ComposeResource,
  service: string,
  replica: string,
  ctx: {
    images: Map<string, { image: string; build?: Record<string, unknown> }>;
    networkKeys: Map<string, string>;
    volumeKeys: Map<string, string>;
    fileVolumes: Set<string>;
    baseDir: string;
  },
): Record<string, unknown> {
  const input = <T>(key: string): T => plain(r.inputs[key], `${key} of ${r.name}`) as T;
  const image = ctx.images.get(input<string>("image"));
  if (image === undefined) throw new Error(`container ${r.name} runs an image no RemoteImage registered`);
  const labels = labelMap(r);
  delete labels[REPLICA_LABEL];
  const env = (input<string[] | undefined>("envs") ?? []).map((e) => [
    e.slice(0, e.indexOf("=")),
    e.slice(e.indexOf("=") + 1),
  ]);
  const healthcheck = input<
    | { tests: string[]; interval?: string; timeout?: string; retries?: number; startPeriod?: string }
    | undefined
  >("healthcheck");
  const capabilities = input<{ drops?: string[]; adds?: string[] } | undefined>("capabilities");
  const memory = input<number | undefined>("memory");
  const memorySwap = input<number | undefined>("memorySwap");
  const restart = input<string | undefined>("restart");
  const maxRetries = input<number | undefined>("maxRetryCount");
  const stopTimeout = input<number | undefined>("stopTimeout");
  const logOpts = input<Record<string, string> | undefined>("logOpts");
  const mounts = input<Mount[] | undefined>("mounts") ?? [];
  const tmpfs = input<Record<string, string> | undefined>("tmpfs") ?? {};
  const ports =
    input<{ internal: number; external?: number; ip?: string; protocol?: string }[] | undefined>("ports") ??
    [];
  const networks = input<{ name: string; aliases?: string[] }[] | undefined>("networksAdvanced") ?? [];

  const volumes = mounts
    .filter((m) => !(m.type === "volume" && m.source !== undefined && ctx.fileVolumes.has(m.source)))
    .map((m) => {
      if (m.type !== "volume" && m.type !== "bind")
        throw new Error(`container ${r.name} has a ${m.type} mount, which this renderer does not map`);
      const source =
        m.type === "bind"
          ? relativeTo(ctx.baseDir, m.source!)
          : (ctx.volumeKeys.get(m.source!) ??
            (() => {
              throw new Error(`container ${r.name} mounts volume ${m.source}, which no Volume registered`);
            })());
      return { type: m.type, source, target: m.target, ...(m.readOnly === true && { read_only: true }) };
    });

  const entry: Record<string, unknown> = {
    image: image.image,
    ...(image.build && { build: image.build }),
    ...(r.inputs.command !== undefined && { command: input("command") }),
    ...(r.inputs.entrypoints !== undefined && { entrypoint: input("entrypoints") }),
    ...(r.inputs.user !== undefined && { user: input("user") }),
    ...(r.inputs.init !== undefined && { init: input("init") }),
    ...(r.inputs.readOnly !== undefined && { read_only: input("readOnly") }),
    ...(Object.keys(tmpfs).length > 0 && {
      tmpfs: Object.keys(tmpfs)
        .sort()
        .map((dir) => (tmpfs[dir] ? `${dir}:${tmpfs[dir]}` : dir)),
    }),
    ...(capabilities?.drops?.length && { cap_drop: capabilities.drops }),
    ...(capabilities?.adds?.length && { cap_add: capabilities.adds }),
    ...(r.inputs.securityOpts !== undefined && { security_opt: input("securityOpts") }),
    ...(memory !== undefined && { mem_limit: `${memory}m` }),
    ...(memorySwap !== undefined && { memswap_limit: `${memorySwap}m` }),
    ...(r.inputs.cpus !== undefined && { cpus: Number(input("cpus")) }),
    ...(restart !== undefined && {
      restart: restart === "on-failure" && maxRetries ? `on-failure:${maxRetries}` : restart,
    }),
    ...(healthcheck && {
      healthcheck: {
        test: healthcheck.tests,
        ...(healthcheck.interval !== undefined && { interval: healthcheck.interval }),
        ...(healthcheck.timeout !== undefined && { timeout: healthcheck.timeout }),
        ...(healthcheck.retries !== undefined && { retries: healthcheck.retries }),
        ...(healthcheck.startPeriod !== undefined && { start_period: healthcheck.startPeriod }),
      },
    }),
    ...(stopTimeout !== undefined && { stop_grace_period: `${stopTimeout}s` }),
    ...(r.inputs.logDriver !== undefined && {
      logging: {
        driver: input("logDriver"),
        ...(logOpts && { options: sortedObject(Object.entries(logOpts)) }),
      },
    }),
    labels: sortedObject(Object.entries(labels)),
    ...(env.length > 0 && { environment: sortedObject(env as [string, string][]) }),
    ...(ports.length > 0 && {
      ports: ports.map((p) => ({
        target: p.internal,
        ...(p.external !== undefined && { published: p.external }),
        ...(p.ip !== undefined && { host_ip: p.ip }),
        protocol: p.protocol ?? "tcp",
      })),
    }),
    networks: sortedObject(
      networks.map((n) => {
        const key = ctx.networkKeys.get(n.name);
        if (key === undefined)
          throw new Error(`container ${r.name} joins network ${n.name}, which no Network registered`);
        // `<service>-<i>` names one replica; Compose cannot give replicas their own aliases.
        const aliases = (n.aliases ?? []).filter((a) => a !== `${service}-${replica}`);
        return [key, aliases.length > 0 ? { aliases } : {}];
      }),
    ),
    ...(volumes.length > 0 && { volumes }),
  };
  return entry;
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
      if (files.fileVolumes.has(name)) continue;
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
    if (labels["shipyard.role"] === "files") continue;
    const service = labels["shipyard.service"];
    if (service === undefined) throw new Error(`container ${r.name} has no shipyard.service label`);
    replicas.set(service, [...(replicas.get(service) ?? []), r]);
    serviceOfUrn.set(r.urn, service);
  }
  const healthchecked = new Set(
    [...replicas].filter(([, rs]) => rs[0]!.inputs.healthcheck !== undefined).map(([s]) => s),
  );

  const ctx = { images, networkKeys, volumeKeys, fileVolumes: files.fileVolumes, baseDir: options.baseDir };
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
