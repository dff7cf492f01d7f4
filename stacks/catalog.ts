import { NEO4J_MIN_MEMORY, NEO4J_WEAKENING } from "../components/neo4j-graph";
import { POSTGRES_WEAKENING } from "../components/postgres-database";
import { REDIS_RULES } from "../components/redis-cache";
import type { ServiceRole } from "../components/service-args";

/**
 * The services of the reference system, declared once: what each is, what its image needs, which
 * `services.<name>` settings make sense for it and what would weaken it. Config validation
 * (infra/config.ts) checks stack config against this; stacks/system.ts builds from it. A new
 * service is one entry here plus its wiring in system.ts.
 *
 * This module imports nothing from `infra/` or the rest of `stacks/`: it is the declaration both
 * read, so data flows config → stacks → components with no arrow back.
 */

/** The services of the reference system, in a stable order (README, reports, errors). */
export const SERVICE_KEYS = [
  "postgres",
  "redis",
  "graph",
  "api",
  "web",
  "monitoring",
  "backup",
  "graph-backup",
] as const;
export type ServiceKey = (typeof SERVICE_KEYS)[number];

/** The optional parts of the system (`shipyard:features`). */
export type Feature = "graph" | "monitoring" | "backups";

/** A `services.<name>` setting. */
export type Setting = "replicas" | "memory" | "cpus" | "env" | "dependsOn" | "ports";

export interface ServiceEntry {
  /** What it is for: the `shipyard.role` label, read by policy and review. */
  readonly role: ServiceRole;
  /**
   * Why it runs exactly one replica, for a service that holds state (data, a lock, a schedule);
   * undefined for a stateless service, which takes `replicas`.
   */
  readonly oneReplica?: string;
  /** The features that must all be on for it to run; empty means it always runs. */
  readonly features: readonly Feature[];
  /** Built-in dependencies: services that must be healthy before it starts. */
  readonly dependsOn: readonly ServiceKey[];
  /**
   * The service whose image it runs (the backup's `pg_dump` must be the server's version; the
   * graph's export tool ships in the API image). Such a service has no `images` key of its own.
   */
  readonly imageOf?: ServiceKey;
  /** Where its image comes from: built from `apps/` and promoted, or an upstream image. */
  readonly imageSource: "apps" | "upstream";
  /** The smallest memory limit its image starts and does its job with. */
  readonly minMemory: string;
  /**
   * Whether it may publish host ports: `app` anywhere, `data` (a database, cache or graph) only
   * outside prod (SHIP-5: prod never publishes the data tier), `none` for a job that listens on
   * nothing.
   */
  readonly publish: "app" | "data" | "none";
  /**
   * Env its component sets and its wiring relies on: config may not set these keys (the value
   * would be ignored or would break the wiring).
   */
  readonly ownEnv: readonly string[];
  /** Env the system sets by default that config may override (merged, config wins). */
  readonly defaultEnv: Readonly<Record<string, string>>;
  /** Env keys that would weaken the service, each with what it would turn off. */
  readonly weakeningEnv: Readonly<Record<string, string>>;
  /** Env values that would weaken the service, whatever the key, each with what it would turn off. */
  readonly weakeningValues: readonly { readonly pattern: RegExp; readonly reason: string }[];
}

const DATABASE_CONNECTION = [
  "DATABASE_HOST",
  "DATABASE_PORT",
  "DATABASE_NAME",
  "DATABASE_USER",
  "DATABASE_PASSWORD_FILE",
];
const REDIS_CONNECTION = ["REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD_FILE"];
const GRAPH_CONNECTION = ["GRAPH_URL", "GRAPH_USER", "GRAPH_PASSWORD_FILE"];
const BACKUP_SCHEDULE = ["BACKUP_DIR", "BACKUP_INTERVAL_MINUTES", "BACKUP_RETENTION"];
const NODE_TLS = {
  NODE_TLS_REJECT_UNAUTHORIZED: "`0` turns off TLS certificate checks for every outgoing connection",
};

/**
 * The catalog. Minimum memories are what the image needs to start and serve a small load; the
 * environments' defaults (stacks/dev.ts, stacks/prod.ts) are well above them.
 */
export const CATALOG: Readonly<Record<ServiceKey, ServiceEntry>> = {
  postgres: {
    imageSource: "upstream",
    role: "database",
    oneReplica: "two servers would share one data directory (pgdata) and corrupt it",
    features: [],
    dependsOn: [],
    // initdb and an idle server take about 30 MB; below 64m initdb's bootstrap is OOM-killed.
    minMemory: "64m",
    publish: "data",
    ownEnv: ["POSTGRES_DB", "POSTGRES_USER", "PGDATA", "POSTGRES_PASSWORD_FILE"],
    defaultEnv: {},
    weakeningEnv: POSTGRES_WEAKENING,
    weakeningValues: [],
  },
  redis: {
    imageSource: "upstream",
    role: "cache",
    oneReplica:
      "each replica would be a separate cache with its own memory and no replication, so clients would see misses and stale keys",
    features: [],
    dependsOn: [],
    // redis-server idles at a few MB; its maxmemory is 75% of the limit, so 16m leaves a 12 MB cache.
    minMemory: "16m",
    publish: "data",
    ownEnv: [],
    defaultEnv: {},
    weakeningEnv: REDIS_RULES.weakening,
    weakeningValues: REDIS_RULES.weakeningValues,
  },
  graph: {
    imageSource: "upstream",
    role: "graph",
    oneReplica: "two Neo4j servers would share one store (/data); Community has no clustering",
    features: ["graph"],
    dependsOn: [],
    // Neo4jGraph's floor: heap (50%) and page cache (25%) need at least this.
    minMemory: NEO4J_MIN_MEMORY,
    publish: "data",
    ownEnv: [
      "NEO4J_AUTH_FILE",
      "NEO4J_server_memory_heap_initial__size",
      "NEO4J_server_memory_heap_max__size",
      "NEO4J_server_memory_pagecache_size",
      "NEO4J_server_http_enabled",
    ],
    defaultEnv: {},
    weakeningEnv: NEO4J_WEAKENING,
    weakeningValues: [],
  },
  api: {
    imageSource: "apps",
    role: "app",
    features: [],
    dependsOn: ["postgres", "redis", "graph"],
    // Node 20 with the API's modules loaded starts at about 50 MB resident.
    minMemory: "64m",
    publish: "app",
    ownEnv: ["PORT", ...DATABASE_CONNECTION, ...REDIS_CONNECTION, ...GRAPH_CONNECTION],
    defaultEnv: { CACHE_TTL_SECONDS: "30", LOG_LEVEL: "info" },
    weakeningEnv: NODE_TLS,
    weakeningValues: [],
  },
  web: {
    imageSource: "apps",
    role: "proxy",
    features: [],
    dependsOn: ["api"],
    // nginx-unprivileged's master and one worker take a few MB.
    minMemory: "16m",
    publish: "app",
    ownEnv: ["API_UPSTREAM"],
    defaultEnv: {},
    weakeningEnv: {},
    weakeningValues: [],
  },
  monitoring: {
    imageSource: "upstream",
    role: "monitoring",
    oneReplica: "two Prometheus servers would share one TSDB volume, which it locks",
    features: ["monitoring"],
    dependsOn: ["api"],
    // Prometheus 3 starts at about 40 MB with the handful of series shipyard scrapes.
    minMemory: "64m",
    publish: "app",
    ownEnv: [],
    defaultEnv: {},
    weakeningEnv: {},
    weakeningValues: [],
  },
  backup: {
    imageSource: "upstream",
    role: "backup",
    oneReplica: "two schedulers would dump at the same time and prune each other's dumps",
    features: ["backups"],
    dependsOn: ["postgres"],
    imageOf: "postgres",
    // sh, sleep and one pg_dump of a small database.
    minMemory: "32m",
    publish: "none",
    ownEnv: [...BACKUP_SCHEDULE, ...DATABASE_CONNECTION],
    defaultEnv: {},
    weakeningEnv: {},
    weakeningValues: [],
  },
  "graph-backup": {
    imageSource: "apps",
    role: "backup",
    oneReplica: "two schedulers would export at the same time and prune each other's exports",
    features: ["graph", "backups"],
    dependsOn: ["graph"],
    imageOf: "api",
    // Node with the Neo4j driver streaming an export takes about 100 MB.
    minMemory: "128m",
    publish: "none",
    ownEnv: [...BACKUP_SCHEDULE, ...GRAPH_CONNECTION],
    defaultEnv: {},
    weakeningEnv: NODE_TLS,
    weakeningValues: [],
  },
};

/** The settings `services.<name>` accepts for a service. */
export function settingsOf(key: ServiceKey): readonly Setting[] {
  const entry = CATALOG[key];
  return [
    ...(entry.oneReplica === undefined ? (["replicas"] as const) : []),
    "memory",
    "cpus",
    "env",
    "dependsOn",
    ...(entry.publish === "none" ? [] : (["ports"] as const)),
  ];
}

export { MAX_REPLICAS } from "../components/service-rules";

/** Services that run another service's image: the backup runs postgres', graph-backup the api's. */
export const IMAGE_OF = Object.fromEntries(
  SERVICE_KEYS.flatMap((key) => (CATALOG[key].imageOf ? [[key, CATALOG[key].imageOf]] : [])),
) as Readonly<Partial<Record<ServiceKey, ServiceKey>>>;

/** Services with an image of their own: the keys of `images` in config and in the stack's outputs. */
export type ImageKey = Exclude<ServiceKey, "backup" | "graph-backup">;
export const IMAGE_KEYS: readonly ImageKey[] = SERVICE_KEYS.filter(
  (key): key is ImageKey => CATALOG[key].imageOf === undefined,
);

/** The service whose image `key` runs: itself, or the one its entry names. */
export function imageKeyOf(key: ServiceKey): ImageKey {
  return (CATALOG[key].imageOf ?? key) as ImageKey;
}

/** Whether a service runs with these features on. */
export function isEnabled(key: ServiceKey, features: Readonly<Record<Feature, boolean>>): boolean {
  return CATALOG[key].features.every((f) => features[f]);
}

/** Finds one dependency cycle and returns its path (`a → b → a`), or undefined. */
export function findCycle(graph: Readonly<Record<string, readonly string[]>>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "visiting") return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, "visiting");
    stack.push(node);
    for (const next of graph[node] ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of Object.keys(graph).sort()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}
