import * as pulumi from "@pulumi/pulumi";
import type { Image } from "./image";
import type { Network } from "./network";
import { Secret } from "./secret";
import { presetEnv, presetSecret, presetServiceArgs, type PresetArgs } from "./preset";
import { Service, type Connectable, type Connection } from "./service";
import type { Volume } from "./volume";

/** How a {@link PostgresDatabase} runs. */
export interface PostgresDatabaseArgs extends PresetArgs {
  /** A `postgres:<version>-alpine` image (the uid below is the alpine image's `postgres` user). */
  readonly image: Image;
  /** The data-tier network consumers share with the database. */
  readonly network: Network;
  /** The volume that holds the cluster. */
  readonly volume: Volume;
  /** @default - a generated 32-character secret */
  readonly password?: Secret;
  /** @default "app" */
  readonly database?: string;
  /** @default "app" */
  readonly user?: string;
  /** @default "512m" */
  readonly memory?: string;
  /** @default "1" */
  readonly cpus?: string;
}

/** Env that would weaken PostgreSQL, with what each turns off. */
export const POSTGRES_WEAKENING: Readonly<Record<string, string>> = {
  POSTGRES_HOST_AUTH_METHOD: "`trust` lets any client in without the password",
  POSTGRES_INITDB_ARGS: "`--auth=trust` initialises the cluster without password checks",
};

/** The alpine postgres image's postgres user and group. */
export const POSTGRES_UID = "70:70";

/**
 * PostgreSQL with its data on a named volume, its password in a secret file and a `pg_isready`
 * healthcheck; it runs as the image's `postgres` user on a read-only root filesystem.
 *
 * Creates: `Secret` (`<name>-password`, unless given) and `Service` (`<name>`). Consumers pass the
 * object in `connections` and receive `DATABASE_HOST`, `DATABASE_PORT`, `DATABASE_NAME`,
 * `DATABASE_USER` and the file `DATABASE_PASSWORD_FILE`.
 *
 * @example
 * const db = new PostgresDatabase("db", {
 *   image: new Image("postgres", { ref: "postgres:16.15-alpine", pinning: "tag" }),
 *   network: new Network("data", { internal: true, tier: "data" }),
 *   volume: new Volume("pgdata", { retainData: false }),
 * });
 * new Service("web", { ...webArgs, connections: [db] });
 */
export class PostgresDatabase extends pulumi.ComponentResource implements Connectable {
  /** The Pulumi type token of every PostgresDatabase. */
  static readonly TYPE = "shipyard:components:PostgresDatabase";
  /** The port PostgreSQL listens on. */
  static readonly PORT = 5432;

  /** The PostgreSQL service. */
  readonly service: Service;
  /** The password of `user` (generated unless given). */
  readonly password: Secret;
  /** The volume holding the cluster, for backups to name. */
  readonly volume: Volume;
  /** The database created at first start. */
  readonly database: string;
  /** The user that owns it. */
  readonly user: string;
  /** What a consumer receives from `connections: [db]`. */
  readonly connection: Connection;

  constructor(name: string, args: PostgresDatabaseArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(PostgresDatabase.TYPE, name, {}, opts);
    this.volume = args.volume;
    this.database = args.database ?? "app";
    this.user = args.user ?? "app";
    this.password =
      args.password ??
      presetSecret(name, "password", args, this, {
        // The cluster on a retained volume keeps the password it was initialised with.
        protect: args.volume.retainData,
      });

    this.service = new Service(
      name,
      {
        image: args.image,
        role: "database",
        user: POSTGRES_UID,
        env: presetEnv(
          "PostgresDatabase",
          name,
          {
            POSTGRES_DB: this.database,
            POSTGRES_USER: this.user,
            // A sub-directory, so initdb never meets a non-empty mount point (lost+found on some drivers).
            PGDATA: "/var/lib/postgresql/data/pgdata",
          },
          args,
          { own: ["POSTGRES_PASSWORD_FILE"], weakening: POSTGRES_WEAKENING },
        ),
        secrets: [{ secret: this.password, env: "POSTGRES_PASSWORD_FILE" }],
        networks: [args.network, ...(args.extraNetworks ?? [])],
        volumes: [{ volume: args.volume, path: "/var/lib/postgresql/data" }],
        // The server's socket and lock file live here; everything else is on the volume.
        tmpfs: { "/var/run/postgresql": "rw,noexec,nosuid,size=1m,uid=70,gid=70" },
        dependsOn: args.dependsOn,
        healthcheck: {
          test: ["CMD", "pg_isready", "-U", this.user, "-d", this.database, "-h", "127.0.0.1"],
          interval: "5s",
          timeout: "3s",
          retries: 10,
          startPeriod: "30s",
        },
        memory: args.memory ?? "512m",
        cpus: args.cpus ?? "1",
        ...presetServiceArgs(name, args),
        stopGracePeriod: "30s",
      },
      { parent: this },
    );
    this.connection = {
      service: this.service,
      network: args.network,
      env: {
        DATABASE_HOST: name,
        DATABASE_PORT: String(PostgresDatabase.PORT),
        DATABASE_NAME: this.database,
        DATABASE_USER: this.user,
      },
      secrets: [{ secret: this.password, env: "DATABASE_PASSWORD_FILE" }],
    };
    this.registerOutputs({});
  }
}
