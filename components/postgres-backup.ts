import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { backupHealthcheck, resolveSchedule, scheduleEnv, type BackupSchedule } from "./backup-schedule";
import type { Image } from "./image";
import { POSTGRES_UID, type PostgresDatabase } from "./postgres-database";
import { presetEnv, presetServiceArgs, type PresetArgs } from "./preset";
import { Service } from "./service";
import type { Volume } from "./volume";
import { sourceDir } from "./source-dir";
import { LABEL } from "./labels";

/** How a {@link PostgresBackup} runs. */
export interface PostgresBackupArgs extends PresetArgs, BackupSchedule {
  /** The database to dump; the backup connects to it. */
  readonly database: PostgresDatabase;
  /** The postgres image, so `pg_dump` matches the server's major version. */
  readonly image: Image;
  /** Where dumps are kept. */
  readonly volume: Volume;
  /** @default "128m" */
  readonly memory?: string;
  /** @default "0.25" */
  readonly cpus?: string;
}

const ASSETS = path.join(sourceDir(__dirname), "assets");
/**
 * Where dumps are written. A directory the postgres image already owns (uid 70, mode 1777), so the
 * fresh volume mounted there inherits writable ownership; a new path would be created root-owned.
 */
export const BACKUP_DIR = "/var/lib/postgresql/data";
/** Where the scripts are mounted in the backup container. */
export const BACKUP_SCRIPT = "/run/config/backup.sh";
export const RESTORE_SCRIPT = "/run/config/restore.sh";

/**
 * Scheduled `pg_dump` of a PostgresDatabase to a backup volume, with retention, and a restore
 * script in the same container (`scripts/restore-postgres.sh` runs it).
 *
 * Creates: `Service` (`<name>`). It is healthy while the last successful dump is younger than two
 * intervals, so a failing backup shows as an unhealthy container.
 *
 * @example
 * new PostgresBackup("backup", {
 *   database: db,
 *   image: postgresImage, // the server's image: pg_dump matches its major version
 *   volume: new Volume("pg-backups", { holdsData: false }),
 *   intervalMinutes: 60,
 *   retention: 24,
 * });
 */
export class PostgresBackup extends pulumi.ComponentResource {
  /** The Pulumi type token of every PostgresBackup. */
  static readonly TYPE = "shipyard:components:PostgresBackup";

  /** The backup service. */
  readonly service: Service;

  constructor(name: string, args: PostgresBackupArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(PostgresBackup.TYPE, name, {}, opts);
    const schedule = resolveSchedule("PostgresBackup", name, args);

    this.service = new Service(
      name,
      {
        image: args.image,
        role: "backup",
        user: POSTGRES_UID,
        command: ["sh", BACKUP_SCRIPT],
        env: presetEnv("PostgresBackup", name, scheduleEnv(BACKUP_DIR, schedule), args),
        files: [
          { path: BACKUP_SCRIPT, content: fs.readFileSync(path.join(ASSETS, "postgres-backup.sh"), "utf8") },
          {
            path: RESTORE_SCRIPT,
            content: fs.readFileSync(path.join(ASSETS, "postgres-restore.sh"), "utf8"),
          },
        ],
        connections: [args.database],
        volumes: [{ volume: args.volume, path: BACKUP_DIR }],
        healthcheck: backupHealthcheck(schedule.intervalMinutes),
        dependsOn: args.dependsOn,
        networks: args.extraNetworks,
        memory: args.memory ?? "128m",
        cpus: args.cpus ?? "0.25",
        ...presetServiceArgs(name, args),
        // Policy (SHIP-6) checks every data volume is named by a backup job.
        labels: { ...args.labels, [LABEL.backupOf]: args.database.volume.dockerName },
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
