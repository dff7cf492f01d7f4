/**
 * The graph backup's environment and arguments (see README "Graph backup"), parsed by pure
 * functions in the API's contract style: every problem at once, each naming its variable.
 */
import { readFileSync } from "node:fs";
import {
  ConfigError,
  graphUrlError,
  LOG_LEVELS,
  trimSecret,
  type Env,
  type LogLevel,
  type ReadFile,
} from "./config.js";

export const COMMANDS = ["run", "export", "restore", "list"] as const;
export type Command = (typeof COMMANDS)[number];

export interface GraphConnection {
  /** `bolt://` or `neo4j://`, checked as the API checks it (config.ts graphUrlError). */
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
    // The same rules as the API's, which connects to the same graph.
    const problem = url === "" ? undefined : graphUrlError(url);
    if (problem !== undefined) errors.push(problem);
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

export const USAGE = `usage: node dist/graph-backup.js <command>
  run              export every BACKUP_INTERVAL_MINUTES into BACKUP_DIR, keep BACKUP_RETENTION files
  export <file>    write one export to <file> (a bare name goes into BACKUP_DIR)
  restore [file]   load <file> into an empty database (a bare name is read from BACKUP_DIR);
                   without one, the newest backup in BACKUP_DIR that holds nodes
  list             list the backups in BACKUP_DIR, newest first`;

export type Invocation =
  | { readonly command: "run" | "list" }
  | { readonly command: "export"; readonly file: string }
  | { readonly command: "restore"; readonly file?: string };

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
    if (extra.length > 0) return { error: `${known} takes one file, got ${rest.length} arguments` };
    if (known === "restore")
      return file === undefined || file === "" ? { command: known } : { command: known, file };
    if (file === undefined || file === "") {
      return { error: `${known} needs a file: node dist/graph-backup.js ${known} <file>` };
    }
    return { command: known, file };
  }
  if (rest.length > 0) return { error: `${known} takes no arguments, got "${rest.join(" ")}"` };
  return { command: known };
}
