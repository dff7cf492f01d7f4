/**
 * The graph backup command line, run by graph-backup.ts: the scheduled loop and the four commands.
 * Every effect (clock, sleep, driver, file system, output) is injectable, so tests drive the loop
 * with a fake clock, and the real Neo4j tests run it with an interval the environment would refuse.
 */
import { readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import neo4j, { type Driver } from "neo4j-driver";
import { withTimeout } from "./async.js";
import { ConfigError, type Env, type ReadFile } from "./config.js";
import {
  parseArgs,
  parseGraphBackupEnv,
  USAGE,
  type GraphBackupConfig,
  type GraphConnection,
} from "./graph-backup-config.js";
import {
  backupCounts,
  backupEntries,
  backupFileName,
  backupNames,
  exists,
  expiredBackups,
  leftoverPartials,
  newestWithData,
  readLines,
  resolveBackupPath,
  writeAtomically,
} from "./graph-backup-files.js";
import { DatabaseNotEmptyError, exportGraph, restoreGraph, type ExportSummary } from "./graph-export.js";
import { FormatError } from "./graph-values.js";
import { createLogger, type Logger } from "./logger.js";

/** Read by the container healthcheck, exactly like the PostgreSQL backup's. */
export const LAST_SUCCESS_FILE = "/tmp/last-success";

export interface BackupResult extends ExportSummary {
  readonly bytes: number;
}

export interface ScheduleOptions {
  readonly backupDir: string;
  readonly intervalMs: number;
  readonly retention: number;
  /** Writes one complete backup to `file` (see {@link writeAtomically}). */
  readonly backup: (file: string, signal: AbortSignal) => Promise<BackupResult>;
  /** Records a success for the healthcheck. @default - writes LAST_SUCCESS_FILE */
  readonly markSuccess?: (epochSeconds: number) => Promise<void>;
  /** @default - readdir */
  readonly listDir?: (dir: string) => Promise<string[]>;
  /** A backup's counts, from its trailer. @default - {@link backupCounts} */
  readonly counts?: (path: string) => Promise<{ nodes: number } | { error: string }>;
  /** @default - rm, ignoring files already gone */
  readonly remove?: (path: string) => Promise<void>;
  /** @default - the system clock */
  readonly now?: () => Date;
  /** Resolves after `ms`, or early when `signal` aborts. @default - a timer */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly logger: Logger;
  /** Stops the loop: an export in progress is abandoned and its partial file removed. */
  readonly signal: AbortSignal;
}

/**
 * Backs up at once and then every `intervalMs` until `signal` aborts, logging one line per run.
 * A failed run (the graph is down, the disk is full) is logged and retried on the next tick;
 * the loop itself never fails, so the container keeps running and its healthcheck reports the age
 * of the last success.
 */
export async function runSchedule(options: ScheduleOptions): Promise<void> {
  const listDir = options.listDir ?? ((dir: string) => readdir(dir));
  const remove = options.remove ?? ((path: string) => rm(path, { force: true }));
  const now = options.now ?? (() => new Date());
  const sleep =
    options.sleep ??
    ((ms: number, signal: AbortSignal) => delay(ms, undefined, { signal }).catch(() => undefined));
  const markSuccess =
    options.markSuccess ?? ((seconds: number) => writeFile(LAST_SUCCESS_FILE, `${seconds}\n`));
  const { backupDir, logger, signal } = options;

  try {
    for (const name of leftoverPartials(await listDir(backupDir))) await remove(join(backupDir, name));
  } catch (error) {
    logger.warn("could not remove partial files left by an earlier run", { backupDir, error });
  }

  while (!signal.aborted) {
    const started = now();
    const file = join(backupDir, backupFileName(started));
    const elapsedMs = (): number => now().getTime() - started.getTime();
    let result: BackupResult;
    try {
      result = await options.backup(file, signal);
    } catch (error) {
      if (signal.aborted) break;
      logger.error("backup failed", { file, durationMs: elapsedMs(), error });
      await sleep(Math.max(0, options.intervalMs - elapsedMs()), signal);
      continue;
    }
    const fields = { file, ...result, durationMs: elapsedMs() };
    try {
      await markSuccess(Math.floor(now().getTime() / 1000));
      const entries = await backupEntries(await listDir(backupDir), backupDir, options.counts);
      const deleted = expiredBackups(entries, options.retention);
      for (const name of deleted) await remove(join(backupDir, name));
      logger.info("backup written", { ...fields, deleted });
    } catch (error) {
      logger.error("backup written, but recording it or deleting old backups failed", { ...fields, error });
    }
    await sleep(Math.max(0, options.intervalMs - elapsedMs()), signal);
  }
}

/** Exit codes: 3 means nothing was changed because the input or the target was refused. */
export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;

export interface CliOptions {
  readonly env: Env;
  readonly readFile?: ReadFile;
  /** Log lines and `list` output. */
  readonly stdout: (text: string) => void;
  /** Usage errors. */
  readonly stderr: (text: string) => void;
  /** @default - {@link connectGraph} */
  readonly connect?: (graph: GraphConnection) => Driver;
  /** Aborted on SIGTERM/SIGINT. */
  readonly signal: AbortSignal;
  readonly now?: () => Date;
}

/** Driver settings the export depends on; the rest are the driver's defaults. */
export function connectGraph(graph: GraphConnection): Driver {
  return neo4j.driver(graph.url, neo4j.auth.basic(graph.user, graph.password), {
    // Integers must arrive as Integer objects: plain numbers would lose 64-bit values and be
    // indistinguishable from floats.
    disableLosslessIntegers: false,
    useBigInt: false,
    maxConnectionPoolSize: 2,
    connectionTimeout: 15_000,
    userAgent: "shipyard-graph-backup",
  });
}

/** Bounded so a graph that stopped answering cannot hold the process past Docker's stop timeout. */
const DRIVER_CLOSE_TIMEOUT_MS = 3_000;

/** Runs one invocation and resolves with its exit code. */
export async function runCli(argv: readonly string[], options: CliOptions): Promise<number> {
  const invocation = parseArgs(argv);
  if ("error" in invocation) {
    options.stderr(`graph-backup: ${invocation.error}\n${USAGE}\n`);
    return EXIT.usage;
  }
  let config: GraphBackupConfig;
  try {
    config = parseGraphBackupEnv(options.env, invocation.command, options.readFile);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    createLogger({ level: "error", write: options.stdout }).error("invalid configuration", {
      errors: error.errors,
    });
    return EXIT.usage;
  }
  const logger = createLogger({ level: config.logLevel, write: options.stdout });

  if (invocation.command === "list") return listBackups(config.backupDir ?? "", options.stdout, logger);
  // parseGraphBackupEnv requires the graph variables for every command but list.
  const driver = (options.connect ?? connectGraph)(config.graph as GraphConnection);
  try {
    switch (invocation.command) {
      case "run":
        return await runCommand(driver, config, logger, options);
      case "export":
        return await exportCommand(
          driver,
          resolveBackupPath(invocation.file, config.backupDir),
          logger,
          options,
        );
      case "restore": {
        const file = invocation.file ?? (await newestBackupWithData(config.backupDir, logger));
        if (file === undefined) return EXIT.refused;
        return await restoreCommand(driver, resolveBackupPath(file, config.backupDir), logger, options);
      }
    }
  } finally {
    await withTimeout(driver.close(), DRIVER_CLOSE_TIMEOUT_MS, "closing the graph driver").catch(() => {});
  }
}

function backupWith(
  driver: Driver,
  now: () => Date,
): (file: string, signal: AbortSignal) => Promise<BackupResult> {
  return async (file, signal) => {
    const { value, bytes } = await writeAtomically(
      file,
      (write) => exportGraph(driver, write, { now, signal }),
      signal,
    );
    return { ...value, bytes };
  };
}

async function runCommand(
  driver: Driver,
  config: GraphBackupConfig,
  logger: Logger,
  options: CliOptions,
): Promise<number> {
  const backupDir = config.backupDir ?? "";
  const now = options.now ?? (() => new Date());
  logger.info("graph backup started", {
    backupDir,
    intervalMinutes: config.intervalMinutes,
    retention: config.retention,
  });
  await runSchedule({
    backupDir,
    intervalMs: config.intervalMinutes * 60_000,
    retention: config.retention,
    backup: backupWith(driver, now),
    now,
    logger,
    signal: options.signal,
  });
  logger.info("graph backup stopped");
  return EXIT.ok;
}

async function exportCommand(
  driver: Driver,
  file: string,
  logger: Logger,
  options: CliOptions,
): Promise<number> {
  const now = options.now ?? (() => new Date());
  const started = now().getTime();
  try {
    const result = await backupWith(driver, now)(file, options.signal);
    logger.info("export written", { file, ...result, durationMs: now().getTime() - started });
    return EXIT.ok;
  } catch (error) {
    logger.error("export failed", { file, error });
    return EXIT.failed;
  }
}

async function restoreCommand(
  driver: Driver,
  file: string,
  logger: Logger,
  options: CliOptions,
): Promise<number> {
  const now = options.now ?? (() => new Date());
  const started = now().getTime();
  if (!(await exists(file))) {
    logger.error("restore refused", { file, error: `no such file: ${file}; run "list" to see the backups` });
    return EXIT.refused;
  }
  try {
    const summary = await restoreGraph(driver, () => readLines(file), { signal: options.signal });
    logger.info("restore complete", { file, ...summary, durationMs: now().getTime() - started });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof FormatError || error instanceof DatabaseNotEmptyError) {
      logger.error("restore refused", { file, error: error.message });
      return EXIT.refused;
    }
    logger.error("restore failed", { file, error });
    return EXIT.failed;
  }
}

/**
 * The newest backup in BACKUP_DIR that holds nodes: after a lost store the backups taken since the
 * graph came back empty are newer, and restoring one of those would restore nothing.
 */
async function newestBackupWithData(
  backupDir: string | undefined,
  logger: Logger,
): Promise<string | undefined> {
  if (backupDir === undefined) {
    logger.error("restore refused", { error: "restore without a file needs BACKUP_DIR; name the file" });
    return undefined;
  }
  const found = newestWithData(await backupEntries(await readdir(backupDir), backupDir));
  if (found === undefined) {
    logger.error("restore refused", {
      backupDir,
      error: `no complete backup with nodes in ${backupDir}; run "list" to see the backups`,
    });
    return undefined;
  }
  logger.info("restoring the newest backup that holds nodes", { file: found });
  return found;
}

async function listBackups(
  backupDir: string,
  stdout: (text: string) => void,
  logger: Logger,
): Promise<number> {
  let names: string[];
  try {
    names = backupNames(await readdir(backupDir));
  } catch (error) {
    logger.error("cannot read BACKUP_DIR", { backupDir, error });
    return EXIT.failed;
  }
  if (names.length === 0) {
    stdout(`no backups in ${backupDir}\n`);
    return EXIT.ok;
  }
  for (const name of names) {
    const path = join(backupDir, name);
    const { size } = await stat(path);
    const counts = await backupCounts(path);
    const detail =
      "error" in counts
        ? `INCOMPLETE: ${counts.error}`
        : `${counts.nodes} nodes, ${counts.relationships} relationships`;
    stdout(`${name}  ${size} bytes  ${detail}\n`);
  }
  return EXIT.ok;
}
