import { beforeEach, describe, expect, it } from "vitest";
import { Image } from "../../components/image";
import { Network } from "../../components/network";
import { POSTGRES_UID, PostgresDatabase } from "../../components/postgres-database";
import { Secret } from "../../components/secret";
import { Volume } from "../../components/volume";
import { registered } from "../../infra/offline";
import {
  CONTAINER,
  RANDOM_PASSWORD,
  child,
  envOf,
  labelsOf,
  promiseOf,
  settle,
  unwrapSecret,
  freshRegistrations,
  mockPassword,
  mockImageId,
  carrierOf,
  filesVolumes,
} from "../mocks";

const REF = `postgres:16.4-alpine@sha256:${"12".repeat(32)}`;

function fixture(prefix: string): { image: Image; network: Network; volume: Volume } {
  return {
    image: new Image(`${prefix}-img`, { ref: REF }),
    network: new Network(`${prefix}-data`, { internal: true, tier: "data" }),
    volume: new Volume(`${prefix}-pgdata`),
  };
}

describe("PostgresDatabase", () => {
  beforeEach(freshRegistrations);

  it("runs postgres as uid 70 with its data on the volume and its password in a file", async () => {
    const db = new PostgresDatabase("pg-min", fixture("pg-min"));
    await settle();

    expect(child(RANDOM_PASSWORD, "pg-min-password").inputs).toEqual({ length: 32, special: false });
    expect(POSTGRES_UID).toBe("70:70");
    const inputs = child(CONTAINER, "pg-min-0").inputs;
    expect(unwrapSecret(carrierOf("pg-min").inputs.uploads)).toEqual({
      secret: true,
      value: [
        {
          file: "/run/secrets/pg-min-password",
          content: mockPassword("pg-min-password"),
          owner: "70",
          group: "70",
          permissions: "0400",
        },
      ],
    });
    expect(inputs).toEqual({
      image: mockImageId(REF),
      envs: [
        "PGDATA=/var/lib/postgresql/data/pgdata",
        "POSTGRES_DB=app",
        "POSTGRES_PASSWORD_FILE=/run/secrets/pg-min-password",
        "POSTGRES_USER=app",
      ],
      user: "70:70",
      readOnly: true,
      tmpfs: {
        "/tmp": "rw,noexec,nosuid,size=64m",
        "/var/run/postgresql": "rw,noexec,nosuid,size=1m,uid=70,gid=70",
      },
      capabilities: { drops: ["ALL"], adds: [] },
      securityOpts: ["no-new-privileges:true"],
      init: true,
      memory: 512,
      memorySwap: 512,
      cpus: "1.0",
      restart: "unless-stopped",
      logDriver: "json-file",
      logOpts: { "max-size": "10m", "max-file": "3" },
      healthcheck: {
        tests: ["CMD", "pg_isready", "-U", "app", "-d", "app", "-h", "127.0.0.1"],
        interval: "5s",
        timeout: "3s",
        retries: 10,
        startPeriod: "30s",
      },
      wait: true,
      // startPeriod 30 s + interval 5 s × retries 10 + 30 s margin
      waitTimeout: 110,
      destroyGraceSeconds: 30,
      stopTimeout: 30,
      mustRun: true,
      networksAdvanced: [{ name: "pg-min-data", aliases: ["pg-min", "pg-min-0"] }],
      ports: [],
      mounts: [
        { type: "volume", source: "pg-min-pgdata", target: "/var/lib/postgresql/data", readOnly: false },
      ],
      volumes: filesVolumes("pg-min"),
      labels: [
        { label: "shipyard.replica", value: "0" },
        { label: "shipyard.role", value: "database" },
        { label: "shipyard.service", value: "pg-min" },
        { label: "shipyard.stateful", value: "true" },
      ],
    });
    expect([db.database, db.user, db.service.serviceName, db.service.stateful]).toEqual([
      "app",
      "app",
      "pg-min",
      true,
    ]);
    expect(await promiseOf(db.password.value)).toBe(mockPassword("pg-min-password"));
  });

  it("offers consumers the host, port, database, user and the password file", () => {
    const parts = fixture("pg-conn");
    const db = new PostgresDatabase("pg-conn", parts);
    const { connection } = db;
    expect(connection.service).toBe(db.service);
    expect(connection.network).toBe(parts.network);
    expect(db.volume).toBe(parts.volume);
    expect(connection.env).toEqual({
      DATABASE_HOST: "pg-conn",
      DATABASE_PORT: "5432",
      DATABASE_NAME: "app",
      DATABASE_USER: "app",
    });
    expect(connection.secrets).toHaveLength(1);
    expect(connection.secrets[0]!.secret).toBe(db.password);
    expect(connection.secrets[0]!.env).toBe("DATABASE_PASSWORD_FILE");
  });

  it("uses a given password, database and user, and generates no password", async () => {
    const password = new Secret("pg-given-pw", { value: "given-password" });
    const db = new PostgresDatabase("pg-given", {
      ...fixture("pg-given"),
      password,
      database: "orders",
      user: "orders_rw",
    });
    await settle();

    const container = child(CONTAINER, "pg-given-0");
    expect(envOf(container).env).toEqual({
      PGDATA: "/var/lib/postgresql/data/pgdata",
      POSTGRES_DB: "orders",
      POSTGRES_PASSWORD_FILE: "/run/secrets/pg-given-pw",
      POSTGRES_USER: "orders_rw",
    });
    expect((container.inputs.healthcheck as { tests: string[] }).tests).toEqual([
      "CMD",
      "pg_isready",
      "-U",
      "orders_rw",
      "-d",
      "orders",
      "-h",
      "127.0.0.1",
    ]);
    expect(registered().filter((r) => r.type === RANDOM_PASSWORD)).toEqual([]);
    expect(db.password).toBe(password);
    expect(db.connection.env).toEqual({
      DATABASE_HOST: "pg-given",
      DATABASE_PORT: "5432",
      DATABASE_NAME: "orders",
      DATABASE_USER: "orders_rw",
    });
  });

  it("publishes a dev port on loopback, joins extra networks and takes memory, cpus, restart and labels", async () => {
    const parts = fixture("pg-dev");
    const host = new Network("pg-dev-host");
    new PostgresDatabase("pg-dev", {
      ...parts,
      extraNetworks: [host],
      ports: [{ containerPort: 5432, hostPort: 15432 }],
      memory: "1g",
      cpus: "2",
      restart: "unless-stopped",
      labels: { team: "data" },
    });
    await settle();

    const container = child(CONTAINER, "pg-dev-0");
    const { ports, networksAdvanced, memory, cpus, restart, maxRetryCount } = container.inputs;
    expect({ ports, networksAdvanced, memory, cpus, restart, maxRetryCount }).toEqual({
      ports: [{ internal: 5432, external: 15432, ip: "127.0.0.1", protocol: "tcp" }],
      networksAdvanced: [
        { name: "pg-dev-data", aliases: ["pg-dev", "pg-dev-0"] },
        { name: "pg-dev-host", aliases: ["pg-dev", "pg-dev-0"] },
      ],
      memory: 1024,
      cpus: "2.0",
      restart: "unless-stopped",
      maxRetryCount: undefined,
    });
    expect(container.options.deleteBeforeReplace).toBe(true);
    expect(labelsOf(container).team).toBe("data");
  });
});
