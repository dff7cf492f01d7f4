import { beforeEach, describe, expect, it } from "vitest";
import { Image } from "../../components/image";
import { NEO4J_HOME, NEO4J_UID, Neo4jGraph, neo4jMemory } from "../../components/neo4j-graph";
import { Network } from "../../components/network";
import { Volume } from "../../components/volume";
import {
  CONTAINER,
  RANDOM_ID,
  VOLUME,
  child,
  envOf,
  expectThrowsExactly,
  labelsOf,
  promiseOf,
  settle,
  unwrapSecret,
  freshRegistrations,
  mockPassword,
  carrierOf,
  filesVolumes,
  ofType,
} from "../mocks";

const REF = `neo4j:5.26.1-community@sha256:${"56".repeat(32)}`;

function fixture(prefix: string): { image: Image; network: Network; volume: Volume } {
  return {
    image: new Image(`${prefix}-img`, { ref: REF }),
    network: new Network(`${prefix}-net`),
    volume: new Volume(`${prefix}-store`),
  };
}

describe("neo4jMemory", () => {
  it.each([
    ["1g", "512m", "256m"],
    ["2g", "1g", "512m"],
    ["768m", "384m", "192m"],
    ["512m", "256m", "128m"],
    ["1.5g", "768m", "384m"],
  ])("splits %s into heap %s and page cache %s", (memory, heap, pageCache) => {
    expect(neo4jMemory(memory)).toEqual({ heap, pageCache });
  });

  it.each(["256m", "511m"])("rejects %s, below 512m", (memory) => {
    expectThrowsExactly(
      () => neo4jMemory(memory),
      `Neo4jGraph: \`memory\` must be at least "512m" for heap and page cache, got "${memory}"`,
    );
  });

  it("rejects a memory limit without a unit", () => {
    expectThrowsExactly(
      () => neo4jMemory("1024"),
      'Neo4jGraph: `memory` must be a size with a unit such as "512m" or "1g", got "1024"',
    );
  });
});

describe("Neo4jGraph", () => {
  beforeEach(freshRegistrations);

  it("runs neo4j as uid 7474 with heap and page cache sized from memory and credentials in a file", async () => {
    const graph = new Neo4jGraph("graph-min", fixture("graph-min"));
    await settle();

    const container = child(CONTAINER, "graph-min-0");
    expect(envOf(container)).toEqual({
      secret: false,
      env: {
        NEO4J_AUTH_FILE: "/run/secrets/graph-min-auth",
        NEO4J_server_memory_heap_initial__size: "512m",
        NEO4J_server_memory_heap_max__size: "512m",
        NEO4J_server_memory_pagecache_size: "256m",
        NEO4J_server_http_enabled: "false",
      },
    });
    expect(unwrapSecret(carrierOf("graph-min").inputs.uploads)).toEqual({
      secret: true,
      value: [
        {
          file: "/run/secrets/graph-min-auth",
          content: `neo4j/${mockPassword("graph-min-password")}`,
          owner: "7474",
          group: "7474",
          permissions: "0400",
        },
      ],
    });
    const { user, readOnly, tmpfs, memory, cpus, mounts, volumes, healthcheck, waitTimeout, stopTimeout } =
      container.inputs;
    expect({
      user,
      readOnly,
      tmpfs,
      memory,
      cpus,
      mounts,
      volumes,
      healthcheck,
      waitTimeout,
      stopTimeout,
    }).toEqual({
      user: "7474:7474",
      readOnly: true,
      tmpfs: {
        "/tmp": "rw,noexec,nosuid,size=64m",
        [`${NEO4J_HOME}/run`]: "rw,noexec,nosuid,size=1m,uid=7474,gid=7474",
      },
      memory: 1024,
      cpus: "1.0",
      mounts: [{ type: "volume", source: "graph-min-store", target: "/data", readOnly: false }],
      // conf/ (seeded from the image, rewritten at every start) and the debug log: each container's
      // own anonymous volumes, so a new image starts from its own conf/.
      volumes: [
        ...filesVolumes("graph-min"),
        { containerPath: "/var/lib/neo4j/conf" },
        { containerPath: "/logs" },
      ],
      healthcheck: {
        tests: ["CMD-SHELL", "bash -c ':> /dev/tcp/127.0.0.1/7687'"],
        interval: "10s",
        timeout: "5s",
        retries: 12,
        startPeriod: "1m0s",
      },
      // startPeriod 60 s + interval 10 s × retries 12 + 30 s margin
      waitTimeout: 210,
      stopTimeout: 60,
    });
    expect(labelsOf(container)["shipyard.role"]).toBe("graph");
    expect(NEO4J_UID).toBe("7474:7474");
    expect(graph.service.spec.readOnlyRootFilesystem).toBe(true);
    expect(await promiseOf(graph.password.value)).toBe(mockPassword("graph-min-password"));
  });

  it("sizes heap and page cache from the given memory", async () => {
    new Neo4jGraph("graph-big", { ...fixture("graph-big"), memory: "2g", cpus: "2" });
    await settle();

    const container = child(CONTAINER, "graph-big-0");
    expect(envOf(container).env).toEqual({
      NEO4J_AUTH_FILE: "/run/secrets/graph-big-auth",
      NEO4J_server_memory_heap_initial__size: "1g",
      NEO4J_server_memory_heap_max__size: "1g",
      NEO4J_server_memory_pagecache_size: "512m",
      NEO4J_server_http_enabled: "false",
    });
    expect([container.inputs.memory, container.inputs.cpus]).toEqual([2048, "2.0"]);
  });

  it("offers consumers the Bolt URL, the user and the password file", () => {
    const parts = fixture("graph-conn");
    const graph = new Neo4jGraph("graph-conn", parts);
    const { connection } = graph;
    expect(connection.service).toBe(graph.service);
    expect(connection.network).toBe(parts.network);
    expect(connection.env).toEqual({ GRAPH_URL: "bolt://graph-conn:7687", GRAPH_USER: "neo4j" });
    expect(connection.secrets.map((s) => [s.secret, s.env])).toEqual([
      [graph.password, "GRAPH_PASSWORD_FILE"],
    ]);
  });

  it("creates no volume of its own besides the store it is given", async () => {
    new Neo4jGraph("graph-own", fixture("graph-own"));
    await settle();
    expect([...ofType(VOLUME), ...ofType(RANDOM_ID)].map((r) => r.name)).toEqual(["graph-own-store"]);
  });

  it("rejects memory below 512m", () => {
    expectThrowsExactly(
      () => new Neo4jGraph("graph-small", { ...fixture("graph-small"), memory: "256m" }),
      'Neo4jGraph: `memory` must be at least "512m" for heap and page cache, got "256m"',
    );
  });
});
