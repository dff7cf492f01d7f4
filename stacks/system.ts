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
import { Service, type PortMapping } from "../components/service";
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

/**
 * The reference system: web (nginx, the only service on the host) → api → postgres, redis and graph
 * (Neo4j), with monitoring (Prometheus) and backups of PostgreSQL and the graph; graph, monitoring
 * and backups can be turned off.
 *
 * Topology only: what differs between environments arrives in `profile`. Networks: `edge` (web ↔
 * api) and `data` (internal: api ↔ postgres/redis/graph, no route out). A data service that dev
 * publishes on the host also joins `host-access`, since Docker cannot publish a port of a
 * container that is only on an internal network.
 */
export function buildSystem(
  profile: Profile,
  secrets: SuppliedSecrets = {},
  opts: pulumi.ComponentResourceOptions = {},
): System {
  const prefix = profile.namePrefix;
  const target = profile.target;
  const labels = profile.labels;
  const published = (key: ServiceKey): PortMapping[] =>
    profile.services[key].hostPorts.map((p) => ({
      containerPort: p.container,
      hostPort: p.host,
      // Swarm's ingress cannot bind one address (the Service refuses one); containers bind this one.
      hostAddress: target === "swarm" ? undefined : profile.publishAddress,
    }));
  const swarm = target === "swarm";
  // One image for every service's file carrier (container target), built once.
  const platform = profile.platform;
  const filesImage = swarm
    ? undefined
    : new Image("files-carrier", { build: { ...FILES_CARRIER_BUILD, platform } }, opts);
  const settings = (key: ServiceKey) => ({
    memory: profile.services[key].memory,
    cpus: profile.services[key].cpus,
    restart: profile.restart,
    target,
    labels,
    filesImage,
    // Swarm names are global to the swarm, so they carry the stack's prefix; containers are auto-named.
    dockerName: swarm ? `${prefix}-${key}` : undefined,
  });
  const built: Partial<Record<ImageKey, Image>> = {};
  // One Image per image key: the backup gets the very Image postgres runs (catalog `imageOf`).
  const image = (key: ServiceKey): Image => {
    const own = imageKeyOf(key);
    const source = profile.images[own];
    return (built[own] ??= new Image(
      own,
      "build" in source
        ? { build: { ...source.build, platform } }
        : { ref: source.ref, pinning: profile.pinning },
      opts,
    ));
  };
  const supplied = (key: keyof SuppliedSecrets): Secret | undefined => {
    const value = secrets[key];
    return value === undefined
      ? undefined
      : new Secret(`${key}-password`, { value, target, dockerName: `${prefix}-${key}-password` }, opts);
  };
  const volume = (name: string, holdsData = true): Volume =>
    new Volume(name, { dockerName: `${prefix}-${name}`, retainData: profile.retainData, holdsData }, opts);

  const edge = new Network("edge", { dockerName: `${prefix}-edge`, tier: "edge", target }, opts);
  const data = new Network(
    "data",
    { dockerName: `${prefix}-data`, tier: "data", internal: true, target },
    opts,
  );
  const networks = [edge, data];
  const volumes: Volume[] = [];
  let hostAccess: Network | undefined;
  // Only for data-tier services: anything on `edge` can already publish.
  const accessFor = (key: ServiceKey): Network[] => {
    if (profile.services[key].hostPorts.length === 0) return [];
    hostAccess ??= new Network(
      "host-access",
      { dockerName: `${prefix}-host-access`, tier: "app", target },
      opts,
    );
    if (!networks.includes(hostAccess)) networks.push(hostAccess);
    return [hostAccess];
  };

  const services: Partial<Record<ServiceKey, Service>> = {};
  const images: Partial<Record<ImageKey, pulumi.Output<string>>> = {};
  let database: PostgresDatabase | undefined;
  let cache: RedisCache | undefined;
  let graph: Neo4jGraph | undefined;
  const extraDeps = (key: ServiceKey): Service[] =>
    profile.services[key].dependsOn.map((d) => services[d]).filter((s): s is Service => s !== undefined);

  for (const key of deploymentOrder(profile)) {
    const img = image(key);
    images[imageKeyOf(key)] = img.reference;
    switch (key) {
      case "postgres": {
        const pgdata = volume("pgdata");
        volumes.push(pgdata);
        database = new PostgresDatabase(
          "postgres",
          {
            image: img,
            network: data,
            extraNetworks: accessFor(key),
            volume: pgdata,
            password: supplied("postgres"),
            ports: published(key),
            ...settings(key),
          },
          opts,
        );
        services.postgres = database.service;
        break;
      }
      case "redis":
        cache = new RedisCache(
          "redis",
          { image: img, network: data, password: supplied("redis"), ...settings(key) },
          opts,
        );
        services.redis = cache.service;
        break;
      case "graph": {
        const graphData = volume("graph-data");
        volumes.push(graphData);
        graph = new Neo4jGraph(
          "graph",
          {
            image: img,
            network: data,
            volume: graphData,
            volumePrefix: `${prefix}-graph`,
            password: supplied("graph"),
            ...settings(key),
          },
          opts,
        );
        services.graph = graph.service;
        break;
      }
      case "api": {
        const reload = profile.hotReload;
        const source = profile.images.api;
        // Hot reload runs the dev stage of the same Dockerfile; `img`, the runtime build, stays the
        // image exported for promotion.
        const runs =
          reload && "build" in source
            ? new Image(
                "api-dev",
                {
                  build: {
                    ...source.build,
                    platform,
                    target: reload.buildTarget,
                    repository: `${source.build.repository}-dev`,
                  },
                },
                opts,
              )
            : img;
        services.api = new Service(
          "api",
          {
            image: runs,
            role: "app",
            replicas: profile.services.api.replicas,
            networks: [edge],
            connections: [database!, cache!, ...(graph ? [graph] : [])],
            env: {
              PORT: String(API_PORT),
              CACHE_TTL_SECONDS: "30",
              LOG_LEVEL: "info",
              ...profile.services.api.env,
            },
            ports: published(key),
            bindMounts: reload ? [{ source: reload.source, target: reload.target }] : [],
            command: reload?.command,
            dependsOn: extraDeps(key),
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
            ...settings(key),
          },
          opts,
        );
        break;
      }
      case "web":
        services.web = new Service(
          "web",
          {
            image: img,
            role: "proxy",
            user: "101:101",
            networks: [edge],
            env: { API_UPSTREAM: `api:${API_PORT}`, ...profile.services.web.env },
            ports: published(key),
            dependsOn: [services.api!, ...extraDeps(key)],
            // nginx writes its pid, temp files and the rendered config here (apps/web/README.md).
            tmpfs: {
              "/run/nginx": "rw,noexec,nosuid,size=1m,uid=101,gid=101",
            },
            healthcheck: {
              test: [
                "CMD",
                "wget",
                "-q",
                "-O",
                "/dev/null",
                `http://127.0.0.1:${WEB_CONTAINER_PORT}/healthz`,
              ],
              interval: "10s",
              timeout: "3s",
              retries: 3,
              startPeriod: "10s",
            },
            ...settings(key),
          },
          opts,
        );
        break;
      case "monitoring": {
        // Metrics history: kept (protected, retained) but not backed up; scraping rebuilds it.
        const tsdb = volume("prometheus-data", false);
        volumes.push(tsdb);
        services.monitoring = new Prometheus(
          "monitoring",
          {
            image: img,
            networks: [edge],
            volume: tsdb,
            targets: [{ service: services.api!, port: API_PORT }],
            ...settings(key),
          },
          opts,
        ).service;
        break;
      }
      case "backup": {
        // The dumps themselves: kept, not backed up again; copy them off the host (README, "Data").
        const backups = volume("pg-backups", false);
        volumes.push(backups);
        services.backup = new PostgresBackup(
          "backup",
          { database: database!, image: img, volume: backups, ...profile.backup, ...settings(key) },
          opts,
        ).service;
        break;
      }
      case "graph-backup": {
        // The exports: kept, not backed up again; copy them off the host (README, "Data").
        // Not `exports`: the CommonJS emit of the language host's ts-node refers to this module's
        // exported constants through `exports`, and a local of that name shadowed them for real.
        const graphExports = volume("graph-backups", false);
        volumes.push(graphExports);
        services["graph-backup"] = new Neo4jBackup(
          "graph-backup",
          {
            graph: graph!,
            image: img,
            ...GRAPH_BACKUP_TOOL,
            volume: graphExports,
            ...profile.backup,
            ...settings(key),
          },
          opts,
        ).service;
        break;
      }
    }
  }

  const web = profile.services.web.hostPorts[0]!;
  return { url: `http://${hostPort(profile.publishAddress, web.host)}`, images, services, networks, volumes };
}
