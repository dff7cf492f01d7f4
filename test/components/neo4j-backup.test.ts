import { beforeEach, describe, expect, it } from "vitest";
import { Image } from "../../components/image";
import { Neo4jBackup } from "../../components/neo4j-backup";
import { Neo4jGraph } from "../../components/neo4j-graph";
import { Network } from "../../components/network";
import { Volume } from "../../components/volume";
import {
  CONTAINER,
  carrierOf,
  child,
  envOf,
  expectThrowsExactly,
  filesVolumes,
  freshRegistrations,
  labelsOf,
  mockPassword,
  settle,
  unwrapSecret,
} from "../mocks";

const GRAPH_REF = `neo4j:5.26.30-community@sha256:${"56".repeat(32)}`;
const TOOL_REF = `shipyard-api@sha256:${"7b".repeat(32)}`;

function fixture(prefix: string) {
  const network = new Network(`${prefix}-data`, { internal: true, tier: "data" });
  const graph = new Neo4jGraph(`${prefix}-graph`, {
    image: new Image(`${prefix}-graph-img`, { ref: GRAPH_REF }),
    network,
    volume: new Volume(`${prefix}-graph-data`),
  });
  return {
    graph,
    image: new Image(`${prefix}-tool`, { ref: TOOL_REF }),
    command: ["node", "dist/graph-backup.js", "run"],
    user: "1000:1000",
    backupDir: "/var/backups/graph",
    volume: new Volume(`${prefix}-exports`),
  };
}

describe("Neo4jBackup", () => {
  beforeEach(freshRegistrations);

  it("runs the export tool daily, keeping 7 exports, connected to the graph", async () => {
    new Neo4jBackup("gb", fixture("gb"));
    await settle();

    const container = child(CONTAINER, "gb-0");
    expect(envOf(container)).toEqual({
      secret: false,
      env: {
        BACKUP_DIR: "/var/backups/graph",
        BACKUP_INTERVAL_MINUTES: "1440",
        BACKUP_RETENTION: "7",
        GRAPH_PASSWORD_FILE: "/run/secrets/gb-graph-password",
        GRAPH_URL: "bolt://gb-graph:7687",
        GRAPH_USER: "neo4j",
      },
    });
    expect(unwrapSecret(carrierOf("gb").inputs.uploads)).toEqual({
      secret: true,
      value: [
        {
          file: "/run/secrets/gb-graph-password",
          content: mockPassword("gb-graph-password"),
          owner: "1000",
          group: "1000",
          permissions: "0400",
        },
      ],
    });
    const { command, user, readOnly, mounts, volumes, networksAdvanced, healthcheck, memory, cpus } =
      container.inputs;
    expect({ command, user, readOnly, mounts, volumes, networksAdvanced, healthcheck, memory, cpus }).toEqual(
      {
        command: ["node", "dist/graph-backup.js", "run"],
        user: "1000:1000",
        readOnly: true,
        mounts: [{ type: "volume", source: "gb-exports", target: "/var/backups/graph", readOnly: false }],
        volumes: filesVolumes("gb"),
        networksAdvanced: [{ name: "gb-data", aliases: ["gb", "gb-0"] }],
        healthcheck: {
          tests: [
            "CMD-SHELL",
            "test -f /tmp/last-success && [ $(( $(date -u +%s) - $(cat /tmp/last-success) )) -lt 173100 ]",
          ],
          interval: "30s",
          timeout: "5s",
          retries: 3,
          startPeriod: "1m0s",
        },
        memory: 256,
        cpus: "0.25",
      },
    );
    // Starts once the graph is healthy.
    expect(container.options.dependencies).toContain(child(CONTAINER, "gb-graph-0").urn);
    expect(labelsOf(container)).toEqual({
      "shipyard.backup-of": "gb-graph-data",
      "shipyard.replica": "0",
      "shipyard.role": "backup",
      "shipyard.service": "gb",
      "shipyard.stateful": "true",
    });
  });

  it("takes the interval, retention and resources", async () => {
    new Neo4jBackup("gb-hourly", {
      ...fixture("gb-hourly"),
      intervalMinutes: 60,
      retention: 3,
      memory: "192m",
      cpus: "0.5",
    });
    await settle();

    const container = child(CONTAINER, "gb-hourly-0");
    const env = envOf(container).env;
    expect([env.BACKUP_INTERVAL_MINUTES, env.BACKUP_RETENTION]).toEqual(["60", "3"]);
    expect((container.inputs.healthcheck as { tests: string[] }).tests[1]).toContain("-lt 7500 ]");
    expect([container.inputs.memory, container.inputs.cpus]).toEqual([192, "0.5"]);
  });

  it.each([
    [
      "intervalMinutes 4",
      { intervalMinutes: 4 },
      "`intervalMinutes` must be an integer from 5 to 10080 (a week), got 4",
    ],
    [
      "intervalMinutes past a week",
      { intervalMinutes: 10_081 },
      "`intervalMinutes` must be an integer from 5 to 10080 (a week), got 10081",
    ],
    ["retention 0", { retention: 0 }, "`retention` must be an integer ≥ 1, got 0"],
  ])("rejects %s", (label, overrides, problem) => {
    const parts = fixture(`gb-bad-${label.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`);
    expectThrowsExactly(
      () => new Neo4jBackup("gb-bad", { ...parts, ...overrides }),
      `Neo4jBackup "gb-bad": ${problem}`,
    );
  });
});
