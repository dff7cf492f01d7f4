import * as fs from "node:fs";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { Image } from "../../components/image";
import { Network } from "../../components/network";
import { BACKUP_SCRIPT, PostgresBackup, RESTORE_SCRIPT } from "../../components/postgres-backup";
import { PostgresDatabase } from "../../components/postgres-database";
import { Volume } from "../../components/volume";
import {
  CONTAINER,
  child,
  envOf,
  expectThrowsExactly,
  labelsOf,
  settle,
  unwrapSecret,
  freshRegistrations,
  mockPassword,
  carrierOf,
  filesVolumes,
} from "../mocks";

const REF = `postgres:16.4-alpine@sha256:${"9a".repeat(32)}`;
const ASSETS = path.resolve(__dirname, "../../components/assets");
const BACKUP_SH = fs.readFileSync(path.join(ASSETS, "postgres-backup.sh"), "utf8");
const RESTORE_SH = fs.readFileSync(path.join(ASSETS, "postgres-restore.sh"), "utf8");
const healthTest = (maxAgeSeconds: number): string[] => [
  "CMD-SHELL",
  `test -f /tmp/last-success && [ $(( $(date -u +%s) - $(cat /tmp/last-success) )) -lt ${maxAgeSeconds} ]`,
];

function fixture(prefix: string): { image: Image; database: PostgresDatabase; volume: Volume } {
  const image = new Image(`${prefix}-img`, { ref: REF });
  const network = new Network(`${prefix}-data`, { internal: true, tier: "data" });
  const database = new PostgresDatabase(`${prefix}-db`, {
    image,
    network,
    volume: new Volume(`${prefix}-pgdata`),
  });
  return { image, database, volume: new Volume(`${prefix}-dumps`) };
}

describe("PostgresBackup", () => {
  beforeEach(freshRegistrations);

  it("dumps daily, keeps 7 dumps, and reaches the database through its connection", async () => {
    new PostgresBackup("bk", fixture("bk"));
    await settle();

    const container = child(CONTAINER, "bk-0");
    expect(envOf(container)).toEqual({
      secret: false,
      env: {
        BACKUP_DIR: "/var/lib/postgresql/data",
        BACKUP_INTERVAL_MINUTES: "1440",
        BACKUP_RETENTION: "7",
        DATABASE_HOST: "bk-db",
        DATABASE_NAME: "app",
        DATABASE_PASSWORD_FILE: "/run/secrets/bk-db-password",
        DATABASE_PORT: "5432",
        DATABASE_USER: "app",
      },
    });
    expect(unwrapSecret(carrierOf("bk").inputs.uploads)).toEqual({
      secret: true,
      value: [
        {
          file: "/run/secrets/bk-db-password",
          content: mockPassword("bk-db-password"),
          owner: "70",
          group: "70",
          permissions: "0400",
        },
        { file: "/run/config/backup.sh", content: BACKUP_SH, owner: "70", group: "70", permissions: "0444" },
        {
          file: "/run/config/restore.sh",
          content: RESTORE_SH,
          owner: "70",
          group: "70",
          permissions: "0444",
        },
      ],
    });
    const { command, user, mounts, volumes, networksAdvanced, healthcheck, memory, cpus } = container.inputs;
    expect({ command, user, mounts, volumes, networksAdvanced, healthcheck, memory, cpus }).toEqual({
      command: ["sh", "/run/config/backup.sh"],
      user: "70:70",
      mounts: [{ type: "volume", source: "bk-dumps", target: "/var/lib/postgresql/data", readOnly: false }],
      volumes: filesVolumes("bk"),
      networksAdvanced: [{ name: "bk-data", aliases: ["bk", "bk-0"] }],
      // two intervals (2 × 1440 min) + 5 minutes
      healthcheck: {
        tests: healthTest(173_100),
        interval: "30s",
        timeout: "5s",
        retries: 3,
        startPeriod: "1m0s",
      },
      memory: 128,
      cpus: "0.25",
    });
    expect(container.options.dependencies).toContain(child(CONTAINER, "bk-db-0").urn);
    expect(labelsOf(container)).toEqual({
      "shipyard.backup-of": "bk-pgdata",
      "shipyard.replica": "0",
      "shipyard.role": "backup",
      "shipyard.service": "bk",
      "shipyard.stateful": "true",
    });
    expect([BACKUP_SCRIPT, RESTORE_SCRIPT]).toEqual(["/run/config/backup.sh", "/run/config/restore.sh"]);
  });

  it("sets every variable the scripts read", async () => {
    new PostgresBackup("bk-vars", fixture("bk-vars"));
    await settle();

    const env = Object.keys(envOf(child(CONTAINER, "bk-vars-0")).env);
    const variables = (script: string): string[] => {
      const code = script
        .split("\n")
        .filter((line) => !line.trimStart().startsWith("#"))
        .join("\n");
      return [...new Set(code.match(/\b(?:BACKUP|DATABASE)_[A-Z_]+\b/g))].sort();
    };
    expect(variables(BACKUP_SH)).toEqual(env);
    expect(variables(RESTORE_SH)).toEqual(
      env.filter((key) => key.startsWith("DATABASE_") || key === "BACKUP_DIR"),
    );
  });

  it("takes the interval and retention", async () => {
    new PostgresBackup("bk-hourly", { ...fixture("bk-hourly"), intervalMinutes: 60, retention: 3 });
    await settle();

    const container = child(CONTAINER, "bk-hourly-0");
    const env = envOf(container).env;
    expect([env.BACKUP_INTERVAL_MINUTES, env.BACKUP_RETENTION]).toEqual(["60", "3"]);
    expect((container.inputs.healthcheck as { tests: string[] }).tests).toEqual(healthTest(7_500));
  });

  it.each([
    [
      "intervalMinutes 4",
      { intervalMinutes: 4 },
      "`intervalMinutes` must be an integer from 5 to 10080 (a week), got 4",
    ],
    [
      "a fractional intervalMinutes",
      { intervalMinutes: 7.5 },
      "`intervalMinutes` must be an integer from 5 to 10080 (a week), got 7.5",
    ],
    ["retention 0", { retention: 0 }, "`retention` must be an integer ≥ 1, got 0"],
    ["a fractional retention", { retention: 1.5 }, "`retention` must be an integer ≥ 1, got 1.5"],
  ])("rejects %s", (_case, overrides, problem) => {
    const parts = fixture(`bk-bad-${_case.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`);
    expectThrowsExactly(
      () => new PostgresBackup("bk-bad", { ...parts, ...overrides }),
      `PostgresBackup "bk-bad": ${problem}`,
    );
  });
});
