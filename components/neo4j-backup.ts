import * as pulumi from "@pulumi/pulumi";
import { backupHealthcheck, resolveSchedule, scheduleEnv, type BackupSchedule } from "./backup-schedule";
import type { Image } from "./image";
import type { Neo4jGraph } from "./neo4j-graph";
import { presetEnv, presetServiceArgs, type PresetArgs } from "./preset";
import { Service } from "./service";
import type { Volume } from "./volume";
import { LABEL } from "./labels";

/** How a {@link Neo4jBackup} runs. */
export interface Neo4jBackupArgs extends PresetArgs, BackupSchedule {
  /** The graph to export; the backup connects to it. */
  readonly graph: Neo4jGraph;
  /**
   * The image of the export tool. Neo4j Community has no online `neo4j-admin database backup`, so
   * the backup is a logical export through Bolt by a tool that keeps this contract: it reads
   * `GRAPH_URL`, `GRAPH_USER`, `GRAPH_PASSWORD_FILE`, `BACKUP_DIR`, `BACKUP_INTERVAL_MINUTES` and
   * `BACKUP_RETENTION`, exports every interval into `BACKUP_DIR` keeping the newest `retention`
   * exports, and writes the epoch seconds of each success to `/tmp/last-success`. shipyard's API
   * image carries one (`node dist/graph-backup.js run`, apps/api/README.md).
   */
  readonly image: Image;
  /** The tool's scheduled command. */
  readonly command: readonly string[];
  /** Numeric `uid:gid` the tool runs as; it must be able to write `backupDir`. */
  readonly user: string;
  /**
   * Where the exports volume is mounted. Use a directory the image has, owned by `user`: Docker
   * gives a fresh volume that directory's owner, where a new path would be created root-owned.
   */
  readonly backupDir: string;
  /** Where exports are kept. */
  readonly volume: Volume;
  /** @default "256m" */
  readonly memory?: string;
  /** @default "0.25" */
  readonly cpus?: string;
}

/**
 * A scheduled online export of a Neo4jGraph to a backup volume, with retention.
 *
 * Creates: `Service` (`<name>`), connected to the graph (its network, Bolt URL and password file).
 * It is healthy while the last successful export is younger than two intervals, so a failing
 * backup shows as an unhealthy container. Restore runs the same tool in the same container
 * (`scripts/restore-graph.sh`).
 *
 * @example
 * new Neo4jBackup("graph-backup", {
 *   graph,
 *   image: apiImage, // any image with an export tool that keeps the contract of `image`
 *   command: ["node", "dist/graph-backup.js", "run"],
 *   user: "1000:1000",
 *   backupDir: "/var/backups/graph",
 *   volume: new Volume("graph-backups", { holdsData: false }),
 * });
 */
export class Neo4jBackup extends pulumi.ComponentResource {
  /** The Pulumi type token of every Neo4jBackup. */
  static readonly TYPE = "shipyard:components:Neo4jBackup";

  /** The backup service. */
  readonly service: Service;

  constructor(name: string, args: Neo4jBackupArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(Neo4jBackup.TYPE, name, {}, opts);
    const schedule = resolveSchedule("Neo4jBackup", name, args);

    this.service = new Service(
      name,
      {
        image: args.image,
        role: "backup",
        user: args.user,
        command: args.command,
        env: presetEnv("Neo4jBackup", name, scheduleEnv(args.backupDir, schedule), args),
        connections: [args.graph],
        volumes: [{ volume: args.volume, path: args.backupDir }],
        healthcheck: backupHealthcheck(schedule.intervalMinutes),
        dependsOn: args.dependsOn,
        networks: args.extraNetworks,
        memory: args.memory ?? "256m",
        cpus: args.cpus ?? "0.25",
        ...presetServiceArgs(name, args),
        // Policy (SHIP-6) checks every data volume is named by a backup job.
        labels: { ...args.labels, [LABEL.backupOf]: args.graph.volume.dockerName },
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
