/**
 * The graph backup command line, run by graph-backup.ts: its environment contract, backup file
 * names and retention, atomic file writes, the scheduled loop and the four commands. Every effect
 * (clock, sleep, driver, file system, output) is injectable, so tests drive the loop with a fake
 * clock and the real Neo4j tests call it with a short interval the environment would refuse.
 */
import { createReadStream, readFileSync } from "node:fs";
import { open, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import neo4j, { type Driver } from "neo4j-driver";
import { withTimeout } from "./async.js";
import { ConfigError, LOG_LEVELS, trimSecret, type Env, type LogLevel, type ReadFile } from "./config.js";
import {
  DatabaseNotEmptyError,
  exportGraph,
  restoreGraph,
  type ExportSummary,
  type WriteLine,
} from "./graph-export.js";
import { parseTrailer } from "./graph-format.js";
import { FormatError } from "./graph-values.js";
import { createLogger, type Logger } from "./logger.js";

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

export const COMMANDS = ["run", "export", "restore", "list"] as const;
export type Command = (typeof COMMANDS)[number];

export interface GraphConnection {
  /** `bolt://`, `neo4j://` or their `+s`/`+ssc` TLS forms. */
  readonly url: string;
  readonly user: string;
  /** Read from the file named by GRAPH_PASSWORD_FILE; never from the environment. */
  readonly password: string;
}

export interface GraphBackupConfig {
  /** Undefined for `list`, which does not connect. */
  readonly graph: GraphConnection | undefined;
  /** Where `run` writes and `list` reads; bare file names of `export`/`restore` resolve here. */
  readonly backupDir: string | undefined;
  readonly intervalMinutes: number;
  readonly retention: number;
  readonly logLevel: LogLevel;
}

/** Below 5 minutes a backup could overlap the next; above a week, Node's timers overflow. */
export const MIN_INTERVAL_MINUTES = 5;
export const MAX_INTERVAL_MINUTES = 10_080;
/** The defaults of the PostgreSQL backup: daily, a week of files. */
export const DEFAULT_INTERVAL_MINUTES = 1440;
export const DEFAULT_RETENTION = 7;
const GRAPH_PROTOCOLS = ["bolt:", "bolt+s:", "bolt+ssc:", "neo4j:", "neo4j+s:", "neo4j+ssc:"];

/**
 * Parses the backup environment for one command. Returns the config or throws one ConfigError
 * listing every problem, each naming its variable (the API's contract style, see config.ts).
 */
export function parseGraphBackupEnv(
  env: Env,
  command: Command,
  readFile: ReadFile = (path) => readFileSync(path, "utf8"),
): GraphBackupConfig {
  const errors: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const required = (name: string): string => {
    const value = get(name);
    if (value === undefined) errors.push(`${name} is required`);
    return value ?? "";
  };
  const integer = (name: string, fallback: number, min: number, max: number, range: string): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
    errors.push(`${name} must be an integer ${range}, got "${raw}"`);
    return fallback;
  };

  // A password in the environment leaks through `docker inspect`, so it is refused, not used.
  if (get("GRAPH_PASSWORD") !== undefined) {
    errors.push("GRAPH_PASSWORD is not supported; write the password to a file and set GRAPH_PASSWORD_FILE");
  }

  let graph: GraphConnection | undefined;
  if (command !== "list") {
    const url = required("GRAPH_URL");
    if (url !== "" && !isGraphUrl(url)) {
      errors.push(`GRAPH_URL must be a bolt:// or neo4j:// URL, got "${url}"`);
    }
    const user = required("GRAPH_USER");
    const password = readSecret("GRAPH_PASSWORD_FILE", required("GRAPH_PASSWORD_FILE"), readFile, errors);
    graph = { url, user, password };
  }
  const backupDir = command === "run" || command === "list" ? required("BACKUP_DIR") : get("BACKUP_DIR");
  const intervalMinutes = integer(
    "BACKUP_INTERVAL_MINUTES",
    DEFAULT_INTERVAL_MINUTES,
    MIN_INTERVAL_MINUTES,
    MAX_INTERVAL_MINUTES,
    `from ${MIN_INTERVAL_MINUTES} to ${MAX_INTERVAL_MINUTES}`,
  );
  const retention = integer("BACKUP_RETENTION", DEFAULT_RETENTION, 1, Number.MAX_SAFE_INTEGER, "≥ 1");
  const rawLevel = get("LOG_LEVEL");
  const logLevel = LOG_LEVELS.find((level) => level === (rawLevel ?? "info").toLowerCase());
  if (logLevel === undefined) {
    errors.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${rawLevel}"`);
  }

  if (errors.length > 0) throw new ConfigError(errors);
  return { graph, backupDir, intervalMinutes, retention, logLevel: logLevel ?? "info" };
}

function isGraphUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return GRAPH_PROTOCOLS.includes(url.protocol) && url.hostname !== "";
  } catch {
    return false;
  }
}

function readSecret(name: string, path: string, readFile: ReadFile, errors: string[]): string {
  if (path === "") return "";
  let content: string;
  try {
    content = trimSecret(readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    errors.push(`${name} points to "${path}", which cannot be read (${code})`);
    return "";
  }
  if (content === "") errors.push(`${name} points to "${path}", which is empty`);
  return content;
}

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

export const USAGE = `usage: node dist/graph-backup.js <command>
  run              export every BACKUP_INTERVAL_MINUTES into BACKUP_DIR, keep BACKUP_RETENTION files
  export <file>    write one export to <file> (a bare name goes into BACKUP_DIR)
  restore <file>   load <file> into an empty database (a bare name is read from BACKUP_DIR)
  list             list the backups in BACKUP_DIR, newest first`;

export type Invocation = { readonly command: Command; readonly file: string | undefined };

/** Parses argv (after the script name); returns the invocation or a message naming the fix. */
export function parseArgs(argv: readonly string[]): Invocation | { readonly error: string } {
  const [command, ...rest] = argv;
  if (command === undefined) return { error: `missing command; use one of ${COMMANDS.join(", ")}` };
  const known = COMMANDS.find((candidate) => candidate === command);
  if (known === undefined) {
    return { error: `unknown command "${command}"; use one of ${COMMANDS.join(", ")}` };
  }
  if (known === "export" || known === "restore") {
    const [file, ...extra] = rest;
    if (file === undefined || file === "") {
      return { error: `${known} needs a file: node dist/graph-backup.js ${known} <file>` };
    }
    if (extra.length > 0) return { error: `${known} takes one file, got ${rest.length} arguments` };
    return { command: known, file };
  }
  if (rest.length > 0) return { error: `${known} takes no arguments, got "${rest.join(" ")}"` };
  return { command: known, file: undefined };
}

// ---------------------------------------------------------------------------------------------
// Backup files
// ---------------------------------------------------------------------------------------------

const BACKUP_NAME = /^graph-\d{8}T\d{6}Z\.jsonl$/;
const PARTIAL_NAME = /^graph-\d{8}T\d{6}Z\.jsonl\.partial$/;

/** `20261130T035500Z`: UTC, sortable, and free of characters file systems dislike. */
export function backupStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

export function backupFileName(date: Date): string {
  return `graph-${backupStamp(date)}.jsonl`;
}

/** Backup names in `names`, newest first (the stamp sorts as text). Other files are ignored. */
export function backupNames(names: readonly string[]): string[] {
  return names.filter((name) => BACKUP_NAME.test(name)).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
}

/** The backups to delete so that the newest `retention` remain. */
export function expiredBackups(names: readonly string[], retention: number): string[] {
  return backupNames(names).slice(retention);
}

/** Partial files a killed process (OOM, SIGKILL) left behind; `run` removes them at start. */
export function leftoverPartials(names: readonly string[]): string[] {
  return names.filter((name) => PARTIAL_NAME.test(name)).sort();
}

/** A bare name lives in the backup directory; anything with a slash is a path as given. */
export function resolveBackupPath(file: string, backupDir: string | undefined): string {
  return backupDir === undefined || file.includes("/") ? file : join(backupDir, file);
}

/** Bytes gathered before one write(2): few syscalls, little memory. */
const WRITE_CHUNK_BYTES = 64 * 1024;

/**
 * Writes a file through `produce` as `<path>.partial` and renames it to `path` only when
 * `produce` resolves, so no half file ever carries the final name. On failure or abort the partial
 * file is removed and the error rethrown; an abort does not wait for `produce` to notice it.
 */
export async function writeAtomically<T>(
  path: string,
  produce: (write: WriteLine) => Promise<T>,
  signal?: AbortSignal,
): Promise<{ value: T; bytes: number }> {
  const partial = `${path}.partial`;
  if (await exists(path)) throw new Error(`${path} already exists; choose another name or delete it`);
  const handle = await open(partial, "wx");
  let chunks: string[] = [];
  let pending = 0;
  let bytes = 0;
  let closed = false;
  const flush = async (): Promise<void> => {
    if (pending === 0) return;
    const chunk = chunks.join("");
    chunks = [];
    pending = 0;
    bytes += (await handle.write(chunk)).bytesWritten;
  };
  const write: WriteLine = async (line) => {
    if (closed) throw new Error(`${partial} is closed`);
    chunks.push(line, "\n");
    pending += line.length + 1;
    if (pending >= WRITE_CHUNK_BYTES) await flush();
  };
  try {
    const value = await abortable(produce(write), signal);
    await flush();
    await handle.sync();
    closed = true;
    await handle.close();
    await rename(partial, path);
    return { value, bytes };
  } catch (error) {
    closed = true;
    await handle.close().catch(() => {});
    await rm(partial, { force: true });
    throw error;
  }
}

/** Rejects as soon as `signal` aborts, leaving `promise` to settle (and be ignored) on its own. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  promise.catch(() => {});
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The file's lines, streamed. */
export function readLines(path: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
}

/** Node and relationship counts from a backup's trailer, read from the end of the file only. */
export async function backupCounts(
  path: string,
): Promise<{ nodes: number; relationships: number } | { error: string }> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const { buffer } = await handle.read(Buffer.alloc(length), 0, length, size - length);
    const lines = buffer.toString("utf8").split("\n");
    // A complete file ends with a newline, so the trailer is the line before the empty last one.
    const last = lines.at(-1) === "" ? (lines.at(-2) ?? "") : "";
    const trailer = parseTrailer(last);
    return { nodes: trailer.nodes, relationships: trailer.relationships };
  } catch (error) {
    if (error instanceof FormatError) return { error: error.message };
    throw error;
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The scheduled loop
// ---------------------------------------------------------------------------------------------

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
  readonly listDir?: (dir: string) => Promise<string[]>;
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
      const deleted = expiredBackups(await listDir(backupDir), options.retention);
      for (const name of deleted) await remove(join(backupDir, name));
      logger.info("backup written", { ...fields, deleted });
    } catch (error) {
      logger.error("backup written, but recording it or deleting old backups failed", { ...fields, error });
    }
    await sleep(Math.max(0, options.intervalMs - elapsedMs()), signal);
  }
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

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
  const graph = config.graph as GraphConnection;
  const driver = (options.connect ?? connectGraph)(graph);
  try {
    switch (invocation.command) {
      case "run":
        return await runCommand(driver, config, logger, options);
      case "export":
        return await exportCommand(
          driver,
          resolveBackupPath(invocation.file ?? "", config.backupDir),
          logger,
          options,
        );
      case "restore":
        return await restoreCommand(
          driver,
          resolveBackupPath(invocation.file ?? "", config.backupDir),
          logger,
          options,
        );
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
