import * as pulumi from "@pulumi/pulumi";
import type { Image } from "./image";
import type { Network } from "./network";
import { Secret } from "./secret";
import { presetSecret, presetServiceArgs, type PresetArgs } from "./preset";
import { Service, type Connectable, type Connection } from "./service";
import { formatMemory, parseMemory } from "./units";
import type { Volume } from "./volume";

export interface Neo4jGraphArgs extends PresetArgs {
  /** A `neo4j:<version>` image. */
  readonly image: Image;
  readonly network: Network;
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

/** The neo4j image's neo4j user and group. */
export const NEO4J_UID = "7474:7474";

/** Heap and page cache for a container memory limit: 50% and 25%, in whole megabytes. */
export function neo4jMemory(memory: string): { heap: string; pageCache: string } {
  const parsed = parseMemory(memory);
  if ("error" in parsed) throw new Error(`Neo4jGraph: \`memory\` ${parsed.error}`);
  const mb = Math.floor(parsed.bytes / (1024 * 1024));
  if (mb < 512)
    throw new Error(
      `Neo4jGraph: \`memory\` must be at least "512m" for heap and page cache, got ${JSON.stringify(memory)}`,
    );
  const toSize = (fraction: number): string => formatMemory(Math.floor(mb * fraction) * 1024 * 1024);
  return { heap: toSize(0.5), pageCache: toSize(0.25) };
}

/**
 * Neo4j with its store on a named volume and its credentials in a secret file (`NEO4J_AUTH_FILE`).
 *
 * Creates: `Secret` (`<name>-password`, unless given), `Secret` (`<name>-auth`: `neo4j/<password>`)
 * and `Service` (`<name>`). The root filesystem stays writable: the image's entrypoint rewrites
 * `conf/` at start (a recorded deviation). Consumers receive `GRAPH_URL`, `GRAPH_USER` and the file
 * `GRAPH_PASSWORD_FILE`.
 */
export class Neo4jGraph extends pulumi.ComponentResource implements Connectable {
  static readonly TYPE = "shipyard:components:Neo4jGraph";
  static readonly BOLT_PORT = 7687;

  readonly service: Service;
  readonly password: Secret;
  readonly connection: Connection;

  constructor(name: string, args: Neo4jGraphArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(Neo4jGraph.TYPE, name, {}, opts);
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
        env: {
          NEO4J_AUTH_FILE: auth.path,
          NEO4J_server_memory_heap_initial__size: sizes.heap,
          NEO4J_server_memory_heap_max__size: sizes.heap,
          NEO4J_server_memory_pagecache_size: sizes.pageCache,
        },
        secrets: [{ secret: auth }],
        networks: [args.network],
        volumes: [{ volume: args.volume, path: "/data" }],
        readOnlyRootFilesystem: false,
        deviations: [
          {
            setting: "readOnlyRootFilesystem",
            reason: "the neo4j entrypoint writes conf/ and logs/ under /var/lib/neo4j at start",
          },
        ],
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
