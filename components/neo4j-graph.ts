import * as pulumi from "@pulumi/pulumi";
import type { Image } from "./image";
import type { Network } from "./network";
import { Secret } from "./secret";
import { presetEnv, presetSecret, presetServiceArgs, type PresetArgs } from "./preset";
import { Service, type Connectable, type Connection } from "./service";
import { memoryProblems } from "./service-rules";
import { formatMemory, parseMemory } from "./units";
import type { Volume } from "./volume";

/** How a {@link Neo4jGraph} runs. */
export interface Neo4jGraphArgs extends PresetArgs {
  /** A `neo4j:<version>` image. */
  readonly image: Image;
  /** The data-tier network consumers share with the graph. */
  readonly network: Network;
  /** The store (`/data`): what backups cover. */
  readonly volume: Volume;
  /** @default - a generated 32-character secret */
  readonly password?: Secret;
  /**
   * Container memory limit. Heap takes 50% and the page cache 25%, leaving a quarter for the JVM's
   * off-heap memory and the OS, so the limit is never exceeded by configuration.
   *
   * @default "1g"
   */
  readonly memory?: string;
  /** @default "1" */
  readonly cpus?: string;
}

/** Env that would weaken Neo4j, with what each turns off. */
export const NEO4J_WEAKENING: Readonly<Record<string, string>> = {
  NEO4J_AUTH: "`none` turns authentication off (the credentials come from NEO4J_AUTH_FILE)",
  NEO4J_dbms_security_auth__enabled: "`false` turns authentication off",
  NEO4J_dbms_security_procedures_unrestricted: "it lets procedures bypass the security sandbox",
};

/** The neo4j image's neo4j user and group. */
export const NEO4J_UID = "7474:7474";
/** The image's NEO4J_HOME. */
export const NEO4J_HOME = "/var/lib/neo4j";

/** The smallest container memory the graph runs with: heap and page cache need their share of it. */
export const NEO4J_MIN_MEMORY = "512m";

/** Heap and page cache for a container memory limit: 50% and 25%, in whole megabytes. */
export function neo4jMemory(memory: string): { heap: string; pageCache: string } {
  for (const problem of memoryProblems(memory, NEO4J_MIN_MEMORY, "heap and page cache"))
    throw new Error(`Neo4jGraph: \`memory\` ${problem}`);
  const mb = Math.floor((parseMemory(memory) as { bytes: number }).bytes / (1024 * 1024));
  const toSize = (fraction: number): string => formatMemory(Math.floor(mb * fraction) * 1024 * 1024);
  return { heap: toSize(0.5), pageCache: toSize(0.25) };
}

/**
 * Neo4j with its store on a named volume and its credentials in a secret file (`NEO4J_AUTH_FILE`),
 * on a read-only root filesystem. Bolt only: the HTTP connector (and the browser it serves) is off.
 *
 * The image's entrypoint rewrites `conf/neo4j.conf` at every start, so `conf/` is a writable
 * anonymous volume that Docker seeds from the image on first mount: each container gets its own, so
 * an upgrade starts from the new image's defaults. The debug log goes to an anonymous volume too
 * (it rotates up to about 160 MB, too much for memory; neo4j.log goes to the container's log); the
 * JVM's scratch and `run/` to tmpfs. Both volumes go with their container (ServiceArgs.anonymousVolumes).
 *
 * Creates: `Secret` (`<name>-password`, unless given), `Secret` (`<name>-auth`: `neo4j/<password>`)
 * and `Service` (`<name>`).
 * Consumers receive `GRAPH_URL`, `GRAPH_USER` and the file `GRAPH_PASSWORD_FILE`.
 *
 * @example
 * const graph = new Neo4jGraph("graph", {
 *   image: new Image("neo4j", { ref: "neo4j:5.26.30-community", pinning: "tag" }),
 *   network: data,
 *   volume: new Volume("graph-data"),
 * });
 * new Service("api", { ...apiArgs, connections: [graph] });
 */
export class Neo4jGraph extends pulumi.ComponentResource implements Connectable {
  /** The Pulumi type token of every Neo4jGraph. */
  static readonly TYPE = "shipyard:components:Neo4jGraph";
  /** The Bolt port, the only one it listens on. */
  static readonly BOLT_PORT = 7687;

  /** The Neo4j service. */
  readonly service: Service;
  /** The password of the `neo4j` user (generated unless given). */
  readonly password: Secret;
  /** What a consumer receives from `connections: [graph]`. */
  readonly connection: Connection;
  /** The store, for backups. */
  readonly volume: Volume;

  constructor(name: string, args: Neo4jGraphArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(Neo4jGraph.TYPE, name, {}, opts);
    this.volume = args.volume;
    const memory = args.memory ?? "1g";
    const sizes = neo4jMemory(memory);
    this.password =
      args.password ?? presetSecret(name, "password", args, this, { protect: args.volume.retainData });
    const auth = presetSecret(name, "auth", args, this, {
      value: pulumi.interpolate`neo4j/${this.password.value}`,
    });

    this.service = new Service(
      name,
      {
        image: args.image,
        role: "graph",
        user: NEO4J_UID,
        env: presetEnv(
          "Neo4jGraph",
          name,
          {
            NEO4J_AUTH_FILE: auth.path,
            NEO4J_server_memory_heap_initial__size: sizes.heap,
            NEO4J_server_memory_heap_max__size: sizes.heap,
            NEO4J_server_memory_pagecache_size: sizes.pageCache,
            NEO4J_server_http_enabled: "false",
          },
          args,
          { weakening: NEO4J_WEAKENING },
        ),
        secrets: [{ secret: auth }],
        networks: [args.network, ...(args.extraNetworks ?? [])],
        dependsOn: args.dependsOn,
        volumes: [{ volume: args.volume, path: "/data" }],
        anonymousVolumes: [`${NEO4J_HOME}/conf`, "/logs"],
        // run/ holds the pid file the entrypoint removes at start.
        tmpfs: { [`${NEO4J_HOME}/run`]: "rw,noexec,nosuid,size=1m,uid=7474,gid=7474" },
        healthcheck: {
          // bash's /dev/tcp needs no client tool in the image: healthy once Bolt accepts connections.
          test: ["CMD-SHELL", `bash -c ':> /dev/tcp/127.0.0.1/${Neo4jGraph.BOLT_PORT}'`],
          interval: "10s",
          timeout: "5s",
          retries: 12,
          startPeriod: "60s",
        },
        memory,
        cpus: args.cpus ?? "1",
        ...presetServiceArgs(name, args),
        stopGracePeriod: "60s",
      },
      { parent: this },
    );
    this.connection = {
      service: this.service,
      network: args.network,
      env: { GRAPH_URL: `bolt://${name}:${Neo4jGraph.BOLT_PORT}`, GRAPH_USER: "neo4j" },
      secrets: [{ secret: this.password, env: "GRAPH_PASSWORD_FILE" }],
    };
    this.registerOutputs({});
  }
}
