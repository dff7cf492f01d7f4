import * as pulumi from "@pulumi/pulumi";
import { FILES_CARRIER_BUILD } from "../components/file-carrier";
import { Image } from "../components/image";
import { Neo4jBackup } from "../components/neo4j-backup";
import { Neo4jGraph } from "../components/neo4j-graph";
import { Network } from "../components/network";
import { PostgresBackup } from "../components/postgres-backup";
import { PostgresDatabase } from "../components/postgres-database";
import { Prometheus } from "../components/prometheus";
import { RedisCache } from "../components/redis-cache";
import { Secret } from "../components/secret";
import { hostPort } from "../components/service-rules";
import { Service, type PortMapping, type ServiceRef } from "../components/service";
import { Volume } from "../components/volume";
import {
  CATALOG,
  findCycle,
  imageKeyOf,
  isEnabled,
  SERVICE_KEYS,
  type ImageKey,
  type ServiceKey,
} from "./catalog";
import { WEB_CONTAINER_PORT, type Profile } from "./profile";

/** The API's port inside its container. */
export const API_PORT = 8080;

/** The graph export tool the API image ships (apps/api/README.md, "Graph backup"). */
export const GRAPH_BACKUP_TOOL = {
  command: ["node", "dist/graph-backup.js", "run"],
  /** The image's node user, owner of `backupDir` in the image (apps/api/Dockerfile). */
  user: "1000:1000",
  backupDir: "/var/backups/graph",
} as const;

/** What the system exposes to the stack's outputs. */
export interface System {
  /** The URL the web answers on. */
  readonly url: string;
  /** Immutable image reference per deployed image key: what promotion copies. */
  readonly images: Readonly<Partial<Record<ImageKey, pulumi.Output<string>>>>;
  readonly services: Readonly<Partial<Record<ServiceKey, Service>>>;
  readonly networks: readonly Network[];
  readonly volumes: readonly Volume[];
}

/** The services a profile deploys, in an order where every dependency comes first. */
export function deploymentOrder(profile: Profile): ServiceKey[] {
  const enabled = SERVICE_KEYS.filter((key) => isEnabled(key, profile.features));
  const graph: Record<string, ServiceKey[]> = {};
  for (const key of enabled) {
    graph[key] = [...CATALOG[key].dependsOn, ...profile.services[key].dependsOn].filter((d) =>
      enabled.includes(d),
    );
  }
  const cycle = findCycle(graph);
  if (cycle) throw new Error(`service dependencies form a cycle: ${cycle.join(" → ")}`);
  const order: ServiceKey[] = [];
  const visit = (key: ServiceKey): void => {
    if (order.includes(key)) return;
    for (const dep of graph[key] ?? []) visit(dep);
    order.push(key);
  };
  enabled.forEach(visit);
  return order;
}

/** Secrets the stack config supplies; generated when absent. */
export type SuppliedSecrets = Readonly<
  Partial<Record<"postgres" | "redis" | "graph", pulumi.Output<string>>>
>;

/** What every service builder shares: the profile, the networks, and helpers over them. */
interface Build {
  readonly profile: Profile;
  readonly secrets: SuppliedSecrets;
  readonly opts: pulumi.ComponentResourceOptions;
  readonly edge: Network;
  readonly data: Network;
  /** The image `key` runs (built once per image key). */
  image(key: ServiceKey): Image;
  /** A named volume, protected and retained in prod. */
  volume(name: string, holdsData?: boolean): Volume;
  /** A supplied password as a Secret, or undefined to let the preset generate one. */
  supplied(key: keyof SuppliedSecrets): Secret | undefined;
  /** The host-access network for a data-tier service that publishes, else nothing. */
  accessFor(key: ServiceKey): Network[];
  /** What every service takes from the profile and config: resources, env, ports, dependsOn. */
  settings(key: ServiceKey): ProfileSettings;
  /** The services built so far. */
  readonly services: Partial<Record<ServiceKey, Service>>;
  readonly presets: { database?: PostgresDatabase; cache?: RedisCache; graph?: Neo4jGraph };
}

interface ProfileSettings {
  readonly memory: string;
  readonly cpus: string;
  readonly restart: Profile["restart"];
  readonly target: Profile["target"];
  readonly labels: Profile["labels"];
  readonly filesImage?: Image;
  readonly dockerName?: string;
  readonly env: Readonly<Record<string, string>>;
  readonly ports: PortMapping[];
  readonly dependsOn: ServiceRef[];
}

function buildPostgres(b: Build): Service {
  const pgdata = b.volume("pgdata");
  b.presets.database = new PostgresDatabase(
    "postgres",
    {
      image: b.image("postgres"),
      network: b.data,
      extraNetworks: b.accessFor("postgres"),
      volume: pgdata,
      password: b.supplied("postgres"),
      ...b.settings("postgres"),
    },
    b.opts,
  );
  return b.presets.database.service;
}

function buildRedis(b: Build): Service {
  b.presets.cache = new RedisCache(
    "redis",
    {
      image: b.image("redis"),
      network: b.data,
      extraNetworks: b.accessFor("redis"),
      password: b.supplied("redis"),
      ...b.settings("redis"),
    },
    b.opts,
  );
  return b.presets.cache.service;
}

function buildGraph(b: Build): Service {
  b.presets.graph = new Neo4jGraph(
    "graph",
    {
      image: b.image("graph"),
      network: b.data,
      extraNetworks: b.accessFor("graph"),
      volume: b.volume("graph-data"),
      password: b.supplied("graph"),
      ...b.settings("graph"),
    },
    b.opts,
  );
  return b.presets.graph.service;
}

function buildApi(b: Build): Service {
  const reload = b.profile.hotReload;
  const source = b.profile.images.api!;
  const img = b.image("api");
  // Hot reload runs the dev stage of the same Dockerfile; `img`, the runtime build, stays the
  // image exported for promotion.
  const runs =
    reload && "build" in source
      ? new Image(
          "api-dev",
          {
            build: {
              ...source.build,
              platform: b.profile.platform,
              target: reload.buildTarget,
              repository: `${source.build.repository}-dev`,
            },
          },
          b.opts,
        )
      : img;
  const { env, ...settings } = b.settings("api");
  const { database, cache, graph } = b.presets;
  return new Service(
    "api",
    {
      image: runs,
      role: CATALOG.api.role,
      replicas: b.profile.services.api.replicas,
      networks: [b.edge],
      connections: [database!, cache!, ...(graph ? [graph] : [])],
      env: { PORT: String(API_PORT), ...CATALOG.api.defaultEnv, ...env },
      bindMounts: reload ? [{ source: reload.source, target: reload.target }] : [],
      command: reload?.command,
      healthcheck: {
        test: [
          "CMD",
          "node",
          "-e",
          `fetch('http://127.0.0.1:${API_PORT}/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
        ],
        interval: "10s",
        timeout: "5s",
        retries: 3,
        // The API retries its database migration for about 30 s before giving up.
        startPeriod: "30s",
      },
      ...settings,
    },
    b.opts,
  );
}

function buildWeb(b: Build): Service {
  const { env, dependsOn, ...settings } = b.settings("web");
  return new Service(
    "web",
    {
      image: b.image("web"),
      role: CATALOG.web.role,
      replicas: b.profile.services.web.replicas,
      user: "101:101",
      networks: [b.edge],
      // Routed to the api by object: API_UPSTREAM=api:8080, started once the api is healthy.
      connections: [b.services.api!.endpoint(API_PORT, { env: "API_UPSTREAM" })],
      env,
      dependsOn,
      // nginx writes its pid, temp files and the rendered config here (apps/web/README.md).
      tmpfs: {
        "/run/nginx": "rw,noexec,nosuid,size=1m,uid=101,gid=101",
      },
      healthcheck: {
        test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${WEB_CONTAINER_PORT}/healthz`],
        interval: "10s",
        timeout: "3s",
        retries: 3,
        startPeriod: "10s",
      },
      ...settings,
    },
    b.opts,
  );
}

function buildMonitoring(b: Build): Service {
  // Metrics history: kept (protected, retained) but not backed up; scraping rebuilds it.
  return new Prometheus(
    "monitoring",
    {
      image: b.image("monitoring"),
      networks: [b.edge],
      volume: b.volume("prometheus-data", false),
      targets: [{ service: b.services.api!, port: API_PORT }],
      ...b.settings("monitoring"),
    },
    b.opts,
  ).service;
}

function buildBackup(b: Build): Service {
  // The dumps themselves: kept, not backed up again; copy them off the host (README, "Data").
  return new PostgresBackup(
    "backup",
    {
      database: b.presets.database!,
      image: b.image("backup"),
      volume: b.volume("pg-backups", false),
      ...b.profile.backup,
      ...b.settings("backup"),
    },
    b.opts,
  ).service;
}

function buildGraphBackup(b: Build): Service {
  // The exports: kept, not backed up again; copy them off the host (README, "Data").
  // Not `exports`: the CommonJS emit of the language host's ts-node refers to this module's
  // exported constants through `exports`, and a local of that name shadowed them for real.
  const graphExports = b.volume("graph-backups", false);
  return new Neo4jBackup(
    "graph-backup",
    {
      graph: b.presets.graph!,
      image: b.image("graph-backup"),
      ...GRAPH_BACKUP_TOOL,
      volume: graphExports,
      ...b.profile.backup,
      ...b.settings("graph-backup"),
    },
    b.opts,
  ).service;
}

/**
 * Lets the SDK send the resources built so far before the program builds more. The engine checks
 * and diffs resources one at a time, and the SDK sends nothing while the program runs without a
 * pause: built in one go, the whole system reached the engine only after the last service was
 * built (about 0.5 s into a no-op preview of dev here), which then worked through it alone.
 */
function handOver(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** How each service of the catalog is built, in terms of the shared {@link Build}. */
const BUILDERS: Readonly<Record<ServiceKey, (b: Build) => Service>> = {
  postgres: buildPostgres,
  redis: buildRedis,
  graph: buildGraph,
  api: buildApi,
  web: buildWeb,
  monitoring: buildMonitoring,
  backup: buildBackup,
  "graph-backup": buildGraphBackup,
};

/**
 * The reference system: web (nginx, the only service on the host) → api → postgres, redis and graph
 * (Neo4j), with monitoring (Prometheus) and backups of PostgreSQL and the graph; graph, monitoring
 * and backups can be turned off.
 *
 * Topology only: what differs between environments arrives in `profile`. Networks: `edge` (web ↔
 * api) and `data` (internal: api ↔ postgres/redis/graph, no route out). A data service that
 * publishes on the host also joins `host-access`, since Docker cannot publish a port of a
 * container that is only on an internal network. Every service gets the `env`, `ports`,
 * `dependsOn` (and, where stateless, `replicas`) config gave it.
 *
 * Resolves once every service is built; it hands what is built to the engine service by service
 * ({@link handOver}).
 */
export async function buildSystem(
  profile: Profile,
  secrets: SuppliedSecrets = {},
  opts: pulumi.ComponentResourceOptions = {},
): Promise<System> {
  const prefix = profile.namePrefix;
  const target = profile.target;
  const swarm = target === "swarm";
  // One image for every service's file carrier (container target), built once.
  const filesImage = swarm
    ? undefined
    : new Image("files-carrier", { build: { ...FILES_CARRIER_BUILD, platform: profile.platform } }, opts);
  const built: Partial<Record<ImageKey, Image>> = {};
  const volumes: Volume[] = [];
  const networks = [
    new Network("edge", { dockerName: `${prefix}-edge`, tier: "edge", target }, opts),
    new Network("data", { dockerName: `${prefix}-data`, tier: "data", internal: true, target }, opts),
  ];
  let hostAccess: Network | undefined;
  const services: Partial<Record<ServiceKey, Service>> = {};

  const b: Build = {
    profile,
    secrets,
    opts,
    edge: networks[0]!,
    data: networks[1]!,
    services,
    presets: {},
    // One Image per image key: the backup gets the very Image postgres runs (catalog `imageOf`).
    image: (key) => {
      const own = imageKeyOf(key);
      const source = profile.images[own]!;
      return (built[own] ??= new Image(
        own,
        "build" in source
          ? { build: { ...source.build, platform: profile.platform } }
          : { ref: source.ref, pinning: profile.pinning },
        opts,
      ));
    },
    volume: (name, holdsData = true) => {
      const volume = new Volume(
        name,
        { dockerName: `${prefix}-${name}`, retainData: profile.retainData, holdsData },
        opts,
      );
      volumes.push(volume);
      return volume;
    },
    supplied: (key) => {
      const value = secrets[key];
      return value === undefined
        ? undefined
        : new Secret(`${key}-password`, { value, target, dockerName: `${prefix}-${key}-password` }, opts);
    },
    // Only for data-tier services: anything on `edge` can already publish.
    accessFor: (key) => {
      if (profile.services[key].hostPorts.length === 0) return [];
      hostAccess ??= new Network(
        "host-access",
        { dockerName: `${prefix}-host-access`, tier: "app", target },
        opts,
      );
      if (!networks.includes(hostAccess)) networks.push(hostAccess);
      return [hostAccess];
    },
    settings: (key) => {
      const s = profile.services[key];
      return {
        memory: s.memory,
        cpus: s.cpus,
        restart: profile.restart,
        target,
        labels: profile.labels,
        filesImage,
        // Swarm names are global to the swarm, so they carry the stack's prefix; containers are auto-named.
        dockerName: swarm ? `${prefix}-${key}` : undefined,
        env: s.env,
        ports: s.hostPorts.map((p) => ({
          containerPort: p.container,
          hostPort: p.host,
          // Swarm's ingress cannot bind one address (the Service refuses one); containers bind this one.
          hostAddress: swarm ? undefined : profile.publishAddress,
        })),
        dependsOn: s.dependsOn.map((d) => services[d]).filter((x): x is Service => x !== undefined),
      };
    },
  };

  const images: Partial<Record<ImageKey, pulumi.Output<string>>> = {};
  for (const key of deploymentOrder(profile)) {
    await handOver();
    services[key] = BUILDERS[key](b);
    images[imageKeyOf(key)] = b.image(key).reference;
  }
  const web = profile.services.web.hostPorts[0]!;
  return { url: `http://${hostPort(profile.publishAddress, web.host)}`, images, services, networks, volumes };
}
